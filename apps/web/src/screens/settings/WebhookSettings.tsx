import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client.ts";
import { Field } from "../../components/Field.tsx";
import { FormStatus } from "./FormStatus.tsx";
import { useSubmit } from "./forms.ts";
import { SettingsCard, SettingsPage } from "./SettingsPage.tsx";

interface Webhook {
  id: string;
  url: string;
  events: string[];
  active: boolean;
}

const webhooksQuery = {
  queryKey: ["webhooks"],
  queryFn: async () => (await api<{ data: Webhook[] }>("/webhooks")).data,
};

const eventsOf = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((e) => e.trim())
    .filter(Boolean);

/** Outgoing webhooks: signed JSON POSTs for the workspace's events. */
export function WebhookSettings() {
  const queryClient = useQueryClient();
  const { data: webhooks = [] } = useQuery(webhooksQuery);
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState("*");
  const [secret, setSecret] = useState<string>();
  const form = useSubmit(["url", "events"]);
  const list = useSubmit([]);
  const refresh = () => queryClient.invalidateQueries({ queryKey: webhooksQuery.queryKey });

  async function create(event: FormEvent) {
    event.preventDefault();
    setSecret(undefined);
    await form.run(async () => {
      const created = await api<{ secret: string }>("/webhooks", {
        method: "POST",
        body: { url: url.trim(), events: eventsOf(events) },
      });
      setSecret(created.secret);
      setUrl("");
      await refresh();
    });
  }

  const toggle = (hook: Webhook) =>
    list.run(async () => {
      await api(`/webhooks/${hook.id}`, { method: "PATCH", body: { active: !hook.active } });
      await refresh();
    });
  const remove = (hook: Webhook) => {
    if (!window.confirm(`Delete the webhook to ${hook.url}?`)) return;
    void list.run(async () => {
      await api(`/webhooks/${hook.id}`, { method: "DELETE" });
      await refresh();
    });
  };

  return (
    <SettingsPage
      title="Webhooks"
      description="Keepwell POSTs each event as signed JSON to these addresses, retrying when they fail."
    >
      <SettingsCard title="New webhook">
        <form className="settings-form" onSubmit={create} noValidate>
          <Field label="URL" error={form.fieldError("url")}>
            {(props) => <input {...props} type="url" value={url} onChange={(e) => setUrl(e.target.value)} />}
          </Field>
          <Field label="Events (comma-separated, * for all)" error={form.fieldError("events")}>
            {(props) => <input {...props} value={events} onChange={(e) => setEvents(e.target.value)} />}
          </Field>
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={form.busy}>
              Add webhook
            </button>
            <FormStatus problem={form.formLevel} saved={false} />
          </div>
        </form>
        {secret && (
          <div className="secret" role="status">
            <p>The signing secret, shown only now:</p>
            <code>{secret}</code>
          </div>
        )}
      </SettingsCard>
      <SettingsCard title="Webhooks">
        {webhooks.length === 0 ? (
          <p className="hint">No webhooks yet.</p>
        ) : (
          <ul className="settings-rows" aria-label="Webhooks">
            {webhooks.map((hook) => (
              <li key={hook.id} className="settings-row">
                <span className="settings-row-main">
                  <strong>{hook.url}</strong>
                  <span className="hint">
                    {hook.events.join(", ")} · {hook.active ? "active" : "paused"}
                  </span>
                </span>
                <button type="button" className="button" onClick={() => void toggle(hook)}>
                  {hook.active ? "Pause" : "Resume"}
                </button>
                <button type="button" className="button" onClick={() => remove(hook)}>
                  Delete
                </button>
              </li>
            ))}
          </ul>
        )}
        <FormStatus problem={list.formLevel} saved={false} />
      </SettingsCard>
    </SettingsPage>
  );
}
