import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { ApiError, api } from "../../api/client.ts";
import { Field } from "../../components/Field.tsx";
import { FormStatus } from "./FormStatus.tsx";
import { useSubmit } from "./forms.ts";

interface Routing {
  address: string | null;
  forwarding_address: string;
  smtp: { enabled: boolean; port: number | null; domain: string };
}

interface Smtp {
  mode: "smtp" | "outbox";
  host: string | null;
  port: number | null;
  security: "tls" | "starttls" | "none" | null;
  username: string | null;
  password_set: boolean;
  from_name: string | null;
}

interface ImapStatus {
  configured: boolean;
  enabled: boolean;
  messages_on_server: number | null;
  imported: number;
  last_poll_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  polling_now: boolean;
}

interface Imap {
  host: string;
  port: number;
  tls: boolean;
  username: string;
  password_set: boolean;
  folder: string;
  enabled: boolean;
}

/** A whole number goes as a number; anything else as typed, so the server names the field. */
const asPort = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text) : text);

/** How an email inbox receives (forwarding, the SMTP listener, IMAP polling) and sends (its SMTP server). */
export function EmailSettingsForm({ inboxId }: { inboxId: string }) {
  const { data: routing } = useQuery({
    queryKey: ["inbox-routing", inboxId],
    queryFn: () => api<Routing>(`/inboxes/${inboxId}/inbound`),
  });
  return (
    <details className="email-settings">
      <summary>Email settings: receiving and sending</summary>
      {routing && (
        <p className="hint">
          Forward this inbox's mail to <code>{routing.forwarding_address}</code>
          {routing.smtp.enabled
            ? `, or point the domain's MX at this server (SMTP on port ${routing.smtp.port}).`
            : "."}
        </p>
      )}
      <SmtpForm inboxId={inboxId} />
      <ImapForm inboxId={inboxId} />
    </details>
  );
}

