import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkspaceEvent } from "../../events/types.ts";
import { databaseKinds, startTestServer, type TestServer } from "../../test/harness.ts";
import {
  type ConversationFixture,
  conversationWorkspace,
  eventually,
  openConversation,
} from "./test-support.ts";

describe.each(databaseKinds)("conversations on %s", (kind) => {
  let server: TestServer;
  let acme: ConversationFixture;
  let globex: ConversationFixture;
  const events: WorkspaceEvent[] = [];

  beforeAll(async () => {
    server = await startTestServer(kind);
    acme = await conversationWorkspace(server, "Acme");
    globex = await conversationWorkspace(server, "Globex");
    server.ctx.events.subscribe((event) => events.push(event));
  });
  afterAll(async () => {
    await server?.destroy();
  });

  const activityLines = async (id: string) =>
    (await acme.as.agent.get(`/api/v1/conversations/${id}/messages?limit=100`)).body.data
      .filter((m: { kind: string }) => m.kind === "activity")
      .map((m: { body_text: string }) => m.body_text);

  it("opens a conversation from a customer's message and numbers conversations per workspace", async () => {
    const first = await openConversation(acme, { text: "  The export   button\ndoes nothing.  " });
    const second = await openConversation(acme);
    expect(second.number).toBe(first.number + 1);
    expect(first).toMatchObject({
      status: "open",
      channel: "api",
      subject: "Cannot export invoices",
      message_count: 1,
      preview: "The export button does nothing.",
      assignee_id: null,
      tags: [],
    });
    expect(first.first_customer_message_at).toBe(first.waiting_since);
    expect(first.first_human_response_at).toBeNull();
    expect(first.first_message).toMatchObject({
      kind: "incoming",
      author_contact_id: first.contact_id,
      author_agent_id: null,
      sent_by_human: false,
      delivery_state: null,
    });
    const other = await openConversation(globex);
    expect(other.number).toBe(1);
    const created = await eventually(async () =>
      events.find((e) => e.type === "conversation.created" && e.data.id === first.id),
    );
    expect(created.workspace_id).toBe(acme.workspaceId);
  });

  it("finds the contact by email, or takes an existing contact by id", async () => {
    const a = await openConversation(acme, { email: "repeat@example.com" });
    const b = await openConversation(acme, { email: "REPEAT@example.com" });
    expect(b.contact_id).toBe(a.contact_id);
    const byId = await acme.as.agent.post("/api/v1/conversations", {
      inbox_id: acme.inboxes.api,
      contact: { id: a.contact_id },
      message: { kind: "incoming", body_text: "Me again" },
    });
    expect(byId.status).toBe(201);
    expect(byId.body.contact_id).toBe(a.contact_id);
  });

  it("starts an agent's outreach with a human reply queued for the email channel", async () => {
    const response = await acme.as.agent.post("/api/v1/conversations", {
      inbox_id: acme.inboxes.email,
      contact: { email: "prospect@example.com" },
      message: { kind: "outgoing", body_text: "Hi! Checking in on your trial." },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      channel: "email",
      first_customer_message_at: null,
      first_human_response_at: null,
      waiting_since: null,
    });
    expect(response.body.first_message).toMatchObject({
      kind: "outgoing",
      sent_by_human: true,
      delivery_state: "queued",
      author_agent_id: acme.agents.agent,
    });
  });

  it("refuses bad input on creation, naming the field at fault", async () => {
    const base = {
      inbox_id: acme.inboxes.api,
      contact: { email: "x@example.com" },
      message: { kind: "incoming", body_text: "hello" },
    };
    const cases: [unknown, string][] = [
      [{ ...base, workspace_id: globex.workspaceId }, "workspace_id"],
      [{ ...base, inbox_id: "not-a-uuid" }, "inbox_id"],
      [{ ...base, inbox_id: globex.inboxes.api }, "inbox_id"],
      [{ ...base, contact: {} }, "contact.email"],
      [{ ...base, contact: { email: "not an email" } }, "contact.email"],
      [{ ...base, message: { kind: "note", body_text: "x" } }, "message.kind"],
      [{ ...base, message: { kind: "incoming", body_text: "   " } }, "body_text"],
      [{ ...base, message: { kind: "incoming", body_text: 42 } }, "message.body_text"],
      [{ ...base, subject: ["array"] }, "subject"],
    ];
    for (const [body, field] of cases) {
      const response = await acme.as.agent.post("/api/v1/conversations", body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.field, JSON.stringify(response.body)).toBe(field);
    }
    const foreignContact = await openConversation(globex);
    const response = await acme.as.agent.post("/api/v1/conversations", {
      ...base,
      contact: { id: foreignContact.contact_id },
    });
    expect(response.status).toBe(400);
    expect(response.body.field).toBe("contact.id");
  });

  it("assigns, resolves and reopens, each change with an activity line, an audit entry and events", async () => {
    const conversation = await openConversation(acme);
    const path = `/api/v1/conversations/${conversation.id}`;
    const assigned = await acme.as.owner.patch(path, { assignee_id: acme.agents.admin, priority: "high" });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ assignee_id: acme.agents.admin, priority: "high" });

    const resolved = await acme.as.admin.patch(path, { status: "resolved" });
    expect(resolved.body.status).toBe("resolved");
    expect(resolved.body.resolved_at).not.toBeNull();

    const reopened = await acme.as.admin.patch(path, { status: "open", subject: "Invoice export fails" });
    expect(reopened.body).toMatchObject({
      status: "open",
      resolved_at: null,
      subject: "Invoice export fails",
    });

    const unassigned = await acme.as.admin.patch(path, { assignee_id: null });
    expect(unassigned.body.assignee_id).toBeNull();

    expect(await activityLines(conversation.id)).toEqual([
      "Acme Owner assigned this to Acme admin",
      "Acme Owner set the priority to high",
      "Resolved by Acme admin",
      "Reopened by Acme admin",
      "Acme admin changed the subject to “Invoice export fails”",
      "Acme admin unassigned this",
    ]);
    const audit = await acme.as.owner.get("/api/v1/audit-log?limit=100");
    const entries = audit.body.data.filter(
      (e: { action: string; target_id: string }) =>
        e.action === "conversation.updated" && e.target_id === conversation.id,
    );
    expect(entries).toHaveLength(4);
    await eventually(async () =>
      events.find((e) => e.type === "conversation.assigned" && e.data.id === conversation.id)
        ? true
        : undefined,
    );
    const updates = await eventually(async () => {
      const found = events.filter((e) => e.type === "conversation.updated" && e.data.id === conversation.id);
      return found.length >= 4 ? found : undefined;
    });
    expect(updates[1].data.changes).toEqual(["status"]);
  });

  it("writes nothing for a change that changes nothing", async () => {
    const conversation = await openConversation(acme);
    const path = `/api/v1/conversations/${conversation.id}`;
    await acme.as.agent.patch(path, {
      status: "open",
      priority: "normal",
      subject: "Cannot export invoices",
    });
    expect(await activityLines(conversation.id)).toEqual([]);
    const after = await acme.as.agent.get(path);
    expect(after.body.updated_at).toBe(conversation.updated_at);
  });

  it("assigns only members who may answer: not viewers, strangers or another workspace's agents", async () => {
    const conversation = await openConversation(acme);
    const path = `/api/v1/conversations/${conversation.id}`;
    for (const assignee of [
      acme.agents.viewer,
      globex.agents.agent,
      "00000000-0000-4000-8000-000000000000",
    ]) {
      const response = await acme.as.agent.patch(path, { assignee_id: assignee });
      expect(response.status).toBe(400);
      expect(response.body.field).toBe("assignee_id");
    }
    expect((await acme.as.agent.patch(path, { assignee_id: acme.agents.agent })).status).toBe(200);
  });

  it("snoozes only until a time in the future", async () => {
    const conversation = await openConversation(acme);
    const path = `/api/v1/conversations/${conversation.id}`;
    const past = new Date(Date.now() - 60_000).toISOString();
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const cases: unknown[] = [
      { status: "snoozed" },
      { status: "snoozed", snoozed_until: past },
      { status: "snoozed", snoozed_until: "tomorrow" },
      { status: "resolved", snoozed_until: future },
      { snoozed_until: future },
    ];
    for (const body of cases) {
      const response = await acme.as.agent.patch(path, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.field).toBe("snoozed_until");
    }
    const snoozed = await acme.as.agent.patch(path, { status: "snoozed", snoozed_until: future });
    expect(snoozed.body).toMatchObject({ status: "snoozed", snoozed_until: future });
    const resolved = await acme.as.agent.patch(path, { status: "resolved" });
    expect(resolved.body).toMatchObject({ status: "resolved", snoozed_until: null });
  });

  it("answers 404 for another workspace's conversation on every route, and 400 for a malformed id", async () => {
    const foreign = await openConversation(globex);
    const base = `/api/v1/conversations/${foreign.id}`;
    const attempts = [
      acme.as.owner.get(base),
      acme.as.owner.patch(base, { status: "resolved" }),
      acme.as.owner.get(`${base}/messages`),
      acme.as.owner.post(`${base}/messages`, { kind: "note", body_text: "peek" }),
      acme.as.owner.post(`${base}/tags`, { tag: "spy" }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toMatch(/problem\+json/);
    }
    const untouched = await globex.as.owner.get(base);
    expect(untouched.body).toMatchObject({ status: "open", message_count: 1, tags: [] });
    const malformed = await acme.as.owner.get("/api/v1/conversations/123");
    expect(malformed.status).toBe(400);
    expect(malformed.body.field).toBe("id");
  });

  it("lets a viewer read conversations but not change them", async () => {
    const conversation = await openConversation(acme);
    const path = `/api/v1/conversations/${conversation.id}`;
    expect((await acme.as.viewer.get(path)).status).toBe(200);
    expect((await acme.as.viewer.get(`${path}/messages`)).status).toBe(200);
    const writes = [
      acme.as.viewer.post("/api/v1/conversations", {
        inbox_id: acme.inboxes.api,
        contact: { email: "v@example.com" },
        message: { kind: "incoming", body_text: "x" },
      }),
      acme.as.viewer.patch(path, { status: "resolved" }),
      acme.as.viewer.post(`${path}/messages`, { kind: "note", body_text: "x" }),
      acme.as.viewer.post(`${path}/tags`, { tag: "vip" }),
    ];
    for (const response of await Promise.all(writes)) expect(response.status).toBe(403);
  });
});
