import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiClient,
  createTestWorkspace,
  databaseKinds,
  type TestServer,
  type TestWorkspace,
  startTestServer,
  eventLog,
} from "../../test/harness.ts";
import { findOrCreateContactByEmail } from "../contacts/service.ts";
import { createInbox } from "./service.ts";

describe.each(databaseKinds)("inboxes on %s", (kind) => {
  let server: TestServer;
  let acme: TestWorkspace;
  let globex: TestWorkspace;
  let events: ReturnType<typeof eventLog>;

  beforeAll(async () => {
    server = await startTestServer(kind);
    acme = await createTestWorkspace(server, "Acme");
    globex = await createTestWorkspace(server, "Globex");
    events = eventLog(server);
  });
  afterAll(async () => {
    await server?.destroy();
  });

  const as = (workspace: TestWorkspace, role: keyof TestWorkspace["tokens"]) =>
    apiClient(server.url, workspace.tokens[role]);
  const address = (who: string) => `${who}-${crypto.randomUUID().slice(0, 8)}@support.example.test`;

  it("creates an email inbox with default settings, audited and published", async () => {
    const to = address("help");
    const response = await as(acme, "admin").post("/api/v1/inboxes", {
      name: "Help",
      channel: "email",
      address: to,
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      name: "Help",
      channel: "email",
      address: to,
      settings: { signature: "", auto_ack_enabled: false },
    });
    const audit = await as(acme, "owner").get("/api/v1/audit-log");
    expect(audit.body.data[0]).toMatchObject({ action: "inbox.created", target_id: response.body.id });
    expect(await events.all()).toContainEqual(
      expect.objectContaining({
        type: "inbox.created",
        workspace_id: acme.workspaceId,
        data: { id: response.body.id, channel: "email" },
      }),
    );
  });

  it("creates chat, callback and API inboxes with empty settings and no address", async () => {
    for (const channel of ["chat", "callback", "api"]) {
      const response = await as(acme, "owner").post("/api/v1/inboxes", {
        name: `The ${channel}`,
        channel,
        settings: {},
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ channel, address: null, settings: {} });
    }
  });

  it("lets every role list and read inboxes of its own workspace", async () => {
    const created = await as(acme, "owner").post("/api/v1/inboxes", { name: "Readable", channel: "chat" });
    const list = await as(acme, "viewer").get("/api/v1/inboxes");
    expect(list.status).toBe(200);
    expect(list.body.data.map((i: { id: string }) => i.id)).toContain(created.body.id);
    expect((await as(acme, "viewer").get(`/api/v1/inboxes/${created.body.id}`)).body.name).toBe("Readable");
    const other = await as(globex, "viewer").get("/api/v1/inboxes");
    expect(other.body.data.map((i: { id: string }) => i.id)).not.toContain(created.body.id);
  });

  it.each([
    [{ name: "No address", channel: "email" }, "address"],
    [{ name: "Chat", channel: "chat", address: "chat@example.test" }, "address"],
    [{ name: "Chat", channel: "chat", settings: { signature: "Bye" } }, "settings.signature"],
    [{ name: "Bad", channel: "email", address: "not an email" }, "address"],
    [{ name: "Bad", channel: "fax" }, "channel"],
    [
      { name: "Bad", channel: "email", address: "ok@example.test", settings: { colour: "red" } },
      "settings.colour",
    ],
    [
      { name: "Bad", channel: "email", address: "ok@example.test", settings: { auto_ack_enabled: "yes" } },
      "settings.auto_ack_enabled",
    ],
    [{ name: "", channel: "chat" }, "name"],
  ])("refuses %j naming the field", async (body, field) => {
    const response = await as(acme, "owner").post("/api/v1/inboxes", body);
    expect(response.status).toBe(400);
    expect(response.body.field).toBe(field);
  });

  it("keeps email addresses unique across every workspace, ignoring case", async () => {
    const to = address("shared");
    expect(
      (await as(acme, "owner").post("/api/v1/inboxes", { name: "A", channel: "email", address: to })).status,
    ).toBe(201);
    const clash = await as(globex, "owner").post("/api/v1/inboxes", {
      name: "B",
      channel: "email",
      address: to.toUpperCase(),
    });
    expect(clash.status).toBe(409);
    expect(clash.body.field).toBe("address");
    const other = await as(globex, "owner").post("/api/v1/inboxes", {
      name: "B",
      channel: "email",
      address: address("b"),
    });
    const moved = await as(globex, "owner").patch(`/api/v1/inboxes/${other.body.id}`, { address: to });
    expect(moved.status).toBe(409);
    expect(moved.body.field).toBe("address");
  });

  it("updates the name, address and settings, keeping the settings left out", async () => {
    const created = await as(acme, "owner").post("/api/v1/inboxes", {
      name: "Sales",
      channel: "email",
      address: address("sales"),
      settings: { signature: "— The sales team" },
    });
    const to = address("deals");
    const response = await as(acme, "admin").patch(`/api/v1/inboxes/${created.body.id}`, {
      name: "Deals",
      address: to,
      settings: { auto_ack_enabled: true },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      name: "Deals",
      address: to,
      settings: { signature: "— The sales team", auto_ack_enabled: true },
    });
    const same = await as(acme, "admin").patch(`/api/v1/inboxes/${created.body.id}`, {
      address: to.toUpperCase(),
    });
    expect(same.status).toBe(200);
    expect(await events.all()).toContainEqual(
      expect.objectContaining({ type: "inbox.updated", data: { id: created.body.id } }),
    );
  });

  it("keeps the channel fixed and refuses mass assignment", async () => {
    const created = await as(acme, "owner").post("/api/v1/inboxes", { name: "Fixed", channel: "chat" });
    for (const [field, value] of [
      ["channel", "email"],
      ["workspace_id", globex.workspaceId],
      ["id", globex.workspaceId],
    ]) {
      const response = await as(acme, "owner").patch(`/api/v1/inboxes/${created.body.id}`, {
        [field]: value,
      });
      expect(response.status).toBe(400);
      expect(response.body.field).toBe(field);
    }
    const create = await as(acme, "owner").post("/api/v1/inboxes", {
      name: "X",
      channel: "chat",
      workspace_id: globex.workspaceId,
    });
    expect(create.status).toBe(400);
    expect(create.body.field).toBe("workspace_id");
    const address = await as(acme, "owner").patch(`/api/v1/inboxes/${created.body.id}`, {
      address: "x@example.test",
    });
    expect(address.status).toBe(400);
    expect(address.body.field).toBe("address");
  });

  it("forbids agents and viewers to create, change or delete inboxes", async () => {
    const created = await as(acme, "owner").post("/api/v1/inboxes", { name: "Guarded", channel: "chat" });
    for (const role of ["agent", "viewer"] as const) {
      expect((await as(acme, role).post("/api/v1/inboxes", { name: "Mine", channel: "chat" })).status).toBe(
        403,
      );
      expect(
        (await as(acme, role).patch(`/api/v1/inboxes/${created.body.id}`, { name: "Mine" })).status,
      ).toBe(403);
      expect((await as(acme, role).delete(`/api/v1/inboxes/${created.body.id}`)).status).toBe(403);
    }
    expect((await as(acme, "viewer").get(`/api/v1/inboxes/${created.body.id}`)).body.name).toBe("Guarded");
  });

  it("answers 404 for another workspace's inbox, for reading, changing and deleting", async () => {
    const created = await as(acme, "owner").post("/api/v1/inboxes", { name: "Private", channel: "chat" });
    const id = created.body.id;
    expect((await as(globex, "owner").get(`/api/v1/inboxes/${id}`)).status).toBe(404);
    expect((await as(globex, "owner").patch(`/api/v1/inboxes/${id}`, { name: "Taken" })).status).toBe(404);
    expect((await as(globex, "owner").delete(`/api/v1/inboxes/${id}`)).status).toBe(404);
    expect((await as(acme, "owner").get(`/api/v1/inboxes/${id}`)).body.name).toBe("Private");
    expect((await as(acme, "owner").get(`/api/v1/inboxes/${crypto.randomUUID()}`)).status).toBe(404);
  });

  it("deletes an empty inbox, and refuses with 409 to delete one that has conversations", async () => {
    const empty = await as(acme, "owner").post("/api/v1/inboxes", { name: "Empty", channel: "api" });
    expect((await as(acme, "owner").delete(`/api/v1/inboxes/${empty.body.id}`)).status).toBe(204);
    expect((await as(acme, "owner").get(`/api/v1/inboxes/${empty.body.id}`)).status).toBe(404);
    expect(await events.all()).toContainEqual(
      expect.objectContaining({ type: "inbox.deleted", data: { id: empty.body.id } }),
    );

    const busy = await createInbox(server.ctx.db, acme.workspaceId, {
      name: "Busy",
      channel: "email",
      address: address("busy"),
    });
    const contact = await findOrCreateContactByEmail(server.ctx.db, acme.workspaceId, {
      email: "cust@example.test",
    });
    await server.ctx.db
      .insertInto("conversations")
      .values({
        workspace_id: acme.workspaceId,
        number: 1,
        inbox_id: busy.id,
        contact_id: contact.id,
        channel: "email",
      })
      .execute();
    const response = await as(acme, "owner").delete(`/api/v1/inboxes/${busy.id}`);
    expect(response.status).toBe(409);
    expect(response.body.type).toMatch(/inbox_in_use$/);
    expect((await as(acme, "owner").get(`/api/v1/inboxes/${busy.id}`)).status).toBe(200);
    const audit = await as(acme, "owner").get("/api/v1/audit-log");
    expect(audit.body.data[0]).not.toMatchObject({ action: "inbox.deleted", target_id: busy.id });
  });
});
