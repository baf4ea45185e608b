import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds, startTestServer, type TestServer } from "../../test/harness.ts";
import {
  type ConversationFixture,
  conversationWorkspace,
  openConversation,
  uploadFile,
} from "./test-support.ts";

describe.each(databaseKinds)("messages on %s", (kind) => {
  let server: TestServer;
  let acme: ConversationFixture;
  let globex: ConversationFixture;
  // The server's clock, moved by the tests so that every metric timestamp can be checked exactly.
  let clock = new Date();
  const tick = (seconds: number) => {
    clock = new Date(clock.getTime() + seconds * 1000);
    return clock.toISOString();
  };

  beforeAll(async () => {
    server = await startTestServer(kind, {}, { now: () => clock });
    acme = await conversationWorkspace(server, "Acme");
    globex = await conversationWorkspace(server, "Globex");
  });
  afterAll(async () => {
    await server?.destroy();
  });

  const post = (id: string, body: Record<string, unknown>, as = acme.as.agent) =>
    as.post(`/api/v1/conversations/${id}/messages`, body);
  const conversationOf = async (id: string) => (await acme.as.agent.get(`/api/v1/conversations/${id}`)).body;
  const messagesOf = async (id: string) =>
    (await acme.as.agent.get(`/api/v1/conversations/${id}/messages?limit=100`)).body.data;

  it("keeps first customer message, first human response and waiting time by the metric definitions", async () => {
    const t0 = tick(1);
    const { id } = await openConversation(acme);
    expect(await conversationOf(id)).toMatchObject({ first_customer_message_at: t0, waiting_since: t0 });

    const t1 = tick(60);
    await post(id, { kind: "note", body_text: "Looks like the CSV bug again" });
    expect(await conversationOf(id)).toMatchObject({
      first_human_response_at: null,
      waiting_since: t0,
      last_activity_at: t1,
      preview: "The export button does nothing.",
    });

    tick(60);
    await post(id, { kind: "incoming", body_text: "Any news?" });
    expect(await conversationOf(id)).toMatchObject({ first_customer_message_at: t0, waiting_since: t0 });

    const t3 = tick(60);
    const reply = await post(id, { kind: "outgoing", body_text: "Fixed, sorry about that!" });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ kind: "outgoing", sent_by_human: true, delivery_state: null });
    expect(await conversationOf(id)).toMatchObject({ first_human_response_at: t3, waiting_since: null });

    const t4 = tick(60);
    await post(id, { kind: "incoming", body_text: "Works now, thanks" });
    tick(60);
    await post(id, { kind: "outgoing", body_text: "Glad to hear it" });
    const after = await conversationOf(id);
    expect(after).toMatchObject({
      first_customer_message_at: t0,
      first_human_response_at: t3,
      waiting_since: null,
      message_count: 6,
      preview: "Glad to hear it",
    });
    expect(after.last_activity_at > t4).toBe(true);
  });

  it("counts an agent's first reply only after the customer has written", async () => {
    tick(1);
    const response = await acme.as.agent.post("/api/v1/conversations", {
      inbox_id: acme.inboxes.email,
      contact: { email: "outreach@example.com" },
      message: { kind: "outgoing", body_text: "Your trial ends soon" },
    });
    const id = response.body.id;
    const t1 = tick(3600);
    await post(id, { kind: "incoming", body_text: "Can I get a week more?" });
    const t2 = tick(120);
    const reply = await post(id, { kind: "outgoing", body_text: "Of course" });
    expect(reply.body.delivery_state).toBe("queued");
    expect(await conversationOf(id)).toMatchObject({
      first_customer_message_at: t1,
      first_human_response_at: t2,
      waiting_since: null,
    });
  });

  it("reopens a resolved or snoozed conversation when the customer writes", async () => {
    const { id } = await openConversation(acme);
    await acme.as.agent.patch(`/api/v1/conversations/${id}`, { status: "resolved" });
    await post(id, { kind: "incoming", body_text: "It broke again" });
    expect(await conversationOf(id)).toMatchObject({ status: "open", resolved_at: null });
    const tail = (await messagesOf(id))
      .slice(-2)
      .map((m: { kind: string; body_text: string }) => m.body_text);
    expect(tail).toEqual(["It broke again", "Reopened by a new message from the customer"]);

    const until = new Date(clock.getTime() + 86_400_000).toISOString();
    await acme.as.agent.patch(`/api/v1/conversations/${id}`, { status: "snoozed", snoozed_until: until });
    await post(id, { kind: "incoming", body_text: "Hello?" });
    expect(await conversationOf(id)).toMatchObject({ status: "open", snoozed_until: null });
  });

  it("keeps notes internal: they never become the preview and never answer the customer", async () => {
    const { id } = await openConversation(acme, { text: "Where is my refund?" });
    const note = await post(id, { kind: "note", body_text: "Refund went out Tuesday" });
    expect(note.body).toMatchObject({ kind: "note", sent_by_human: false, delivery_state: null });
    expect(await conversationOf(id)).toMatchObject({
      preview: "Where is my refund?",
      first_human_response_at: null,
    });
  });

  it("loses no update when many messages arrive at once", async () => {
    const { id } = await openConversation(acme);
    const writes = Array.from({ length: 12 }, (_, i) =>
      post(id, { kind: i % 2 ? "incoming" : "note", body_text: `message ${i}` }),
    );
    for (const response of await Promise.all(writes)) expect(response.status).toBe(201);
    expect((await conversationOf(id)).message_count).toBe(13);
  });

  it("lists messages oldest first, page by page, and refuses a cursor it did not issue", async () => {
    const { id } = await openConversation(acme, { text: "message 0" });
    for (let i = 1; i < 5; i++) await post(id, { kind: "incoming", body_text: `message ${i}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : "";
      const page = await acme.as.viewer.get(`/api/v1/conversations/${id}/messages?limit=2${query}`);
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((m: { body_text: string }) => m.body_text));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(["message 0", "message 1", "message 2", "message 3", "message 4"]);
    const bad = await acme.as.viewer.get(`/api/v1/conversations/${id}/messages?cursor=garbage`);
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("cursor");
  });

  it("attaches uploaded files to a message, each file to one message of its own workspace only", async () => {
    const { id } = await openConversation(acme);
    const file = await uploadFile(server, acme.tokens.agent, { name: "error.log", content: "stack trace" });
    expect(file.status).toBe(201);
    const reply = await post(id, {
      kind: "outgoing",
      body_text: "See the log",
      attachment_ids: [file.body.id],
    });
    expect(reply.status).toBe(201);
    expect(reply.body.attachments).toEqual([
      expect.objectContaining({
        id: file.body.id,
        filename: "error.log",
        size_bytes: 11,
        message_id: reply.body.id,
      }),
    ]);
    const listed = (await messagesOf(id)).find((m: { id: string }) => m.id === reply.body.id);
    expect(listed.attachments.map((a: { id: string }) => a.id)).toEqual([file.body.id]);

    const foreign = await uploadFile(server, globex.tokens.agent, { name: "x.txt", content: "x" });
    const fresh = await uploadFile(server, acme.tokens.agent, { name: "y.txt", content: "y" });
    const before = (await conversationOf(id)).message_count;
    for (const ids of [
      [file.body.id],
      [foreign.body.id],
      [fresh.body.id, "00000000-0000-4000-8000-000000000000"],
    ]) {
      const response = await post(id, { kind: "outgoing", body_text: "again", attachment_ids: ids });
      expect(response.status).toBe(400);
      expect(response.body.field).toBe("attachment_ids");
    }
    // Nothing of a refused message remains, and the fresh upload is still free to use.
    expect((await conversationOf(id)).message_count).toBe(before);
    const retry = await post(id, { kind: "note", body_text: "", attachment_ids: [fresh.body.id] });
    expect(retry.status).toBe(201);
  });

  it("refuses malformed messages, naming the field at fault", async () => {
    const { id } = await openConversation(acme);
    const cases: [Record<string, unknown>, string][] = [
      [{ kind: "activity", body_text: "forged" }, "kind"],
      [{ kind: "note" }, "body_text"],
      [{ kind: "note", body_text: "x", author_agent_id: acme.agents.owner }, "author_agent_id"],
      [{ kind: "note", body_text: "   " }, "body_text"],
      [{ kind: "note", body_text: "x", attachment_ids: ["nope"] }, "attachment_ids.0"],
    ];
    for (const [body, field] of cases) {
      const response = await post(id, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.field).toBe(field);
    }
  });
});