function SmtpForm({ inboxId }: { inboxId: string }) {
  const queryClient = useQueryClient();
  const key = ["inbox-smtp", inboxId];
  const { data } = useQuery({ queryKey: key, queryFn: () => api<Smtp>(`/inboxes/${inboxId}/smtp`) });
  const [host, setHost] = useState("");
  const [port, setPort] = useState("587");
  const [security, setSecurity] = useState<"tls" | "starttls" | "none">("starttls");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [fromName, setFromName] = useState("");
  const [testTo, setTestTo] = useState("");
  const [testResult, setTestResult] = useState<string>();
  const form = useSubmit(["host", "port", "security", "username", "password", "from_name"]);
  const test = useSubmit(["to"]);
  useEffect(() => {
    if (!data) return;
    setHost(data.host ?? "");
    setPort(String(data.port ?? 587));
    setSecurity(data.security ?? "starttls");
    setUsername(data.username ?? "");
    setFromName(data.from_name ?? "");
  }, [data]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    await form.run(async () => {
      const body: Record<string, unknown> = {
        host: host.trim(),
        port: asPort(port),
        security,
        username: username.trim() || null,
        from_name: fromName.trim() || null,
      };
      if (password) body.password = password;
      queryClient.setQueryData(key, await api<Smtp>(`/inboxes/${inboxId}/smtp`, { method: "PUT", body }));
      setPassword("");
    });
  }

  async function sendTest() {
    setTestResult(undefined);
    await test.run(async () => {
      const result = await api<{ sent: boolean; response: string | null; error: string | null }>(
        `/inboxes/${inboxId}/smtp/test`,
        { method: "POST", body: { to: testTo.trim() } },
      );
      setTestResult(
        result.sent ? `Sent: ${result.response ?? "ok"}` : `Not sent: ${result.error ?? "unknown error"}`,
      );
    });
  }

  return (
    <form className="settings-form" onSubmit={submit} noValidate aria-label="Outgoing mail server">
      <h3>Sending</h3>
      <p className="hint">
        {data?.mode === "smtp"
          ? "Replies go out through this server."
          : "No server yet: replies are written to the outbox folder of the data directory."}
      </p>
      <div className="settings-inline-form">
        <Field label="SMTP host" error={form.fieldError("host")}>
          {(props) => <input {...props} value={host} onChange={(e) => setHost(e.target.value)} />}
        </Field>
        <Field label="Port" error={form.fieldError("port")}>
          {(props) => (
            <input {...props} inputMode="numeric" value={port} onChange={(e) => setPort(e.target.value)} />
          )}
        </Field>
        <Field label="Security" error={form.fieldError("security")}>
          {(props) => (
            <select
              {...props}
              value={security}
              onChange={(e) => setSecurity(e.target.value as typeof security)}
            >
              <option value="starttls">STARTTLS</option>
              <option value="tls">TLS</option>
              <option value="none">None</option>
            </select>
          )}
        </Field>
      </div>
      <div className="settings-inline-form">
        <Field label="Username" error={form.fieldError("username")}>
          {(props) => <input {...props} value={username} onChange={(e) => setUsername(e.target.value)} />}
        </Field>
        <Field
          label={data?.password_set ? "Password (stored; type to replace)" : "Password"}
          error={form.fieldError("password")}
        >
          {(props) => (
            <input
              {...props}
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <Field label="From name" error={form.fieldError("from_name")}>
          {(props) => <input {...props} value={fromName} onChange={(e) => setFromName(e.target.value)} />}
        </Field>
      </div>
      <div className="form-actions">
        <button type="submit" className="button" disabled={form.busy}>
          Save sending
        </button>
        <FormStatus problem={form.formLevel} saved={form.saved} />
      </div>
      <div className="settings-inline-form">
        <Field label="Send a test to" error={test.fieldError("to")}>
          {(props) => (
            <input {...props} type="email" value={testTo} onChange={(e) => setTestTo(e.target.value)} />
          )}
        </Field>
        <div className="form-actions">
          <button type="button" className="button" disabled={test.busy} onClick={() => void sendTest()}>
            Send test
          </button>
          <FormStatus problem={test.formLevel} saved={false} />
        </div>
      </div>
      {testResult && <p role="status">{testResult}</p>}
    </form>
  );
}

function ImapForm({ inboxId }: { inboxId: string }) {
  const queryClient = useQueryClient();
  const key = ["inbox-imap", inboxId];
  const { data, isPending } = useQuery({
    queryKey: key,
    queryFn: async () => {
      try {
        return await api<Imap>(`/inboxes/${inboxId}/imap`);
      } catch (error) {
        // Not configured yet.
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
  });
  const [host, setHost] = useState("");
  const [port, setPort] = useState("993");
  const [tls, setTls] = useState(true);
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [folder, setFolder] = useState("INBOX");
  const [enabled, setEnabled] = useState(true);
  const form = useSubmit(["host", "port", "tls", "username", "password", "folder"]);
  useEffect(() => {
    if (!data) return;
    setHost(data.host);
    setPort(String(data.port));
    setTls(data.tls);
    setUsername(data.username);
    setFolder(data.folder);
    setEnabled(data.enabled);
  }, [data]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    await form.run(async () => {
      const body: Record<string, unknown> = {
        host: host.trim(),
        port: asPort(port),
        tls,
        username: username.trim(),
        folder: folder.trim() || "INBOX",
        enabled,
      };
      if (password) body.password = password;
      queryClient.setQueryData(key, await api<Imap>(`/inboxes/${inboxId}/imap`, { method: "PUT", body }));
      setPassword("");
    });
  }

  if (isPending) return null;
  return (
    <form className="settings-form" onSubmit={submit} noValidate aria-label="IMAP polling">
      <h3>Receiving by IMAP (optional)</h3>
      <p className="hint">Poll an existing mailbox instead of forwarding mail to Keepwell.</p>
      {data && <ImapStatusPanel inboxId={inboxId} />}
      <div className="settings-inline-form">
        <Field label="IMAP host" error={form.fieldError("host")}>
          {(props) => <input {...props} value={host} onChange={(e) => setHost(e.target.value)} />}
        </Field>
        <Field label="IMAP port" error={form.fieldError("port")}>
          {(props) => (
            <input {...props} inputMode="numeric" value={port} onChange={(e) => setPort(e.target.value)} />
          )}
        </Field>
        <Field label="Folder" error={form.fieldError("folder")}>
          {(props) => <input {...props} value={folder} onChange={(e) => setFolder(e.target.value)} />}
        </Field>
      </div>
      <div className="settings-inline-form">
        <Field label="IMAP username" error={form.fieldError("username")}>
          {(props) => <input {...props} value={username} onChange={(e) => setUsername(e.target.value)} />}
        </Field>
        <Field
          label={data?.password_set ? "IMAP password (stored; type to replace)" : "IMAP password"}
          error={form.fieldError("password")}
        >
          {(props) => (
            <input
              {...props}
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
      </div>
      <label className="check">
        <input type="checkbox" checked={tls} onChange={(e) => setTls(e.target.checked)} />
        TLS from the start (port 993)
      </label>
      <label className="check">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        Poll this mailbox
      </label>
      <div className="form-actions">
        <button type="submit" className="button" disabled={form.busy}>
          Save IMAP
        </button>
        <FormStatus problem={form.formLevel} saved={form.saved} />
      </div>
    </form>
  );
}

const when = (at: string | null) => (at ? new Date(at).toLocaleString() : "never");

/** What polling has done: never a silent stop, so the last error stays on screen until a poll succeeds. */
function ImapStatusPanel({ inboxId }: { inboxId: string }) {
  const queryClient = useQueryClient();
  const key = ["inbox-imap-status", inboxId];
  // Right after "Poll now" the outcome comes within seconds: look often until it is in.
  const [requestedAt, setRequestedAt] = useState(0);
  const { data: status } = useQuery({
    queryKey: key,
    queryFn: () => api<ImapStatus>(`/inboxes/${inboxId}/imap-status`),
    refetchInterval: (query) =>
      query.state.data?.polling_now || Date.now() - requestedAt < 30_000 ? 1500 : 30_000,
  });
  const [problem, setProblem] = useState<string | null>(null);
  if (!status?.configured) return null;
  const failing =
    status.last_error_at !== null &&
    (status.last_success_at === null || status.last_error_at > status.last_success_at);

  async function pollNow() {
    setProblem(null);
    try {
      await api(`/inboxes/${inboxId}/imap/poll`, { method: "POST" });
      setRequestedAt(Date.now());
      await queryClient.invalidateQueries({ queryKey: key });
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem.title : String(error));
    }
  }

  return (
    <div className="imap-status" role="status" aria-label="IMAP status">
      <p>
        {status.messages_on_server === null ? (
          "Not read from the server yet, "
        ) : (
          <>
            <strong>{status.messages_on_server}</strong> messages on the server,{" "}
          </>
        )}
        <strong>{status.imported}</strong> imported. Last poll {when(status.last_poll_at)}
        {status.polling_now ? " (polling now…)" : ""}.{!status.enabled && " Polling is switched off."}
      </p>
      {status.last_error && (
        <p className={failing ? "form-error" : "hint"}>
          {failing ? "Polling fails: " : "Last error: "}
          {status.last_error} ({when(status.last_error_at)})
        </p>
      )}
      {problem && <p className="form-error">{problem}</p>}
      <button type="button" className="button" onClick={() => void pollNow()} disabled={status.polling_now}>
        Poll now
      </button>
    </div>
  );
}
