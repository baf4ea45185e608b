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
import { createCompany } from "../companies/service.ts";
import { createInbox } from "../inboxes/service.ts";
import { createContact } from "./service.ts";

describe.each(databaseKinds)("contacts on %s", (kind) => {
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

  it("creates a contact with attributes and a company of the workspace, audited and published", async () => {
    const company = await createCompany(server.ctx.db, acme.workspaceId, { name: "Initech" });
    const response = await as(acme, "agent").post("/api/v1/contacts", {
      name: "Peter Gibbons",
      email: "peter@initech.test",
      phone: "+1 555 0100",
      company_id: company.id,
      attributes: { plan_seats: 12, beta: true, source: "webinar", churned_at: null },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      name: "Peter Gibbons",
      email: "peter@initech.test",
      phone: "+1 555 0100",
      company_id: company.id,
      attributes: { plan_seats: 12, beta: true, source: "webinar", churned_at: null },
    });
    expect(response.body).not.toHaveProperty("workspace_id");
    const audit = await as(acme, "owner").get("/api/v1/audit-log");
    expect(audit.body.data[0]).toMatchObject({ action: "contact.created", target_id: response.body.id });
    expect(await events.all()).toContainEqual(
      expect.objectContaining({
        type: "contact.created",
        workspace_id: acme.workspaceId,
        data: { id: response.body.id },
      }),
    );
  });

  it("keeps emails unique within a workspace, ignoring case, but not across workspaces", async () => {
    expect((await as(acme, "agent").post("/api/v1/contacts", { email: "Dup@Example.test" })).status).toBe(
      201,
    );
    const clash = await as(acme, "agent").post("/api/v1/contacts", { email: "dup@example.TEST" });
    expect(clash.status).toBe(409);
    expect(clash.body.field).toBe("email");
    expect((await as(globex, "agent").post("/api/v1/contacts", { email: "dup@example.test" })).status).toBe(
      201,
    );
    const other = await as(acme, "agent").post("/api/v1/contacts", { email: "other@example.test" });
    const moved = await as(acme, "agent").patch(`/api/v1/contacts/${other.body.id}`, {
      email: "DUP@example.test",
    });
    expect(moved.status).toBe(409);
    expect(moved.body.field).toBe("email");
  });

  it("refuses a company of another workspace with 400 naming company_id", async () => {
    const foreign = await createCompany(server.ctx.db, globex.workspaceId, { name: "Globex Corp" });
    const response = await as(acme, "agent").post("/api/v1/contacts", {
      name: "Spy",
      company_id: foreign.id,
    });
    expect(response.status).toBe(400);
    expect(response.body.field).toBe("company_id");
    const contact = await as(acme, "agent").post("/api/v1/contacts", { name: "Honest" });
    const patch = await as(acme, "agent").patch(`/api/v1/contacts/${contact.body.id}`, {
      company_id: foreign.id,
    });
    expect(patch.status).toBe(400);
    expect(patch.body.field).toBe("company_id");
  });

  it.each([
    [{ email: "not-an-email" }, "email"],
    [{ attributes: { nested: { deep: 1 } } }, "attributes.nested"],
    [{ attributes: { list: [1, 2] } }, "attributes.list"],
    [{ attributes: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) }, "attributes"],
    [{ company_id: "not-a-uuid" }, "company_id"],
    [{ name: "" }, "name"],
  ])("refuses %j naming the field", async (body, field) => {
    const response = await as(acme, "agent").post("/api/v1/contacts", body);
    expect(response.status).toBe(400);
    expect(response.body.field).toBe(field);
  });

  it("refuses workspace_id, id and other unknown fields", async () => {
    for (const field of ["workspace_id", "id", "created_at"]) {
      const response = await as(acme, "agent").post("/api/v1/contacts", {
        name: "M",
        [field]: globex.workspaceId,
      });
      expect(response.status).toBe(400);
      expect(response.body.field).toBe(field);
    }
    const contact = await as(acme, "agent").post("/api/v1/contacts", { name: "Mass" });
    const patch = await as(acme, "agent").patch(`/api/v1/contacts/${contact.body.id}`, {
      workspace_id: globex.workspaceId,
    });
    expect(patch.status).toBe(400);
    expect(patch.body.field).toBe("workspace_id");
  });

  it("updates fields, clears them with null, and replaces the attributes", async () => {
    const contact = await as(acme, "agent").post("/api/v1/contacts", {
      name: "Milton",
      email: "milton@initech.test",
      phone: "555",
      attributes: { stapler: "red", floor: 4 },
    });
    const response = await as(acme, "agent").patch(`/api/v1/contacts/${contact.body.id}`, {
      name: "Milton Waddams",
      phone: null,
      attributes: { basement: true },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      name: "Milton Waddams",
      email: "milton@initech.test",
      phone: null,
      attributes: { basement: true },
    });
    expect(new Date(response.body.updated_at).getTime()).toBeGreaterThanOrEqual(
      new Date(contact.body.updated_at).getTime(),
    );
    expect(await events.all()).toContainEqual(
      expect.objectContaining({ type: "contact.updated", data: { id: contact.body.id } }),
    );
  });

  it("lists newest first with a cursor, filters by company and matches the start of a name or email", async () => {
    const tenant = await createTestWorkspace(server, "Lister");
    const company = await createCompany(server.ctx.db, tenant.workspaceId, { name: "Hooli" });
    for (const [name, email] of [
      ["Gavin Belson", "gavin@hooli.test"],
      ["Richard Hendricks", "richard@piedpiper.test"],
      ["Big Head", "bighead@hooli.test"],
      ["Erlich 100%_sure", "erlich@aviato.test"],
      ["Jared Dunn", "jared@piedpiper.test"],
    ]) {
      await as(tenant, "agent").post("/api/v1/contacts", {
        name,
        email,
        ...(email.endsWith("hooli.test") ? { company_id: company.id } : {}),
      });
    }
    const first = await as(tenant, "viewer").get("/api/v1/contacts?limit=2");
    expect(first.status).toBe(200);
    expect(first.body.data.map((c: { name: string }) => c.name)).toEqual(["Jared Dunn", "Erlich 100%_sure"]);
    const second = await as(tenant, "viewer").get(
      `/api/v1/contacts?limit=2&cursor=${first.body.next_cursor}`,
    );
    expect(second.body.data.map((c: { name: string }) => c.name)).toEqual(["Big Head", "Richard Hendricks"]);
    const third = await as(tenant, "viewer").get(
      `/api/v1/contacts?limit=2&cursor=${second.body.next_cursor}`,
    );
    expect(third.body.data.map((c: { name: string }) => c.name)).toEqual(["Gavin Belson"]);
    expect(third.body.next_cursor).toBeNull();

    const names = async (query: string) =>
      (await as(tenant, "viewer").get(`/api/v1/contacts?${query}`)).body.data.map(
        (c: { name: string }) => c.name,
      );
    expect(await names("q=RICH")).toEqual(["Richard Hendricks"]);
    expect(await names("q=jared%40pied")).toEqual(["Jared Dunn"]);
    expect(await names("q=hendricks")).toEqual([]);
    expect(await names("q=%25")).toEqual([]);
    expect(await names(`company_id=${company.id}`)).toEqual(["Big Head", "Gavin Belson"]);
    expect(await names(`company_id=${company.id}&q=big`)).toEqual(["Big Head"]);
    expect((await as(tenant, "viewer").get("/api/v1/contacts?cursor=garbage")).body.field).toBe("cursor");
    const other = await as(acme, "viewer").get("/api/v1/contacts?q=gavin");
    expect(other.body.data).toEqual([]);
  });

  it("forbids viewers to create, change or delete contacts", async () => {
    const contact = await as(acme, "agent").post("/api/v1/contacts", { name: "Guarded" });
    expect((await as(acme, "viewer").post("/api/v1/contacts", { name: "Mine" })).status).toBe(403);
    expect(
      (await as(acme, "viewer").patch(`/api/v1/contacts/${contact.body.id}`, { name: "Mine" })).status,
    ).toBe(403);
    expect((await as(acme, "viewer").delete(`/api/v1/contacts/${contact.body.id}`)).status).toBe(403);
    expect((await as(acme, "viewer").get(`/api/v1/contacts/${contact.body.id}`)).body.name).toBe("Guarded");
  });

  it("answers 404 for another workspace's contact, for reading, changing and deleting", async () => {
    const contact = await as(acme, "agent").post("/api/v1/contacts", { name: "Private" });
    const id = contact.body.id;
    expect((await as(globex, "owner").get(`/api/v1/contacts/${id}`)).status).toBe(404);
    expect((await as(globex, "owner").patch(`/api/v1/contacts/${id}`, { name: "Taken" })).status).toBe(404);
    expect((await as(globex, "owner").delete(`/api/v1/contacts/${id}`)).status).toBe(404);
    expect((await as(acme, "owner").get(`/api/v1/contacts/${id}`)).body.name).toBe("Private");
  });

  it("deletes a contact without conversations, and refuses with 409 one that has some", async () => {
    const free = await as(acme, "agent").post("/api/v1/contacts", { name: "Free" });
    expect((await as(acme, "agent").delete(`/api/v1/contacts/${free.body.id}`)).status).toBe(204);
    expect((await as(acme, "agent").get(`/api/v1/contacts/${free.body.id}`)).status).toBe(404);
    expect(await events.all()).toContainEqual(
      expect.objectContaining({ type: "contact.deleted", data: { id: free.body.id } }),
    );

    const busy = await createContact(server.ctx.db, acme.workspaceId, {
      name: "Busy",
      email: "busy@example.test",
    });
    const inbox = await createInbox(server.ctx.db, acme.workspaceId, { name: "Chat", channel: "chat" });
    await server.ctx.db
      .insertInto("conversations")
      .values({
        workspace_id: acme.workspaceId,
        number: 1,
        inbox_id: inbox.id,
        contact_id: busy.id,
        channel: "chat",
      })
      .execute();
    const response = await as(acme, "agent").delete(`/api/v1/contacts/${busy.id}`);
    expect(response.status).toBe(409);
    expect(response.body.type).toMatch(/contact_in_use$/);
    expect((await as(acme, "agent").get(`/api/v1/contacts/${busy.id}`)).status).toBe(200);
  });
});
