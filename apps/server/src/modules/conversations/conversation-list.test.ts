import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds, startTestServer, type TestServer } from "../../test/harness.ts";
import { type ConversationFixture, conversationWorkspace, openConversation } from "./test-support.ts";

describe.each(databaseKinds)("the conversation list on %s", (kind) => {
  let server: TestServer;
  let acme: ConversationFixture;
  let globex: ConversationFixture;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer(kind);
    acme = await conversationWorkspace(server, "Acme");
    globex = await conversationWorkspace(server, "Globex");
    // Oldest first: each later conversation has more recent activity.
    const a = acme.as.agent;
    ids.refund = (await openConversation(acme, { email: "ann@example.com", text: "Refund please" })).id;
    ids.bug = (await openConversation(acme, { email: "bob@example.com", inbox: "email" })).id;
    ids.mine = (await openConversation(acme, { email: "ann@example.com" })).id;
    ids.resolved = (await openConversation(acme, { email: "cy@example.com" })).id;
    ids.tagged = (await openConversation(acme, { email: "dee@example.com", inbox: "email" })).id;
    await a.patch(`/api/v1/conversations/${ids.bug}`, { assignee_id: acme.agents.admin });
    await a.patch(`/api/v1/conversations/${ids.mine}`, { assignee_id: acme.agents.agent, status: "pending" });
    await a.patch(`/api/v1/conversations/${ids.resolved}`, { status: "resolved" });
    await a.post(`/api/v1/conversations/${ids.tagged}/tags`, { tag: "Billing" });
    await a.post(`/api/v1/conversations/${ids.refund}/tags`, { tag: "billing" });
    await a.post(`/api/v1/conversations/${ids.refund}/tags`, { tag: "VIP" });
    // Globex has look-alikes: same contact email, same tag name.
    const other = await openConversation(globex, { email: "ann@example.com" });
    await globex.as.agent.post(`/api/v1/conversations/${other.id}/tags`, { tag: "billing" });
    ids.globex = other.id;
  });
  afterAll(async () => {
    await server?.destroy();
  });

  const list = async (query: string, as = acme.as.viewer) => {
    const response = await as.get(`/api/v1/conversations${query}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body as { data: { id: string; tags: { name: string }[] }[]; next_cursor: string | null };
  };
  const idsOf = async (query: string, as = acme.as.viewer) => (await list(query, as)).data.map((c) => c.id);

  it("lists by last activity, newest first, and a new message moves a conversation to the top", async () => {
    expect(await idsOf("")).toEqual([ids.tagged, ids.resolved, ids.mine, ids.bug, ids.refund]);
    await acme.as.agent.post(`/api/v1/conversations/${ids.refund}/messages`, {
      kind: "incoming",
      body_text: "Still waiting",
    });
    expect((await idsOf(""))[0]).toBe(ids.refund);
  });

  it("filters by status, inbox, assignee, tag and contact", async () => {
    expect(await idsOf("?status=resolved")).toEqual([ids.resolved]);
    expect(new Set(await idsOf(`?inbox_id=${acme.inboxes.email}`))).toEqual(new Set([ids.bug, ids.tagged]));
    expect(await idsOf(`?assignee=${acme.agents.admin}`)).toEqual([ids.bug]);
    expect(await idsOf("?assignee=me", acme.as.agent)).toEqual([ids.mine]);
    expect(await idsOf("?assignee=me&status=open", acme.as.agent)).toEqual([]);
    expect(new Set(await idsOf("?assignee=none"))).toEqual(new Set([ids.refund, ids.resolved, ids.tagged]));
    expect(new Set(await idsOf("?tag=BILLING"))).toEqual(new Set([ids.refund, ids.tagged]));
    expect(await idsOf("?tag=no-such-tag")).toEqual([]);
    const contact = (await acme.as.viewer.get(`/api/v1/conversations/${ids.mine}`)).body.contact_id;
    expect(new Set(await idsOf(`?contact_id=${contact}`))).toEqual(new Set([ids.refund, ids.mine]));
  });

  it("returns each conversation's tags with the page", async () => {
    const page = await list("?tag=vip");
    expect(page.data[0].tags.map((t) => t.name)).toEqual(["Billing", "VIP"]);
  });

  it("walks every conversation exactly once through next_cursor", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((c) => c.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });

  it("refuses a cursor it did not issue, unknown filters and malformed values, naming the parameter", async () => {
    const forged = Buffer.from(JSON.stringify(["yesterday", "x"])).toString("base64url");
    for (const [query, field] of [
      ["?cursor=not-a-cursor", "cursor"],
      [`?cursor=${forged}`, "cursor"],
      [`?tag=billing&cursor=${forged}`, "cursor"],
      ["?status=closed", "status"],
      ["?assignee=someone", "assignee"],
      ["?inbox_id=42", "inbox_id"],
      ["?limit=1000", "limit"],
      ["?workspace_id=x", "workspace_id"],
    ]) {
      const response = await acme.as.viewer.get(`/api/v1/conversations${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.field, query).toBe(field);
    }
  });

  it("never includes another workspace's conversations, whatever the filter or cursor", async () => {
    await openConversation(globex);
    const globexCursor = (await list("?limit=1", globex.as.viewer)).next_cursor!;
    const acmeCursor = (await list("?limit=1")).next_cursor!;
    const acmeContact = (await acme.as.viewer.get(`/api/v1/conversations/${ids.refund}`)).body.contact_id;
    for (const query of [
      "",
      "?tag=billing",
      `?inbox_id=${globex.inboxes.api}`,
      `?assignee=${globex.agents.agent}`,
      `?contact_id=${acmeContact}`,
      `?cursor=${globexCursor}`,
    ]) {
      const seen = await idsOf(query);
      expect(seen, query).not.toContain(ids.globex);
      const theirs = await idsOf(query.replace(globexCursor, acmeCursor), globex.as.viewer);
      for (const id of Object.values(ids).filter((id) => id !== ids.globex))
        expect(theirs, query).not.toContain(id);
    }
  });

  it("sends each conversation exactly as GET /conversations/{id} does (the list is rendered by the database)", async () => {
    const odd = await openConversation(acme, { kind: "outgoing", text: "Reaching out" });
    const a = acme.as.agent;
    await a.patch(`/api/v1/conversations/${odd.id}`, {
      subject: 'Quotes " and \\ back\\slash, tab\t, émoji 🎉, 日本語',
      priority: "urgent",
      status: "snoozed",
      snoozed_until: "2031-02-03T04:05:06.789Z",
    });
    await a.post(`/api/v1/conversations/${odd.id}/tags`, { tag: "Zeta" });
    await a.post(`/api/v1/conversations/${odd.id}/tags`, { tag: "alpha" });
    await a.post(`/api/v1/conversations/${ids.bug}/messages`, { kind: "outgoing", body_text: "On it" });
    const response = await acme.as.viewer.get("/api/v1/conversations?limit=100");
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const listed = (response.body as { data: Record<string, unknown>[] }).data;
    expect(listed.length).toBeGreaterThanOrEqual(6);
    for (const conversation of listed) {
      const single = (await acme.as.viewer.get(`/api/v1/conversations/${conversation.id}`)).body;
      expect(conversation).toEqual(single);
      expect(Object.keys(conversation)).toEqual(Object.keys(single));
    }
    const snoozed = listed.find((c) => c.id === odd.id)!;
    expect(snoozed.snoozed_until).toBe("2031-02-03T04:05:06.789Z");
    expect((snoozed.tags as { name: string }[]).map((t) => t.name)).toEqual(["alpha", "Zeta"]);
  });
});
