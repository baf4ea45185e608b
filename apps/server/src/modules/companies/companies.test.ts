import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkspaceEvent } from "../../realtime/event-bus.ts";
import {
  apiClient,
  createTestWorkspace,
  databaseKinds,
  type TestServer,
  type TestWorkspace,
  startTestServer,
} from "../../test/harness.ts";
import { createContact } from "../contacts/service.ts";

describe.each(databaseKinds)("companies on %s", (kind) => {
  let server: TestServer;
  let acme: TestWorkspace;
  let globex: TestWorkspace;
  const events: WorkspaceEvent[] = [];

  beforeAll(async () => {
    server = await startTestServer(kind);
    acme = await createTestWorkspace(server, "Acme");
    globex = await createTestWorkspace(server, "Globex");
    server.ctx.events.addSink(async (event) => {
      events.push(event);
    });
  });
  afterAll(async () => {
    await server?.destroy();
  });

  const as = (workspace: TestWorkspace, role: keyof TestWorkspace["tokens"]) =>
    apiClient(server.url, workspace.tokens[role]);

  it("creates a company, audited and published, and shows its contact count", async () => {
    const response = await as(acme, "agent").post("/api/v1/companies", {
      name: "Initech",
      domain: "Initech.Example",
      plan: "growth",
      mrr_cents: 4_900_000,
      attributes: { region: "emea", seats: 40 },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      name: "Initech",
      domain: "initech.example",
      plan: "growth",
      mrr_cents: 4_900_000,
      attributes: { region: "emea", seats: 40 },
    });
    const id = response.body.id;
    await createContact(server.ctx.db, acme.workspaceId, { name: "Peter", company_id: id });
    await createContact(server.ctx.db, acme.workspaceId, { name: "Samir", company_id: id });
    await createContact(server.ctx.db, acme.workspaceId, { name: "Elsewhere" });
    const shown = await as(acme, "viewer").get(`/api/v1/companies/${id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ id, name: "Initech", contact_count: 2, mrr_cents: 4_900_000 });
    const audit = await as(acme, "owner").get("/api/v1/audit-log");
    expect(audit.body.data[0]).toMatchObject({ action: "company.created", target_id: id });
    expect(events).toContainEqual(
      expect.objectContaining({ type: "company.created", workspace_id: acme.workspaceId, data: { id } }),
    );
  });

  it("updates a company, clears fields with null and publishes company.updated", async () => {
    const created = await as(acme, "agent").post("/api/v1/companies", {
      name: "Hooli",
      plan: "starter",
      mrr_cents: 100,
    });
    const response = await as(acme, "agent").patch(`/api/v1/companies/${created.body.id}`, {
      plan: null,
      mrr_cents: 0,
      domain: "hooli.example",
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      name: "Hooli",
      plan: null,
      mrr_cents: 0,
      domain: "hooli.example",
      contact_count: 0,
    });
    const audit = await as(acme, "owner").get("/api/v1/audit-log");
    expect(audit.body.data[0]).toMatchObject({
      action: "company.updated",
      target_id: created.body.id,
      data: { mrr_cents: { from: 100, to: 0 } },
    });
    expect(events).toContainEqual(
      expect.objectContaining({ type: "company.updated", data: { id: created.body.id } }),
    );
  });

  it.each([
    [{ name: "Neg", mrr_cents: -1 }, "mrr_cents"],
    [{ name: "Frac", mrr_cents: 1.5 }, "mrr_cents"],
    [{ name: "Text", mrr_cents: "100" }, "mrr_cents"],
    [{ name: "Dom", domain: "not a domain" }, "domain"],
    [{ name: "Attr", attributes: { nested: { a: 1 } } }, "attributes.nested"],
    [{ name: "" }, "name"],
    [{}, "name"],
  ])("refuses %j naming the field", async (body, field) => {
    const response = await as(acme, "agent").post("/api/v1/companies", body);
    expect(response.status).toBe(400);
    expect(response.body.field).toBe(field);
  });

  it("refuses workspace_id and other unknown fields", async () => {
    const create = await as(acme, "agent").post("/api/v1/companies", {
      name: "M",
      workspace_id: globex.workspaceId,
    });
    expect(create.status).toBe(400);
    expect(create.body.field).toBe("workspace_id");
    const company = await as(acme, "agent").post("/api/v1/companies", { name: "Mass" });
    for (const field of ["workspace_id", "contact_count", "id"]) {
      const patch = await as(acme, "agent").patch(`/api/v1/companies/${company.body.id}`, { [field]: 3 });
      expect(patch.status).toBe(400);
      expect(patch.body.field).toBe(field);
    }
  });

  it("lists newest first with a cursor and matches the start of the name", async () => {
    const tenant = await createTestWorkspace(server, "Lister");
    for (const name of ["Pied Piper", "Aviato", "Piedmont Labs", "Raviga"]) {
      await as(tenant, "agent").post("/api/v1/companies", { name });
    }
    const first = await as(tenant, "viewer").get("/api/v1/companies?limit=3");
    expect(first.body.data.map((c: { name: string }) => c.name)).toEqual([
      "Raviga",
      "Piedmont Labs",
      "Aviato",
    ]);
    const rest = await as(tenant, "viewer").get(`/api/v1/companies?limit=3&cursor=${first.body.next_cursor}`);
    expect(rest.body.data.map((c: { name: string }) => c.name)).toEqual(["Pied Piper"]);
    expect(rest.body.next_cursor).toBeNull();
    const found = await as(tenant, "viewer").get("/api/v1/companies?q=pied");
    expect(found.body.data.map((c: { name: string }) => c.name)).toEqual(["Piedmont Labs", "Pied Piper"]);
    expect((await as(tenant, "viewer").get("/api/v1/companies?q=viat")).body.data).toEqual([]);
    expect((await as(acme, "viewer").get("/api/v1/companies?q=raviga")).body.data).toEqual([]);
  });

  it("forbids viewers to create, change or delete companies", async () => {
    const company = await as(acme, "agent").post("/api/v1/companies", { name: "Guarded" });
    expect((await as(acme, "viewer").post("/api/v1/companies", { name: "Mine" })).status).toBe(403);
    expect(
      (await as(acme, "viewer").patch(`/api/v1/companies/${company.body.id}`, { name: "Mine" })).status,
    ).toBe(403);
    expect((await as(acme, "viewer").delete(`/api/v1/companies/${company.body.id}`)).status).toBe(403);
    expect((await as(acme, "viewer").get(`/api/v1/companies/${company.body.id}`)).body.name).toBe("Guarded");
  });

  it("answers 404 for another workspace's company, for reading, changing and deleting", async () => {
    const company = await as(acme, "agent").post("/api/v1/companies", { name: "Private" });
    const id = company.body.id;
    expect((await as(globex, "owner").get(`/api/v1/companies/${id}`)).status).toBe(404);
    expect((await as(globex, "owner").patch(`/api/v1/companies/${id}`, { name: "Taken" })).status).toBe(404);
    expect((await as(globex, "owner").delete(`/api/v1/companies/${id}`)).status).toBe(404);
    expect((await as(acme, "owner").get(`/api/v1/companies/${id}`)).body.name).toBe("Private");
  });

  it("deletes a company and keeps its contacts, now without a company", async () => {
    const company = await as(acme, "agent").post("/api/v1/companies", { name: "Doomed" });
    const contact = await createContact(server.ctx.db, acme.workspaceId, {
      name: "Survivor",
      company_id: company.body.id,
    });
    expect((await as(acme, "agent").delete(`/api/v1/companies/${company.body.id}`)).status).toBe(204);
    expect((await as(acme, "agent").get(`/api/v1/companies/${company.body.id}`)).status).toBe(404);
    const survivor = await as(acme, "agent").get(`/api/v1/contacts/${contact.id}`);
    expect(survivor.body).toMatchObject({ name: "Survivor", company_id: null });
    expect(events).toContainEqual(
      expect.objectContaining({ type: "company.deleted", data: { id: company.body.id } }),
    );
  });
});
