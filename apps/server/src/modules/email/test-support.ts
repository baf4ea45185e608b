import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import nodemailer from "nodemailer";
import {
  apiClient,
  createTestWorkspace,
  startTestServer,
  type TestServer,
  type TestWorkspace,
} from "../../test/harness.ts";
import { createInbox } from "../inboxes/service.ts";

/** A free TCP port on the loopback interface (for the SMTP listener and dovecot). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface MailServer extends TestServer {
  smtpPort: number;
}

/** A test server with its SMTP listener on a free port and forwarding addresses at mail.test. */
export async function startMailServer(
  kind: "pglite" | "postgres",
  env: Record<string, string> = {},
): Promise<MailServer> {
  for (let attempt = 0; ; attempt++) {
    const smtpPort = await freePort();
    try {
      const server = await startTestServer(kind, {
        SMTP_PORT: String(smtpPort),
        SMTP_DOMAIN: "mail.test",
        ...env,
      });
      return Object.assign(server, { smtpPort });
    } catch (error) {
      // Another test may have taken the port between our probe and the listen.
      if (attempt >= 3 || !/SMTP_PORT/.test(String(error))) throw error;
    }
  }
}

export interface MailWorkspace extends TestWorkspace {
  inboxId: string;
  address: string;
  as: Record<"owner" | "admin" | "agent" | "viewer", ReturnType<typeof apiClient>>;
}

/** A workspace with one email inbox at a unique address, and an API client per role. */
export async function mailWorkspace(server: TestServer, name = "Acme"): Promise<MailWorkspace> {
  const workspace = await createTestWorkspace(server, name);
  const address = `support-${randomUUID().slice(0, 8)}@${name.toLowerCase()}.example`;
  const inbox = await createInbox(server.ctx.db, workspace.workspaceId, {
    name: "Support",
    channel: "email",
    address,
  });
  const client = (token: string) => apiClient(server.url, token);
  return {
    ...workspace,
    inboxId: inbox.id,
    address,
    as: {
      owner: client(workspace.tokens.owner),
      admin: client(workspace.tokens.admin),
      agent: client(workspace.tokens.agent),
      viewer: client(workspace.tokens.viewer),
    },
  };
}

/** Sends raw bytes over SMTP with nodemailer as the client; resolves with the server's reply line. */
export async function sendRaw(
  port: number,
  envelope: { from: string; to: string[] },
  raw: string | Buffer,
): Promise<{ ok: true; response: string } | { ok: false; code: number | undefined; response: string }> {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port,
    secure: false,
    ignoreTLS: true,
    connectionTimeout: 10_000,
    socketTimeout: 30_000,
  });
  try {
    const info = await transport.sendMail({ envelope, raw });
    return { ok: true, response: info.response };
  } catch (error) {
    const e = error as { responseCode?: number; response?: string; message: string };
    return { ok: false, code: e.responseCode, response: e.response ?? e.message };
  } finally {
    transport.close();
  }
}

/** A plain RFC 5322 message; headers given override the defaults. */
export function rawMessage(options: {
  from?: string;
  to: string;
  subject?: string;
  messageId?: string | null;
  text?: string;
  headers?: Record<string, string>;
}): string {
  const headers: Record<string, string> = {
    From: options.from ?? "Ada Customer <ada@customer.example>",
    To: options.to,
    Subject: options.subject ?? "Export is broken",
    Date: new Date("2026-11-27T10:00:00Z").toUTCString(),
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=utf-8",
    ...options.headers,
  };
  if (options.messageId !== null)
    headers["Message-ID"] = options.messageId ?? `<${randomUUID()}@customer.example>`;
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join("\r\n");
  return `${head}\r\n\r\n${(options.text ?? "The export button does nothing.").replace(/\r?\n/g, "\r\n")}\r\n`;
}

/** Waits until `check` returns a value, polling; for effects of background jobs. */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until every stored message of the server has been processed, then lists the inbox's conversations. */
export async function settled(server: TestServer, workspace: MailWorkspace) {
  await eventually(async () => {
    const pending = await server.ctx.db
      .selectFrom("inbound_emails")
      .select("id")
      .where("workspace_id", "=", workspace.workspaceId)
      .where("state", "=", "received")
      .executeTakeFirst();
    return pending === undefined;
  });
  const list = await workspace.as.agent.get(`/api/v1/conversations?inbox_id=${workspace.inboxId}&limit=100`);
  // biome-ignore lint/suspicious/noExplicitAny: tests read API bodies loosely
  return list.body.data as Array<Record<string, any>>;
}

export async function messagesOf(workspace: MailWorkspace, conversationId: string) {
  const response = await workspace.as.agent.get(`/api/v1/conversations/${conversationId}/messages?limit=100`);
  // biome-ignore lint/suspicious/noExplicitAny: tests read API bodies loosely
  return response.body.data as Array<Record<string, any>>;
}
