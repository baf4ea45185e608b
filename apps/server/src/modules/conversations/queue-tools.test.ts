import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds, startTestServer, type TestServer } from "../../test/harness.ts";
import { survivorOf } from "./merge.ts";
import { type ConversationFixture, conversationWorkspace, openConversation } from "./test-support.ts";

/* The agent app's queue tools: view counts, customer cards, bulk changes, merge and split. */
describe.each(databaseKinds)("queue tools on %s", (kind) => {
  let server: TestServer;
  let acme: ConversationFixture;
  let globex: ConversationFixture;

  beforeAll(async () => {
    server = await startTestServer(kind);
    acme = await conversationWorkspace(server, "Acme");
    globex = await conversationWorkspace(server, "Globex");
  });
  afterAll(async () => {
    await server?.destroy();
  });

  describe("counts", () => {
    it("counts every view by status in one request, each agent seeing their own 'mine'", async () => {
      const a = await openConversation(acme, { inbox: "email" });
      const b = await openConversation(acme);
      const c = await openConversation(acme);
      await openConversation(globex);
      await acme.as.agent.patch(`/api/v1/conversations/${a.id}`, { assignee_id: acme.agents.agent });
      await acme.as.agent.patch(`/api/v1/conversations/${b.id}`, { status: "pending" });
      await acme.as.agent.patch(`/api/v1/conversations/${c.id}`, { status: "resolved" });

      const response = await acme.as.agent.get("/api/v1/conversations/counts");
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      const { views, inboxes } = response.body;
      expect(views.all).toEqual({ open: 1, pending: 1, snoozed: 0, resolved: 1, resolved_more: false });
      expect(views.mine).toMatchObject({ open: 1, pending: 0, resolved: 0 });
      expect(views.unassigned).toMatchObject({ open: 0, pending: 1, resolved: 1 });
      expect(inboxes[acme.inboxes.email]).toMatchObject({ open: 1, pending: 0, resolved: 0 });
      expect(inboxes[acme.inboxes.api]).toMatchObject({ open: 0, pending: 1, resolved: 1 });
      expect(Object.keys(inboxes).sort()).toEqual([acme.inboxes.api, acme.inboxes.email].sort());

      await acme.as.agent.post(`/api/v1/conversations/${a.id}/tags`, { tag: "vip" });
      await acme.as.agent.post(`/api/v1/conversations/${c.id}/tags`, { tag: "vip" });
      const withTags = (await acme.as.agent.get("/api/v1/conversations/counts")).body;
      const vip = (await acme.as.agent.get("/api/v1/tags")).body.data.find(
        (t: { name: string }) => t.name === "vip",
      );
      // Tags count the working queue only; the resolved one is left out.
      expect(withTags.tags[vip.id]).toEqual({
        open: 1,
        pending: 0,
        snoozed: 0,
      });

      const admin = (await acme.as.admin.get("/api/v1/conversations/counts")).body;
      expect(admin.views.mine.open).toBe(0);
      const other = (await globex.as.viewer.get("/api/v1/conversations/counts")).body;
      expect(other.views.all).toMatchObject({ open: 1, pending: 0, resolved: 0 });
    });

    it("stops counting resolved conversations at 1000", async () => {
      const fixture = await conversationWorkspace(server, "Bigco");
      const seed = await openConversation(fixture);
      await sql`
        insert into conversations (workspace_id, number, inbox_id, contact_id, channel, status)
        select ${fixture.workspaceId}::uuid, 1000 + n, ${fixture.inboxes.api}::uuid, ${seed.contact_id}::uuid, 'api', 'resolved'
        from generate_series(1, 1005) as n`.execute(server.ctx.db);
      const { views } = (await fixture.as.viewer.get("/api/v1/conversations/counts")).body;
      expect(views.all).toMatchObject({ open: 1, resolved: 1000, resolved_more: true });
      expect(views.mine).toMatchObject({ resolved: 0, resolved_more: false });
    });
  });

  describe("customer cards", () => {
    it("returns contacts with their company's plan, leaving out other workspaces' contacts", async () => {
      const company = await acme.as.admin.post("/api/v1/companies", {
        name: "Initech",
        plan: "Scale",
        mrr_cents: 49900,
      });
      expect(company.status, JSON.stringify(company.body)).toBe(201);
      const pat = await acme.as.agent.post("/api/v1/contacts", {
        name: "Pat",
        email: "pat@initech.test",
        company_id: company.body.id,
      });
      const lone = await acme.as.agent.post("/api/v1/contacts", { email: "lone@example.test" });
      const foreign = await globex.as.agent.post("/api/v1/contacts", {
        name: "Spy",
        email: "spy@globex.test",
      });
      const ids = [pat.body.id, lone.body.id, foreign.body.id].join(",");
      const response = await acme.as.viewer.get(`/api/v1/contacts/cards?ids=${ids}`);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      const byId = new Map(response.body.data.map((card: { id: string }) => [card.id, card]));
      expect(byId.size).toBe(2);
      expect(byId.get(pat.body.id)).toEqual({
        id: pat.body.id,
        name: "Pat",
        email: "pat@initech.test",
        phone: null,
        company: { id: company.body.id, name: "Initech", plan: "Scale", mrr_cents: 49900 },
      });
      expect(byId.get(lone.body.id)).toMatchObject({ company: null });
    });

    it("refuses a malformed id list with a 400 naming the field", async () => {
      const response = await acme.as.viewer.get("/api/v1/contacts/cards?ids=nope");
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body)).toContain("ids");
    });
  });
  describe("bulk changes", () => {
    it("assigns, tags and resolves many conversations at once, with the usual activity lines", async () => {
      const a = await openConversation(acme);
      const b = await openConversation(acme);
      await acme.as.agent.patch(`/api/v1/conversations/${b.id}`, { assignee_id: acme.agents.admin });
      const response = await acme.as.agent.post("/api/v1/conversations/bulk", {
        conversation_ids: [a.id, b.id],
        assignee_id: acme.agents.admin,
        add_tags: ["Bulk", "urgent-ish"],
        status: "resolved",
      });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(new Set(response.body.updated)).toEqual(new Set([a.id, b.id]));
      for (const id of [a.id, b.id]) {
        const one = (await acme.as.viewer.get(`/api/v1/conversations/${id}`)).body;
        expect(one).toMatchObject({ status: "resolved", assignee_id: acme.agents.admin });
        expect(one.tags.map((t: { name: string }) => t.name).sort()).toEqual(["Bulk", "urgent-ish"]);
      }
      const thread = (await acme.as.viewer.get(`/api/v1/conversations/${a.id}/messages`)).body.data;
      const lines = thread
        .filter((m: { kind: string }) => m.kind === "activity")
        .map((m: { body_text: string }) => m.body_text);
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/assigned this to/),
          expect.stringMatching(/^Resolved by/),
        ]),
      );

      // Asking again changes nothing.
      const again = await acme.as.agent.post("/api/v1/conversations/bulk", {
        conversation_ids: [a.id, b.id],
        status: "resolved",
      });
      expect(again.body.updated).toEqual([]);
    });

    it("changes nothing when one id is another workspace's, or the assignee cannot answer", async () => {
      const mine = await openConversation(acme);
      const theirs = await openConversation(globex);
      const mixed = await acme.as.agent.post("/api/v1/conversations/bulk", {
        conversation_ids: [mine.id, theirs.id],
        status: "resolved",
      });
      expect(mixed.status).toBe(400);
      expect(mixed.body.field).toBe("conversation_ids");
      const viewer = await acme.as.agent.post("/api/v1/conversations/bulk", {
        conversation_ids: [mine.id],
        assignee_id: acme.agents.viewer,
        status: "resolved",
      });
      expect(viewer.status).toBe(400);
      expect(viewer.body.field).toBe("assignee_id");
      expect((await acme.as.viewer.get(`/api/v1/conversations/${mine.id}`)).body.status).toBe("open");
      expect((await globex.as.viewer.get(`/api/v1/conversations/${theirs.id}`)).body.status).toBe("open");
      const nothing = await acme.as.agent.post("/api/v1/conversations/bulk", { conversation_ids: [mine.id] });
      expect(nothing.status).toBe(400);
      const refused = await acme.as.viewer.post("/api/v1/conversations/bulk", {
        conversation_ids: [mine.id],
        status: "resolved",
      });
      expect(refused.status).toBe(403);
    });
  });
  describe("merge and split", () => {
    const thread = async (id: string) =>
      (await acme.as.viewer.get(`/api/v1/conversations/${id}/messages`)).body.data as {
        id: string;
        kind: string;
        body_text: string;
      }[];

    it("merges a conversation of the same customer: messages and tags move, the source is resolved", async () => {
      const email = "merge-me@example.com";
      const target = await openConversation(acme, { email, text: "First question" });
      await acme.as.agent.post(`/api/v1/conversations/${target.id}/messages`, {
        kind: "outgoing",
        body_text: "Answer",
      });
      await acme.as.agent.patch(`/api/v1/conversations/${target.id}`, { status: "resolved" });
      const source = await openConversation(acme, { email, text: "Second question" });
      await acme.as.agent.post(`/api/v1/conversations/${source.id}/tags`, { tag: "follow-up" });

      const response = await acme.as.agent.post(`/api/v1/conversations/${target.id}/merge`, {
        source_id: source.id,
      });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      // The source was still waiting, so the survivor is open again, and waiting since the second question.
      expect(response.body).toMatchObject({ status: "open", message_count: 3, preview: "Second question" });
      expect(response.body.waiting_since).not.toBeNull();
      expect(response.body.tags.map((t: { name: string }) => t.name)).toEqual(["follow-up"]);
      const texts = (await thread(target.id)).map((m) => m.body_text);
      expect(texts).toEqual(expect.arrayContaining(["First question", "Answer", "Second question"]));
      expect(texts.some((t) => /merged #\d+ into this conversation/.test(t))).toBe(true);
      // Channels that thread by conversation id follow the merge to the survivor.
      expect(await survivorOf(server.ctx.db, acme.workspaceId, source.id)).toBe(target.id);
      expect(await survivorOf(server.ctx.db, acme.workspaceId, target.id)).toBe(target.id);
      const closed = (await acme.as.viewer.get(`/api/v1/conversations/${source.id}`)).body;
      expect(closed).toMatchObject({ status: "resolved", message_count: 0 });
      expect((await thread(source.id)).map((m) => m.kind)).toEqual(["activity"]);
    });

    it("refuses to merge other customers' or other workspaces' conversations, changing nothing", async () => {
      const a = await openConversation(acme, { email: "one@example.com" });
      const b = await openConversation(acme, { email: "two@example.com" });
      const other = await acme.as.agent.post(`/api/v1/conversations/${a.id}/merge`, { source_id: b.id });
      expect(other.status).toBe(400);
      expect(other.body.field).toBe("source_id");
      const self = await acme.as.agent.post(`/api/v1/conversations/${a.id}/merge`, { source_id: a.id });
      expect(self.status).toBe(400);
      const foreign = await openConversation(globex, { email: "one@example.com" });
      const across = await acme.as.agent.post(`/api/v1/conversations/${a.id}/merge`, {
        source_id: foreign.id,
      });
      expect(across.status).toBe(400);
      const intruder = await globex.as.owner.post(`/api/v1/conversations/${a.id}/merge`, {
        source_id: foreign.id,
      });
      expect(intruder.status).toBe(404);
      expect((await thread(a.id)).length).toBe(1);
      expect((await globex.as.viewer.get(`/api/v1/conversations/${foreign.id}`)).body.status).toBe("open");
    });

    it("splits a later customer message out into a new conversation", async () => {
      const source = await openConversation(acme, { text: "About invoices" });
      await acme.as.agent.post(`/api/v1/conversations/${source.id}/messages`, {
        kind: "outgoing",
        body_text: "Done",
      });
      const later = await acme.as.agent.post(`/api/v1/conversations/${source.id}/messages`, {
        kind: "incoming",
        body_text: "Also, how do I add a seat?",
      });
      const first = (await thread(source.id))[0];
      const refused = await acme.as.agent.post(`/api/v1/conversations/${source.id}/split`, {
        message_id: first.id,
      });
      expect(refused.status).toBe(400);
      expect(refused.body.field).toBe("message_id");

      const response = await acme.as.agent.post(`/api/v1/conversations/${source.id}/split`, {
        message_id: later.body.id,
        subject: "Adding a seat",
      });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      expect(response.body).toMatchObject({
        subject: "Adding a seat",
        contact_id: source.contact_id,
        status: "open",
        message_count: 1,
        preview: "Also, how do I add a seat?",
      });
      expect(response.body.waiting_since).not.toBeNull();
      const left = (await acme.as.viewer.get(`/api/v1/conversations/${source.id}`)).body;
      expect(left).toMatchObject({ message_count: 2, preview: "Done", waiting_since: null });
      expect((await thread(response.body.id)).map((m) => m.body_text)).toContain(
        "Also, how do I add a seat?",
      );
    });
  });

  describe("merging contacts", () => {
    it("moves the duplicate's conversations to the kept contact and fills in what it lacked", async () => {
      const byEmail = await openConversation(acme, { email: "sam@example.com" });
      const phone = await acme.as.agent.post("/api/v1/contacts", {
        name: "Sam by phone",
        phone: "+44 20 7946 0000",
        attributes: { plan: "pro", source: "phone" },
      });
      const byPhone = await acme.as.agent.post("/api/v1/conversations", {
        inbox_id: acme.inboxes.api,
        contact: { id: phone.body.id },
        message: { kind: "incoming", body_text: "Calling about my account" },
      });
      await acme.as.agent.patch(`/api/v1/contacts/${byEmail.contact_id}`, {
        attributes: { source: "email" },
      });

      const response = await acme.as.agent.post(`/api/v1/contacts/${byEmail.contact_id}/merge`, {
        source_id: phone.body.id,
      });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body).toMatchObject({
        email: "sam@example.com",
        phone: "+44 20 7946 0000",
        attributes: { plan: "pro", source: "email" },
      });
      const moved = (await acme.as.viewer.get(`/api/v1/conversations/${byPhone.body.id}`)).body;
      expect(moved.contact_id).toBe(byEmail.contact_id);
      const list = (await acme.as.viewer.get(`/api/v1/conversations?contact_id=${byEmail.contact_id}`)).body
        .data;
      expect(list.map((c: { id: string }) => c.id).sort()).toEqual([byEmail.id, byPhone.body.id].sort());
      expect((await acme.as.viewer.get(`/api/v1/contacts/${phone.body.id}`)).status).toBe(404);
    });

    it("refuses another workspace's contact, and viewers", async () => {
      const mine = await acme.as.agent.post("/api/v1/contacts", { email: "keep@example.com" });
      const theirs = await globex.as.agent.post("/api/v1/contacts", { email: "dup@example.com" });
      const across = await acme.as.agent.post(`/api/v1/contacts/${mine.body.id}/merge`, {
        source_id: theirs.body.id,
      });
      expect(across.status).toBe(400);
      expect(across.body.field).toBe("source_id");
      expect((await globex.as.viewer.get(`/api/v1/contacts/${theirs.body.id}`)).status).toBe(200);
      const viewer = await acme.as.viewer.post(`/api/v1/contacts/${mine.body.id}/merge`, {
        source_id: theirs.body.id,
      });
      expect(viewer.status).toBe(403);
    });
  });
});
