import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds, startTestServer, type TestServer } from "../../test/harness.ts";
import { type ConversationFixture, conversationWorkspace } from "../conversations/test-support.ts";
import { fillVariables, firstName, unknownVariables } from "../../../../../packages/contracts/src/saved-reply-variables.ts";

describe("saved-reply variables", () => {
  it("fills known variables, uses the fallback when a value is missing, and keeps unknown text", () => {
    const body = "Hi {{contact.first_name | there}}, {{ agent.name }} from {{company.name|your team}}. {{x}}";
    expect(fillVariables(body, { "contact.first_name": "Ada", "agent.name": "Sam" })).toBe(
      "Hi Ada, Sam from your team. {{x}}",
    );
    expect(fillVariables(body, { "contact.first_name": "  " })).toBe("Hi there,  from your team. {{x}}");
    expect(
      unknownVariables("{{contact.first_name}} {{contact.phone}} {{ nope | x }} {{contact.phone}}"),
    ).toEqual(["contact.phone", "nope"]);
    expect(firstName("  Ada  Lovelace ")).toBe("Ada");
    expect(firstName(null)).toBeUndefined();
  });
});

describe.each(databaseKinds)("saved replies on %s", (kind) => {
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

  it("lets admins create, rename and delete saved replies that every role reads, audited", async () => {
    const created = await acme.as.admin.post("/api/v1/saved-replies", {
      name: "  Refund   policy ",
      body: "Hi {{contact.first_name | there}}, refunds take 5 days. {{agent.name}}",
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "Refund policy" });
    await acme.as.owner.post("/api/v1/saved-replies", { name: "apology", body: "Sorry!" });

    const listed = await acme.as.viewer.get("/api/v1/saved-replies");
    expect(listed.body.data.map((r: { name: string }) => r.name)).toEqual(["apology", "Refund policy"]);
    expect((await acme.as.agent.get(`/api/v1/saved-replies/${created.body.id}`)).body.body).toContain(
      "{{contact.first_name | there}}",
    );

    const renamed = await acme.as.admin.patch(`/api/v1/saved-replies/${created.body.id}`, {
      name: "Refunds",
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe("Refunds");
    expect(renamed.body.body).toBe(created.body.body);

    expect((await acme.as.admin.delete(`/api/v1/saved-replies/${created.body.id}`)).status).toBe(204);
    expect((await acme.as.admin.delete(`/api/v1/saved-replies/${created.body.id}`)).status).toBe(404);
    const audit = await acme.as.owner.get("/api/v1/audit-log?limit=100");
    const actions = audit.body.data.map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(["saved_reply.created", "saved_reply.updated", "saved_reply.deleted"]),
    );
  });

  it("refuses agents and viewers as managers, and keeps workspaces apart", async () => {
    expect((await acme.as.agent.post("/api/v1/saved-replies", { name: "x", body: "y" })).status).toBe(403);
    const mine = await acme.as.admin.post("/api/v1/saved-replies", { name: "Private", body: "Acme only" });
    expect((await globex.as.owner.get(`/api/v1/saved-replies/${mine.body.id}`)).status).toBe(404);
    expect((await globex.as.owner.patch(`/api/v1/saved-replies/${mine.body.id}`, { body: "x" })).status).toBe(
      404,
    );
    expect((await globex.as.owner.delete(`/api/v1/saved-replies/${mine.body.id}`)).status).toBe(404);
    expect((await globex.as.owner.get("/api/v1/saved-replies")).body.data).toEqual([]);
    expect((await acme.as.viewer.patch(`/api/v1/saved-replies/${mine.body.id}`, { body: "x" })).status).toBe(
      403,
    );
  });

  it("refuses bad input with a 400 naming the field, unknown variables included, and duplicate names with 409", async () => {
    await acme.as.admin.post("/api/v1/saved-replies", { name: "Welcome", body: "Welcome!" });
    for (const [body, field] of [
      [{ name: "", body: "x" }, "name"],
      [{ name: "   ", body: "x" }, "name"],
      [{ name: "ok", body: "" }, "body"],
      [{ name: "ok", body: "  " }, "body"],
      [{ name: "ok", body: "Hi {{contact.phone}}" }, "body"],
      [{ name: "ok", body: "Hi {{ contact.first_name | there }} {{agent.nickname|x}}" }, "body"],
      [{ name: "ok" }, "body"],
      [{ name: "x".repeat(101), body: "x" }, "name"],
      [{ name: "ok", body: "x", workspace_id: globex.workspaceId }, "workspace_id"],
    ] as const) {
      const response = await acme.as.admin.post("/api/v1/saved-replies", body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.field, JSON.stringify(body)).toBe(field);
    }
    const unknown = await acme.as.admin.post("/api/v1/saved-replies", {
      name: "ok",
      body: "{{contact.phone}}",
    });
    expect(unknown.body.title).toContain("{{contact.phone}}");

    const duplicate = await acme.as.admin.post("/api/v1/saved-replies", { name: "WELCOME", body: "again" });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.field).toBe("name");
    const other = await acme.as.admin.post("/api/v1/saved-replies", { name: "Other", body: "x" });
    const clash = await acme.as.admin.patch(`/api/v1/saved-replies/${other.body.id}`, { name: "welcome" });
    expect(clash.status).toBe(409);
    const badEdit = await acme.as.admin.patch(`/api/v1/saved-replies/${other.body.id}`, { body: "{{oops}}" });
    expect(badEdit.status).toBe(400);
    expect(badEdit.body.field).toBe("body");
    expect((await acme.as.agent.get(`/api/v1/saved-replies/${other.body.id}`)).body.body).toBe("x");
  });
});
