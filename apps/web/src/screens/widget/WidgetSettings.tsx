import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { api } from "../../api/client.ts";
import { Field } from "../../components/Field.tsx";
import { FormStatus } from "../settings/FormStatus.tsx";
import { useSubmit } from "../settings/forms.ts";
import { SettingsCard, SettingsPage } from "../settings/SettingsPage.tsx";

/*
 * The chat widget of each chat inbox: how it looks and talks, where it may be embedded, whether
 * visitors must be verified users, and the snippet to paste into the customer's site.
 */

interface InboxRow {
  id: string;
  name: string;
  channel: string;
}

interface Widget {
  inbox_id: string;
  public_key: string;
  color: string;
  greeting: string;
  reply_time: "minutes" | "hours" | "day";
  allowed_origins: string[];
  require_verified: boolean;
  offline_behaviour: "ask_email" | "hide";
  respect_business_hours: boolean;
  languages: string[];
  identity_secret_set: boolean;
  snippet: string;
}

const LANGUAGES: [string, string][] = [
  ["en", "English"],
  ["bn", "Bengali — বাংলা"],
  ["mr", "Marathi — मराठी"],
  ["ta", "Tamil — தமிழ்"],
  ["ha", "Hausa"],
  ["yo", "Yoruba — Yorùbá"],
];

const inboxesQuery = {
  queryKey: ["inboxes"],
  queryFn: () => api<{ data: InboxRow[] }>("/inboxes").then((r) => r.data),
};

