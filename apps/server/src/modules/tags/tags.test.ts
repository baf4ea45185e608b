import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds, startTestServer, type TestServer } from "../../test/harness.ts";
import {
  type ConversationFixture,
  conversationWorkspace,
  openConversation,
} from "../conversations/test-support.ts";

describe.each(databaseKinds)("tags on %s", (kind) => {
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

  it("creates, lists, renames and deletes tags", async () => {
    const created = await acme.as.agent.post("/api/v1/tags", { name: "  Refund ", color: "#22c55e" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "Refund", color: "#22c55e" });
    await acme.as.agent.post("/api/v1/tags", { name: "bug" });
    const listed = await acme.as.viewer.get("/api/v1/tags");
    expect(listed.body.data.map((t: { name: string }) => t.name)).toEqual(["bug", "Refund"]);
    expect(listed.body.data[0].color).toBe("#6b7280");

    const renamed = await acme.as.agent.patch(`/api/v1/tags/${created.body.id}`, { name: "refund" });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: "refund", color: "#22c55e" });

    expect((await acme.as.agent.delete(`/api/v1/tags/${created.body.id}`)).status).toBe(204);
    expect((await acme.as.agent.delete(`/api/v1/tags/${created.body.id}`)).status).toBe(404);
    const audit = await acme.as.owner.get("/api/v1/audit-log?limit=100");
    const actions = audit.body.data.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["tag.created", "tag.updated", "tag.deleted"]));
  });

  it("keeps names unique in a workspace ignoring case, answering 409 on the name", async () => {
    await acme.as.agent.post("/api/v1/tags", { name: "Urgent" });
    const duplicate = await acme.as.agent.post("/api/v1/tags", { name: "URGENT" });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.field).toBe("name");
    const other = await acme.as.agent.post("/api/v1/tags", { name: "Later" });
    const clash = await acme.as.agent.patch(`/api/v1/tags/${other.body.id}`, { name: "urgent" });
    expect(clash.status).toBe(409);
    expect(clash.body.field).toBe("name");
    // Another workspace may use the same name.
    expect((await globex.as.agent.post("/api/v1/tags", { name: "urgent" })).status).toBe(201);
  });

  it("refuses malformed tags, naming the field", async () => {
    for (const [body, field] of [
      [{ name: "" }, "name"],
      [{ name: "   " }, "name"],
      [{ name: "x".repeat(51) }, "name"],
      [{ name: "ok", color: "red" }, "color"],
      [{ name: "ok", workspace_id: globex.workspaceId }, "workspace_id"],
    ] as const) {
      const response = await acme.as.agent.post("/api/v1/tags", body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.field).toBe(field);
    }
  });

  it("tags a conversation by name, creating the tag once, or by id, and removes it again", async () => {
    const conversation = await openConversation(acme);
    const path = `/api/v1/conversations/${conversation.id}/tags`;
    const byName = await acme.as.agent.post(path, { tag: "Onboarding" });
    expect(byName.status).toBe(200);
    expect(byName.body.tags.map((t: { name: string }) => t.name)).toEqual(["Onboarding"]);
    const again = await acme.as.agent.post(path, { tag: "onboarding" });
    expect(again.body.tags).toHaveLength(1);
    const tags = (await acme.as.viewer.get("/api/v1/tags")).body.data;
    expect(tags.filter((t: { name: string }) => t.name.toLowerCase() === "onboarding")).toHaveLength(1);

    const vip = await acme.as.agent.post("/api/v1/tags", { name: "VIP" });
    const byId = await acme.as.agent.post(path, { tag_id: vip.body.id });
    expect(byId.body.tags.map((t: { name: string }) => t.name)).toEqual(["Onboarding", "VIP"]);

    expect((await acme.as.agent.delete(`${path}/${vip.body.id}`)).status).toBe(204);
    const after = await acme.as.viewer.get(`/api/v1/conversations/${conversation.id}`);
    expect(after.body.tags.map((t: { name: string }) => t.name)).toEqual(["Onboarding"]);
  });

  it("refuses to tag with both, neither, or another workspace's tag", async () => {
    const conversation = await openConversation(acme);
    const path = `/api/v1/conversations/${conversation.id}/tags`;
    const foreign = await globex.as.agent.post("/api/v1/tags", { name: "Secret" });
    for (const [body, field] of [
      [{}, "tag"],
      [{ tag: "a", tag_id: foreign.body.id }, "tag"],
      [{ tag_id: foreign.body.id }, "tag_id"],
      [{ tag_id: "nope" }, "tag_id"],
      [{ name: "x" }, "name"],
    ] as const) {
      const response = await acme.as.agent.post(path, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.field).toBe(field);
    }
    const remove = await acme.as.agent.delete(`${path}/${foreign.body.id}`);
    expect(remove.status).toBe(404);
  });

  it("answers 404 for another workspace's tag and 403 to a viewer who writes", async () => {
    const tag = await globex.as.agent.post("/api/v1/tags", { name: "Theirs" });
    expect((await acme.as.owner.patch(`/api/v1/tags/${tag.body.id}`, { name: "Mine" })).status).toBe(404);
    expect((await acme.as.owner.delete(`/api/v1/tags/${tag.body.id}`)).status).toBe(404);
    const names = (await globex.as.viewer.get("/api/v1/tags")).body.data.map((t: { name: string }) => t.name);
    expect(names).toContain("Theirs");
    expect(
      (await acme.as.viewer.get("/api/v1/tags")).body.data.map((t: { name: string }) => t.name),
    ).not.toContain("Theirs");

    const own = await acme.as.agent.post("/api/v1/tags", { name: "Viewer test" });
    expect((await acme.as.viewer.post("/api/v1/tags", { name: "Nope" })).status).toBe(403);
    expect((await acme.as.viewer.patch(`/api/v1/tags/${own.body.id}`, { name: "Nope" })).status).toBe(403);
    expect((await acme.as.viewer.delete(`/api/v1/tags/${own.body.id}`)).status).toBe(403);
    const conversation = await openConversation(acme);
    const untag = await acme.as.viewer.delete(`/api/v1/conversations/${conversation.id}/tags/${own.body.id}`);
    expect(untag.status).toBe(403);
  });
});
