import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { SAVED_REPLY_VARIABLES } from "../../../../../packages/contracts/src/saved-reply-variables.ts";
import { api } from "../../api/client.ts";
import { Field } from "../../components/Field.tsx";
import { FormStatus } from "./FormStatus.tsx";
import { useSubmit } from "./forms.ts";
import { type SavedReply, savedRepliesQuery } from "./SavedRepliesPicker.tsx";
import { SettingsCard, SettingsPage } from "./SettingsPage.tsx";

const FIELDS = ["name", "body"] as const;

/** The workspace's saved replies: create, edit, delete. Agents insert them from the composer. */
export function SavedRepliesSettings() {
  const { data: replies = [] } = useQuery(savedRepliesQuery);
  return (
    <SettingsPage
      title="Saved replies"
      description={
        <>
          Answers agents insert from the composer (type <kbd>/</kbd>). Variables:{" "}
          {SAVED_REPLY_VARIABLES.map((v) => `{{${v}}}`).join(", ")}; add a fallback for missing values like{" "}
          {"{{contact.first_name | there}}"}.
        </>
      }
    >
      <SavedReplyForm />
      <SettingsCard title="All saved replies">
        {replies.length === 0 ? (
          <p className="hint">No saved replies yet.</p>
        ) : (
          <ul className="settings-rows" aria-label="Saved replies">
            {replies.map((reply) => (
              <li key={reply.id} className="settings-row">
                <SavedReplyForm reply={reply} />
              </li>
            ))}
          </ul>
        )}
      </SettingsCard>
    </SettingsPage>
  );
}

/** Creates a saved reply, or edits `reply` when given. */
function SavedReplyForm({ reply }: { reply?: SavedReply }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(reply?.name ?? "");
  const [body, setBody] = useState(reply?.body ?? "");
  const form = useSubmit(FIELDS);
  const refresh = () => queryClient.invalidateQueries({ queryKey: savedRepliesQuery.queryKey });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const ok = await form.run(async () => {
      await api(reply ? `/saved-replies/${reply.id}` : "/saved-replies", {
        method: reply ? "PATCH" : "POST",
        body: { name: name.trim(), body },
      });
      await refresh();
    });
    if (ok && !reply) {
      setName("");
      setBody("");
    }
  }

  function remove() {
    if (!reply || !window.confirm(`Delete the saved reply "${reply.name}"?`)) return;
    void form.run(async () => {
      await api(`/saved-replies/${reply.id}`, { method: "DELETE" });
      await refresh();
    });
  }

  const content = (
    <form
      // In the list, the row's form takes the row's full width.
      className={reply ? "settings-form settings-row-main" : "settings-form"}
      onSubmit={submit}
      noValidate
      aria-label={reply ? `Saved reply ${reply.name}` : "New saved reply"}
    >
      <Field label="Name" error={form.fieldError("name")}>
        {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field label="Text" error={form.fieldError("body")}>
        {(props) => <textarea {...props} rows={4} value={body} onChange={(e) => setBody(e.target.value)} />}
      </Field>
      <div className="form-actions">
        <button
          type="submit"
          className="button button-primary"
          disabled={form.busy || (reply && name === reply.name && body === reply.body)}
        >
          {reply ? "Save" : "Create saved reply"}
        </button>
        {reply && (
          <button type="button" className="button" onClick={remove}>
            Delete
          </button>
        )}
        <FormStatus problem={form.formLevel} saved={form.saved} />
      </div>
    </form>
  );
  return reply ? content : <SettingsCard title="New saved reply">{content}</SettingsCard>;
}