export function WidgetSettings() {
  const queryClient = useQueryClient();
  const { data: inboxes = [], isLoading } = useQuery(inboxesQuery);
  const chats = inboxes.filter((inbox) => inbox.channel === "chat");
  const [selected, setSelected] = useState<string | null>(null);
  const inboxId = selected ?? chats[0]?.id ?? null;
  const create = useSubmit(["name"]);

  async function createChatInbox() {
    await create.run(async () => {
      const inbox = await api<InboxRow>("/inboxes", {
        method: "POST",
        body: { name: "Website chat", channel: "chat" },
      });
      await queryClient.invalidateQueries({ queryKey: inboxesQuery.queryKey });
      setSelected(inbox.id);
    });
  }

  return (
    <SettingsPage
      title="Chat widget"
      description="A chat on your own site: paste one script tag, and visitors reach a person on your team."
    >
      {isLoading ? null : chats.length === 0 ? (
        <SettingsCard title="No chat inbox yet">
          <p className="hint">Chats arrive in a chat inbox. Create one to get its widget.</p>
          <div className="form-actions">
            <button
              type="button"
              className="button button-primary"
              onClick={createChatInbox}
              disabled={create.busy}
            >
              Create a chat inbox
            </button>
            <FormStatus problem={create.formLevel} saved={false} />
          </div>
        </SettingsCard>
      ) : (
        <>
          {chats.length > 1 && (
            <Field label="Chat inbox">
              {(props) => (
                <select {...props} value={inboxId ?? ""} onChange={(e) => setSelected(e.target.value)}>
                  {chats.map((inbox) => (
                    <option key={inbox.id} value={inbox.id}>
                      {inbox.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
          {inboxId && <WidgetEditor key={inboxId} inboxId={inboxId} />}
        </>
      )}
    </SettingsPage>
  );
}

function WidgetEditor({ inboxId }: { inboxId: string }) {
  const queryKey = ["widget", inboxId];
  const queryClient = useQueryClient();
  const { data: widget } = useQuery({ queryKey, queryFn: () => api<Widget>(`/inboxes/${inboxId}/widget`) });
  if (!widget) return null;
  return (
    <>
      <EmbedSnippet widget={widget} />
      <LookAndRules widget={widget} onSaved={(w) => queryClient.setQueryData(queryKey, w)} />
      <IdentitySecret widget={widget} onRotated={() => queryClient.invalidateQueries({ queryKey })} />
    </>
  );
}

function EmbedSnippet({ widget }: { widget: Widget }) {
  const [copied, setCopied] = useState(false);
  return (
    <SettingsCard title="Embed snippet">
      <p className="hint">Paste this before &lt;/body&gt; on every page that should offer the chat.</p>
      <textarea
        aria-label="Embed snippet"
        readOnly
        rows={3}
        cols={90}
        value={widget.snippet}
        onFocus={(e) => e.target.select()}
      />
      <div className="form-actions">
        <button
          type="button"
          className="button"
          onClick={async () => {
            await navigator.clipboard?.writeText(widget.snippet).catch(() => {});
            setCopied(true);
          }}
        >
          Copy snippet
        </button>{" "}
        <output aria-live="polite">{copied ? "Copied" : ""}</output>
      </div>
      <p className="hint">
        For people who prefer a phone call, link to the{" "}
        <a href={`/callback/${widget.public_key}`}>callback request page</a> (it needs a callback inbox).
      </p>
    </SettingsCard>
  );
}

const FIELDS = [
  "color",
  "greeting",
  "reply_time",
  "allowed_origins",
  "languages",
  "require_verified",
  "offline_behaviour",
  "respect_business_hours",
] as const;

function LookAndRules({ widget, onSaved }: { widget: Widget; onSaved: (widget: Widget) => void }) {
  const [color, setColor] = useState(widget.color);
  const [greeting, setGreeting] = useState(widget.greeting);
  const [replyTime, setReplyTime] = useState(widget.reply_time);
  const [origins, setOrigins] = useState(widget.allowed_origins.join("\n"));
  const [languages, setLanguages] = useState(widget.languages);
  const [requireVerified, setRequireVerified] = useState(widget.require_verified);
  const [offline, setOffline] = useState(widget.offline_behaviour);
  const [hours, setHours] = useState(widget.respect_business_hours);
  const form = useSubmit(FIELDS);
  useEffect(() => setOrigins(widget.allowed_origins.join("\n")), [widget.allowed_origins]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    await form.run(async () => {
      const saved = await api<Widget>(`/inboxes/${widget.inbox_id}/widget`, {
        method: "PUT",
        body: {
          color,
          greeting,
          reply_time: replyTime,
          allowed_origins: origins
            .split(/\s+/)
            .map((o) => o.trim())
            .filter(Boolean),
          languages,
          require_verified: requireVerified,
          offline_behaviour: offline,
          respect_business_hours: hours,
        },
      });
      onSaved(saved);
    });
  }

  const originError = form.error?.problem.field?.startsWith("allowed_origins")
    ? form.error.problem.title
    : undefined;

  return (
    <SettingsCard title="Look and rules">
      <form className="settings-form" onSubmit={submit} noValidate>
        <Field label="Colour" error={form.fieldError("color")}>
          {(props) => (
            <input {...props} type="color" value={color} onChange={(e) => setColor(e.target.value)} />
          )}
        </Field>
        <Field label="Greeting" error={form.fieldError("greeting")}>
          {(props) => (
            <textarea
              {...props}
              rows={2}
              maxLength={500}
              value={greeting}
              placeholder="Hi! How can we help?"
              onChange={(e) => setGreeting(e.target.value)}
            />
          )}
        </Field>
        <Field label="Expected reply time" error={form.fieldError("reply_time")}>
          {(props) => (
            <select
              {...props}
              value={replyTime}
              onChange={(e) => setReplyTime(e.target.value as Widget["reply_time"])}
            >
              <option value="minutes">In a few minutes</option>
              <option value="hours">Within a few hours</option>
              <option value="day">Within a day</option>
            </select>
          )}
        </Field>
        <Field label="Allowed sites (one origin per line; empty allows any site)" error={originError}>
          {(props) => (
            <textarea
              {...props}
              rows={3}
              value={origins}
              placeholder="https://www.example.com"
              onChange={(e) => setOrigins(e.target.value)}
            />
          )}
        </Field>
        <fieldset className="settings-fieldset">
          <legend>Languages the widget speaks (chosen by the visitor's browser)</legend>
          {LANGUAGES.map(([code, label]) => (
            <label key={code} className="check">
              <input
                type="checkbox"
                checked={languages.includes(code)}
                onChange={(e) =>
                  setLanguages(e.target.checked ? [...languages, code] : languages.filter((l) => l !== code))
                }
              />{" "}
              {label}
            </label>
          ))}
          {form.fieldError("languages") && <p className="field-error">{form.fieldError("languages")}</p>}
        </fieldset>
        <label className="check">
          <input type="checkbox" checked={hours} onChange={(e) => setHours(e.target.checked)} /> Follow the
          workspace's opening hours (outside them the widget says when you are back)
        </label>
        <Field label="When nobody is online" error={form.fieldError("offline_behaviour")}>
          {(props) => (
            <select
              {...props}
              value={offline}
              onChange={(e) => setOffline(e.target.value as Widget["offline_behaviour"])}
            >
              <option value="ask_email">Ask for an email address and reply by email</option>
              <option value="hide">Only say when the team is back</option>
            </select>
          )}
        </Field>
        <label className="check">
          <input
            type="checkbox"
            checked={requireVerified}
            onChange={(e) => setRequireVerified(e.target.checked)}
          />{" "}
          Only verified users may chat (no anonymous chats)
        </label>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={form.busy}>
            Save widget
          </button>
          <FormStatus problem={form.formLevel} saved={form.saved} />
        </div>
      </form>
    </SettingsCard>
  );
}

function IdentitySecret({ widget, onRotated }: { widget: Widget; onRotated: () => void }) {
  const [secret, setSecret] = useState<string | null>(null);
  const form = useSubmit([]);
  async function rotate() {
    await form.run(async () => {
      const result = await api<{ identity_secret: string }>(
        `/inboxes/${widget.inbox_id}/widget/identity-secret`,
        {
          method: "POST",
        },
      );
      setSecret(result.identity_secret);
      onRotated();
    });
  }
  return (
    <SettingsCard title="Identity verification">
      <p className="hint">
        Your server signs each signed-in user's id with this secret (HMAC-SHA256, hex) and passes it to{" "}
        <code>Keepwell("identify", {"{ user_id, email, name, user_hash }"})</code>. Only a correct signature
        links the chat to that customer; anything else stays an anonymous visitor.
      </p>
      {secret ? (
        <>
          <p>Copy it now: it is shown only once.</p>
          <textarea aria-label="Identity secret" readOnly rows={2} cols={70} value={secret} />
        </>
      ) : (
        <p className="hint">{widget.identity_secret_set ? "A secret is set." : "No secret yet."}</p>
      )}
      <div className="form-actions">
        <button type="button" className="button" onClick={rotate} disabled={form.busy}>
          {widget.identity_secret_set ? "Replace the secret" : "Create a secret"}
        </button>
        <FormStatus problem={form.formLevel} saved={false} />
      </div>
    </SettingsCard>
  );
}
