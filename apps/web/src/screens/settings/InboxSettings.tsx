import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client.ts";
import { inboxesQuery } from "../../api/directory.ts";
import type { Inbox } from "../../api/types.ts";
import { Field } from "../../components/Field.tsx";
import { FormStatus } from "./FormStatus.tsx";
import { useSubmit } from "./forms.ts";
import { SettingsCard, SettingsPage } from "./SettingsPage.tsx";
import { EmailSettingsForm } from "./EmailSettingsForm.tsx";
import { SurveySettingsForm } from "./SurveySettingsForm.tsx";

type Channel = Inbox["channel"];
const CHANNELS: { value: Channel; label: string }[] = [
  { value: "email", label: "Email" },
  { value: "chat", label: "Chat" },
  { value: "callback", label: "Callback requests" },
  { value: "api", label: "API" },
];

/** The workspace's inboxes: create, rename, email address and signature, delete. */
export function InboxSettings() {
  const { data: inboxes = [] } = useQuery(inboxesQuery);
  return (
    <SettingsPage
      title="Inboxes"
      description="Each inbox is one way in: an email address, a chat widget, a callback line or the API."
    >
      {inboxes.map((inbox) => (
        <InboxForm key={inbox.id} inbox={inbox} />
      ))}
      <NewInbox />
    </SettingsPage>
  );
}

function NewInbox() {
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [channel, setChannel] = useState<Channel>("email");
  const [address, setAddress] = useState("");
  const form = useSubmit(["name", "channel", "address"]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const ok = await form.run(async () => {
      const body: Record<string, unknown> = { name: name.trim(), channel };
      if (channel === "email") body.address = address.trim();
      await api("/inboxes", { method: "POST", body });
      await queryClient.invalidateQueries({ queryKey: inboxesQuery.queryKey });
    });
    if (ok) {
      setName("");
      setAddress("");
    }
  }

  return (
    <SettingsCard title="New inbox">
      <form className="settings-form" onSubmit={submit} noValidate>
        <Field label="Name" error={form.fieldError("name")}>
          {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Channel" error={form.fieldError("channel")}>
          {(props) => (
            <select {...props} value={channel} onChange={(e) => setChannel(e.target.value as Channel)}>
              {CHANNELS.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {channel === "email" && (
          <Field label="Email address" error={form.fieldError("address")}>
            {(props) => (
              <input {...props} type="email" value={address} onChange={(e) => setAddress(e.target.value)} />
            )}
          </Field>
        )}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={form.busy}>
            Create inbox
          </button>
          <FormStatus problem={form.formLevel} saved={form.saved} />
        </div>
      </form>
    </SettingsCard>
  );
}

function InboxForm({ inbox }: { inbox: Inbox }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(inbox.name);
  const [address, setAddress] = useState(inbox.address ?? "");
  const [signature, setSignature] = useState(inbox.settings.signature ?? "");
  const [autoAck, setAutoAck] = useState(inbox.settings.auto_ack_enabled ?? false);
  const form = useSubmit(["name", "address", "settings.signature"]);
  const isEmail = inbox.channel === "email";
  const refresh = () => queryClient.invalidateQueries({ queryKey: inboxesQuery.queryKey });

  async function submit(event: FormEvent) {
    event.preventDefault();
    await form.run(async () => {
      const body: Record<string, unknown> = { name: name.trim() };
      if (isEmail) {
        body.address = address.trim();
        body.settings = { signature, auto_ack_enabled: autoAck };
      }
      await api(`/inboxes/${inbox.id}`, { method: "PATCH", body });
      await refresh();
    });
  }

  function remove() {
    if (!window.confirm(`Delete the inbox "${inbox.name}"?`)) return;
    void form.run(async () => {
      await api(`/inboxes/${inbox.id}`, { method: "DELETE" });
      await refresh();
    });
  }

  return (
    <SettingsCard
      title={`${inbox.name} · ${CHANNELS.find((c) => c.value === inbox.channel)?.label ?? inbox.channel}`}
    >
      <form className="settings-form" onSubmit={submit} noValidate>
        <Field label="Name" error={form.fieldError("name")}>
          {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        {isEmail && (
          <>
            <Field label="Email address" error={form.fieldError("address")}>
              {(props) => (
                <input {...props} type="email" value={address} onChange={(e) => setAddress(e.target.value)} />
              )}
            </Field>
            <Field label="Signature" error={form.fieldError("settings.signature")}>
              {(props) => (
                <textarea
                  {...props}
                  rows={3}
                  value={signature}
                  onChange={(e) => setSignature(e.target.value)}
                />
              )}
            </Field>
            <label className="check">
              <input type="checkbox" checked={autoAck} onChange={(e) => setAutoAck(e.target.checked)} />
              Acknowledge new conversations automatically
            </label>
          </>
        )}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={form.busy}>
            Save
          </button>
          <button type="button" className="button" onClick={remove}>
            Delete inbox
          </button>
          <FormStatus problem={form.formLevel} saved={form.saved} />
        </div>
      </form>
      {isEmail && <EmailSettingsForm inboxId={inbox.id} />}
      <SurveySettingsForm inboxId={inbox.id} inboxName={inbox.name} />
    </SettingsCard>
  );
}
