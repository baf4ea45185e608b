import { randomUUID } from "node:crypto";
import { apiClient, createTestWorkspace, type TestServer, type TestWorkspace } from "../../test/harness.ts";
import { createInbox } from "../inboxes/service.ts";

export interface ConversationFixture extends TestWorkspace {
  inboxes: { email: string; api: string };
  /** API clients by role. */
  as: Record<"owner" | "admin" | "agent" | "viewer", ReturnType<typeof apiClient>>;
}

/** A test workspace with an email inbox and an API inbox, and a client for each role. */
export async function conversationWorkspace(server: TestServer, name: string): Promise<ConversationFixture> {
  const workspace = await createTestWorkspace(server, name);
  const email = await createInbox(server.ctx.db, workspace.workspaceId, {
    name: "Support",
    channel: "email",
    address: `support-${randomUUID().slice(0, 8)}@${name.toLowerCase()}.test`,
  });
  const api = await createInbox(server.ctx.db, workspace.workspaceId, { name: "API", channel: "api" });
  const client = (token: string) => apiClient(server.url, token);
  return {
    ...workspace,
    inboxes: { email: email.id, api: api.id },
    as: {
      owner: client(workspace.tokens.owner),
      admin: client(workspace.tokens.admin),
      agent: client(workspace.tokens.agent),
      viewer: client(workspace.tokens.viewer),
    },
  };
}

/** Opens a conversation through the API with a customer's first message. */
export async function openConversation(
  fixture: ConversationFixture,
  options: { inbox?: "email" | "api"; email?: string; text?: string; kind?: "incoming" | "outgoing" } = {},
) {
  const response = await fixture.as.agent.post("/api/v1/conversations", {
    inbox_id: fixture.inboxes[options.inbox ?? "api"],
    subject: "Cannot export invoices",
    contact: {
      email: options.email ?? `customer-${randomUUID().slice(0, 8)}@example.com`,
      name: "Ada Customer",
    },
    message: {
      kind: options.kind ?? "incoming",
      body_text: options.text ?? "The export button does nothing.",
    },
  });
  if (response.status !== 201)
    throw new Error(`could not open a conversation: ${JSON.stringify(response.body)}`);
  return response.body as { id: string; number: number; contact_id: string; [key: string]: unknown };
}

/** Waits until `check` returns a value, polling; for effects of background jobs. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Uploads a file as multipart/form-data, the way a browser would. */
export async function uploadFile(
  server: TestServer,
  token: string,
  file: { name: string; content: string | Uint8Array<ArrayBuffer>; type?: string },
) {
  const form = new FormData();
  form.append("file", new Blob([file.content], { type: file.type ?? "text/plain" }), file.name);
  const response = await fetch(`${server.url}/api/v1/attachments`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}
