import { randomUUID } from "node:crypto";
import {
  apiClient,
  createTestWorkspace,
  type TestServer,
  type TestWorkspace,
} from "../../../test/harness.ts";

/** A workspace with an email inbox created through the API, and a client per role. */
export interface MailWorkspace extends TestWorkspace {
  inboxId: string;
  address: string;
  as: Record<"owner" | "admin" | "agent" | "viewer", ReturnType<typeof apiClient>>;
}

export async function mailWorkspace(
  server: TestServer,
  name: string,
  settings: { signature?: string; auto_ack_enabled?: boolean } = {},
): Promise<MailWorkspace> {
  const workspace = await createTestWorkspace(server, name);
  const client = (token: string) => apiClient(server.url, token);
  const as = {
    owner: client(workspace.tokens.owner),
    admin: client(workspace.tokens.admin),
    agent: client(workspace.tokens.agent),
    viewer: client(workspace.tokens.viewer),
  };
  const address = `support-${randomUUID().slice(0, 8)}@${name.toLowerCase()}.test`;
  const inbox = await as.owner.post("/api/v1/inboxes", {
    name: `${name} Support`,
    channel: "email",
    address,
    settings,
  });
  if (inbox.status !== 201) throw new Error(`could not create the inbox: ${JSON.stringify(inbox.body)}`);
  return { ...workspace, inboxId: inbox.body.id, address, as };
}

/** Opens a conversation in the inbox with a customer's first message, through the API. */
export async function customerWrites(
  workspace: MailWorkspace,
  options: { email: string; subject?: string; text?: string; html?: string },
): Promise<{ conversationId: string; messageId: string }> {
  const response = await workspace.as.agent.post("/api/v1/conversations", {
    inbox_id: workspace.inboxId,
    subject: options.subject ?? "The printer is on fire",
    contact: { email: options.email, name: "Casey Customer" },
    message: {
      kind: "incoming",
      body_text: options.text ?? "Help, it is on fire.",
      ...(options.html ? { body_html: options.html } : {}),
    },
  });
  if (response.status !== 201)
    throw new Error(`could not open a conversation: ${JSON.stringify(response.body)}`);
  const messages = await workspace.as.agent.get(`/api/v1/conversations/${response.body.id}/messages`);
  return { conversationId: response.body.id, messageId: messages.body.data[0].id };
}

/** Waits until `check` returns a value: for what background jobs do. Bounded, never a timing assertion. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error("timed out waiting for a background job");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The message as GET /conversations/{id}/messages shows it, once it reached a final delivery state. */
export async function deliveredMessage(workspace: MailWorkspace, conversationId: string, messageId: string) {
  return eventually(async () => {
    const page = await workspace.as.viewer.get(`/api/v1/conversations/${conversationId}/messages?limit=100`);
    const message = page.body.data.find((m: { id: string }) => m.id === messageId);
    return message && message.delivery_state !== "queued" ? message : undefined;
  });
}

/** Uploads a file as multipart/form-data, the way the agent app does. */
export async function upload(server: TestServer, token: string, name: string, content: string, type: string) {
  const form = new FormData();
  form.append("file", new Blob([content], { type }), name);
  const response = await fetch(`${server.url}/api/v1/attachments`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  if (response.status !== 201) throw new Error(`upload failed: ${await response.text()}`);
  return (await response.json()) as { id: string };
}
