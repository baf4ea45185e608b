import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client.ts";
import { Field } from "../../components/Field.tsx";
import { FormStatus } from "../settings/FormStatus.tsx";
import { useSubmit } from "../settings/forms.ts";
import { SettingsCard, SettingsPage } from "../settings/SettingsPage.tsx";
import { type Collection, collectionsQuery } from "./api.ts";

/** Collections (and their sections) that organise the help center's home page. */
export function CollectionsPanel() {
  const { data } = useQuery(collectionsQuery);
  const collections = data?.data ?? [];
  const top = collections.filter((c) => !c.parent_id);
  return (
    <SettingsPage
      title="Collections"
      description="Group articles by subject; a section sits inside a collection."
    >
      <NewCollection parents={top} />
      <SettingsCard title="All collections">
        {collections.length === 0 ? (
          <p className="hint">No collections yet.</p>
        ) : (
          <ul className="settings-rows" aria-label="Collections">
            {top.flatMap((parent) => [
              <CollectionRow key={parent.id} collection={parent} />,
              ...collections
                .filter((c) => c.parent_id === parent.id)
                .map((child) => <CollectionRow key={child.id} collection={child} section />),
            ])}
          </ul>
        )}
      </SettingsCard>
    </SettingsPage>
  );
}

function NewCollection({ parents }: { parents: Collection[] }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [parent, setParent] = useState("");
  const form = useSubmit(["name", "parent_id", "slug"]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const ok = await form.run(async () => {
      await api("/help-center/collections", { method: "POST", body: { name, parent_id: parent || null } });
      await queryClient.invalidateQueries({ queryKey: collectionsQuery.queryKey });
    });
    if (ok) setName("");
  }

  return (
    <SettingsCard title="New collection">
      <form className="settings-form settings-inline-form" onSubmit={submit} noValidate>
        <Field label="Name" error={form.fieldError("name") ?? form.fieldError("slug")}>
          {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Inside" error={form.fieldError("parent_id")}>
          {(props) => (
            <select {...props} value={parent} onChange={(e) => setParent(e.target.value)}>
              <option value="">Nothing (a collection)</option>
              {parents.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name} (a section of it)
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={form.busy}>
            Create
          </button>
          <FormStatus problem={form.formLevel} saved={form.saved} />
        </div>
      </form>
    </SettingsCard>
  );
}

function CollectionRow({ collection, section = false }: { collection: Collection; section?: boolean }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(collection.name);
  const form = useSubmit(["name"]);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["help-center"] });

  async function submit(event: FormEvent) {
    event.preventDefault();
    await form.run(async () => {
      await api(`/help-center/collections/${collection.id}`, { method: "PATCH", body: { name } });
      await refresh();
    });
  }

  function remove() {
    if (!window.confirm(`Delete "${collection.name}"? Its articles stay, outside any collection.`)) return;
    void form.run(async () => {
      await api(`/help-center/collections/${collection.id}`, { method: "DELETE" });
      await refresh();
    });
  }

  return (
    <li className={section ? "settings-row help-section-row" : "settings-row"}>
      <form
        className="settings-row-form"
        onSubmit={submit}
        noValidate
        aria-label={`Collection ${collection.name}`}
      >
        <input
          aria-label={`Name of ${collection.name}`}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <button type="submit" className="button" disabled={form.busy || name === collection.name}>
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
