import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useInboxes } from "../../api/directory.ts";
import { Field } from "../../components/Field.tsx";
import { FormStatus } from "../settings/FormStatus.tsx";
import { useSubmit } from "../settings/forms.ts";
import { ConditionsEditor, cleanConditions } from "./ConditionsEditor.tsx";
import { SequenceContact } from "./SequenceContact.tsx";
import { StepsEditor } from "./StepsEditor.tsx";
import {
  createSequence,
  getSequence,
  listSequences,
  type SequenceDetail,
  type SequenceState,
  updateSequence,
} from "./api.ts";

const STATE_LABEL: Record<SequenceState, string> = {
  draft: "Draft (holds its contacts)",
  active: "Active",
  archived: "Archived (stops everyone)",
};

/** The workspace's sequences beside the one being edited. */
export function SequencesPanel({
  selected,
  onSelect,
}: {
  selected: string | undefined;
  onSelect: (id: string) => void;
}) {
  const list = useQuery({ queryKey: ["sequences"], queryFn: ({ signal }) => listSequences(signal) });
  const sequences = (list.data?.data ?? []).filter((s) => s.kind === "sequence");
  return (
    <div className="automation-split">
      <section className="automation-list" aria-labelledby="sequences-title">
        <h2 id="sequences-title">Sequences</h2>
        <NewSequence onCreated={onSelect} />
        {list.isError && <p className="field-error">{list.error.message}</p>}
        {list.data && sequences.length === 0 && <p className="hint">No sequences yet.</p>}
        <ul className="automation-rows" aria-label="Sequences">
          {sequences.map((s) => (
            <li key={s.id}>
              <button
                type="button"
                className={s.id === selected ? "automation-row is-selected" : "automation-row"}
                aria-current={s.id === selected || undefined}
                onClick={() => onSelect(s.id)}
              >
                <span className="automation-row-title">{s.name}</span>
                <span className={`automation-state state-${s.state}`}>{s.state}</span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      {selected ? (
        <SequenceEditor key={selected} id={selected} />
      ) : (
        <p className="hint automation-empty">Choose a sequence, or create one.</p>
      )}
    </div>
  );
}

function NewSequence({ onCreated }: { onCreated: (id: string) => void }) {
  const queryClient = useQueryClient();
  const emailInboxes = useInboxes().filter((i) => i.channel === "email");
  const [name, setName] = useState("");
  const [inboxId, setInboxId] = useState("");
  const form = useSubmit(["name", "inbox_id"]);
  const inbox = inboxId || emailInboxes[0]?.id || "";

  async function submit(event: FormEvent) {
    event.preventDefault();
    const ok = await form.run(async () => {
      const created = await createSequence({ name: name.trim(), inbox_id: inbox, steps: [] });
      queryClient.setQueryData(["sequence", created.id], created);
      await queryClient.invalidateQueries({ queryKey: ["sequences"] });
      onCreated(created.id);
    });
    if (ok) setName("");
  }

  return (
    <form className="automation-new" aria-label="Create a sequence" onSubmit={submit} noValidate>
      <Field label="New sequence" error={form.fieldError("name")}>
        {(props) => (
          <input {...props} placeholder="Onboarding" value={name} onChange={(e) => setName(e.target.value)} />
        )}
      </Field>
      <Field label="Sent from" error={form.fieldError("inbox_id")}>
        {(props) => (
          <select {...props} value={inbox} onChange={(e) => setInboxId(e.target.value)}>
            {emailInboxes.length === 0 && <option value="">No email inbox yet</option>}
            {emailInboxes.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name} ({i.address})
              </option>
            ))}
          </select>
        )}
      </Field>
      <button type="submit" className="button" disabled={form.busy || !name.trim()}>
        Create
      </button>
      <FormStatus problem={form.formLevel} saved={false} />
    </form>
  );
}

function SequenceEditor({ id }: { id: string }) {
  const detail = useQuery({ queryKey: ["sequence", id], queryFn: ({ signal }) => getSequence(id, signal) });
  if (detail.isPending) return <p className="hint automation-empty">Loading…</p>;
  if (detail.isError) return <p className="field-error automation-empty">{detail.error.message}</p>;
  const sequence = detail.data;
  const counts = Object.entries(sequence.enrollments);
  return (
    <section className="automation-detail" aria-labelledby="sequence-title">
      <h2 id="sequence-title">{sequence.name}</h2>
      <p className="hint">
        {counts.length === 0
          ? "Nobody is in this sequence yet."
          : counts.map(([state, n]) => `${n} ${state}`).join(" · ")}
      </p>
      <SequenceSettings sequence={sequence} />
      <div className="automation-sequence">
        <StepsEditor sequence={sequence} />
        <SequenceContact sequence={sequence} />
      </div>
    </section>
  );
}

function SequenceSettings({ sequence }: { sequence: SequenceDetail }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(sequence.name);
  const [state, setState] = useState(sequence.state);
  const [entryEvent, setEntryEvent] = useState(sequence.entry_event ?? "");
  const [quietHours, setQuietHours] = useState(String(sequence.quiet_hours));
  const [conditions, setConditions] = useState(sequence.entry_conditions);
  const form = useSubmit(["name", "state", "entry_event", "quiet_hours", "entry_conditions", "steps"]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    await form.run(async () => {
      const hours = Number(quietHours);
      const saved = await updateSequence(sequence.id, {
        name: name.trim(),
        state,
        entry_event: entryEvent.trim() || null,
        // A non-number goes as typed, so the server's message names the field.
        quiet_hours: (quietHours.trim() !== "" && Number.isInteger(hours) ? hours : quietHours) as number,
        entry_conditions: cleanConditions(conditions),
      });
      queryClient.setQueryData(["sequence", sequence.id], saved);
      await queryClient.invalidateQueries({ queryKey: ["sequences"] });
    });
  }

  return (
    <form className="automation-settings" aria-label="Sequence settings" onSubmit={submit} noValidate>
      <div className="automation-fields">
        <Field label="Name" error={form.fieldError("name")}>
          {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="State" error={form.fieldError("state")}>
          {(props) => (
            <select {...props} value={state} onChange={(e) => setState(e.target.value as SequenceState)}>
              {Object.entries(STATE_LABEL).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Contacts enter on the API event" error={form.fieldError("entry_event")}>
          {(props) => (
            <input
              {...props}
              placeholder="signed_up (optional)"
              value={entryEvent}
              onChange={(e) => setEntryEvent(e.target.value)}
            />
          )}
        </Field>
        <Field label="Quiet hours after a resolved conversation" error={form.fieldError("quiet_hours")}>
          {(props) => (
            <input
              {...props}
              inputMode="numeric"
              value={quietHours}
              onChange={(e) => setQuietHours(e.target.value)}
            />
          )}
        </Field>
      </div>
      <ConditionsEditor
        label="Entry condition"
        conditions={conditions}
        onChange={setConditions}
        error={form.fieldError("entry_conditions")}
      />
      <div className="automation-actions">
        <button type="submit" className="button button-primary" disabled={form.busy}>
          Save settings
        </button>
        <FormStatus problem={form.formLevel} saved={form.saved} />
      </div>
    </form>
  );
}
