import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client.ts";
import { tagsQuery } from "../../api/directory.ts";
import type { Tag } from "../../api/types.ts";
import { Field } from "../../components/Field.tsx";
import { FormStatus } from "./FormStatus.tsx";
import { useSubmit } from "./forms.ts";
import { SettingsCard, SettingsPage } from "./SettingsPage.tsx";

const DEFAULT_COLOR = "#2f6f5e";

/** The workspace's tags: create, rename, recolour, delete. */
export function TagSettings() {
  const { data: tags = [] } = useQuery(tagsQuery);
  return (
    <SettingsPage
      title="Tags"
      description="Tags sort conversations; agents can also create them while tagging."
    >
      <NewTag />
      <SettingsCard title="All tags">
        {tags.length === 0 ? (
          <p className="hint">No tags yet.</p>
        ) : (
          <ul className="settings-rows" aria-label="Tags">
            {tags.map((tag) => (
              <TagRow key={tag.id} tag={tag} />
            ))}
          </ul>
        )}
      </SettingsCard>
    </SettingsPage>
  );
}

function NewTag() {
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [color, setColor] = useState(DEFAULT_COLOR);
  const form = useSubmit(["name", "color"]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const ok = await form.run(async () => {
      await api("/tags", { method: "POST", body: { name: name.trim(), color } });
      await queryClient.invalidateQueries({ queryKey: tagsQuery.queryKey });
    });
    if (ok) setName("");
  }

  return (
    <SettingsCard title="New tag">
      <form className="settings-form settings-inline-form" onSubmit={submit} noValidate>
        <Field label="Name" error={form.fieldError("name")}>
          {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Colour" error={form.fieldError("color")}>
          {(props) => (
            <input {...props} type="color" value={color} onChange={(e) => setColor(e.target.value)} />
          )}
        </Field>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={form.busy}>
            Create tag
          </button>
          <FormStatus problem={form.formLevel} saved={form.saved} />
        </div>
      </form>
    </SettingsCard>
  );
}

function TagRow({ tag }: { tag: Tag }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(tag.name);
  const [color, setColor] = useState(tag.color);
  const form = useSubmit(["name", "color"]);
  const refresh = () => queryClient.invalidateQueries({ queryKey: tagsQuery.queryKey });

  async function submit(event: FormEvent) {
    event.preventDefault();
    await form.run(async () => {
      await api(`/tags/${tag.id}`, { method: "PATCH", body: { name: name.trim(), color } });
      await refresh();
    });
  }

  function remove() {
    if (!window.confirm(`Delete the tag "${tag.name}"? It is taken off every conversation.`)) return;
    void form.run(async () => {
      await api(`/tags/${tag.id}`, { method: "DELETE" });
      await refresh();
    });
  }

  return (
    <li className="settings-row">
      <form className="settings-row-form" onSubmit={submit} noValidate aria-label={`Tag ${tag.name}`}>
        <input
          type="color"
          aria-label={`Colour of ${tag.name}`}
          value={color}
          onChange={(e) => setColor(e.target.value)}
        />
        <input
          aria-label={`Name of ${tag.name}`}
          aria-invalid={Boolean(form.fieldError("name"))}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <button
          type="submit"
          className="button"
          disabled={form.busy || (name === tag.name && color === tag.color)}
        >
          Save
        </button>
        <button type="button" className="button" onClick={remove}>
          Delete
        </button>
        <FormStatus problem={form.error?.problem.title} saved={form.saved} />
      </form>
    </li>
  );
}
