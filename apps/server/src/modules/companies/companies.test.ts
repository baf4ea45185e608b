import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiClient,
  createTestWorkspace,
  databaseKinds,
  startTestServer,
  type TestServer,
  type TestWorkspace,
  eventLog,
} from "../../test/harness.ts";
import { createContact } from "../contacts/service.ts";

describe.each(databaseKinds)("companies on %s", (kind) => {
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
    expect(await events.all()).toContainEqual(
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
    expect(await events.all()).toContainEqual(
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
    expect(await events.all()).toContainEqual(
      expect.objectContaining({ type: "company.deleted", data: { id: company.body.id } }),
    );
  });

  it("keeps customer-record fields: seats, dates, an owner of this workspace and a lifecycle stage", async () => {
    const created = await as(acme, "agent").post("/api/v1/companies", {
      name: "Vandelay",
      seats: 25,
      seats_used: 20,
      signup_at: "2025-03-01T00:00:00Z",
      renewal_at: "2027-03-01T00:00:00Z",
      owner_agent_id: acme.agents.agent,
      lifecycle_stage: "active",
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      seats: 25,
      seats_used: 20,
      owner_agent_id: acme.agents.agent,
      lifecycle_stage: "active",
      stripe_customer_id: null,
      billing_status: null,
    });
    expect(new Date(created.body.renewal_at).toISOString()).toBe("2027-03-01T00:00:00.000Z");
    const foreign = await as(acme, "agent").patch(`/api/v1/companies/${created.body.id}`, {
      owner_agent_id: globex.agents.agent,
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.field).toBe("owner_agent_id");
    const stage = await as(acme, "agent").patch(`/api/v1/companies/${created.body.id}`, {
      lifecycle_stage: "gone",
    });
    expect(stage.body.field).toBe("lifecycle_stage");
    const cleared = await as(acme, "agent").patch(`/api/v1/companies/${created.body.id}`, { seats: null });
    expect(cleared.body).toMatchObject({ seats: null, seats_used: 20, lifecycle_stage: "active" });
  });

  describe("CSV import", () => {
    const csv = [
      "Name,Domain,Plan,MRR,Seats,Seats Used,Renewal At,Owner Email,Lifecycle Stage,Region",
      'Massive Dynamic,massive.test,Growth,"1,250.50",40,38,2027-01-31,agent@OWNER,active,emea',
      "Wayne Enterprises,wayne.test,,99,,,,,trial,",
    ].join("\n");

    it("previews without writing, then imports, matching existing companies by domain", async () => {
      const tenant = await createTestWorkspace(server, "Importer");
      const agent = await server.ctx.db
        .selectFrom("agents")
        .select("email")
        .where("id", "=", tenant.agents.agent)
        .executeTakeFirstOrThrow();
      const file = csv.replace("agent@OWNER", agent.email.toUpperCase());
      await as(tenant, "agent").post("/api/v1/companies", {
        name: "Wayne Ent.",
        domain: "wayne.test",
        attributes: { tier: "gold" },
      });
      const preview = await as(tenant, "agent").post("/api/v1/companies/import", {
        csv: file,
        dry_run: true,
      });
      expect(preview.status).toBe(200);
      expect(preview.body).toMatchObject({ dry_run: true, total: 2, created: 1, updated: 1 });
      expect(preview.body.preview[0]).toMatchObject({
        line: 2,
        action: "create",
        name: "Massive Dynamic",
        fields: {
          domain: "massive.test",
          plan: "Growth",
          mrr_cents: 125_050,
          seats: 40,
          seats_used: 38,
          attributes: { region: "emea" },
        },
      });
      expect((await as(tenant, "viewer").get("/api/v1/companies?q=massive")).body.data).toEqual([]);

      const done = await as(tenant, "agent").post("/api/v1/companies/import", { csv: file });
      expect(done.body).toMatchObject({ dry_run: false, created: 1, updated: 1 });
      const massive = (await as(tenant, "viewer").get("/api/v1/companies?q=massive")).body.data[0];
      expect(massive).toMatchObject({
        mrr_cents: 125_050,
        seats: 40,
        lifecycle_stage: "active",
        attributes: { region: "emea" },
      });
      expect(massive.owner_agent_id).toBe(tenant.agents.agent);
      const wayne = (await as(tenant, "viewer").get("/api/v1/companies?q=wayne")).body.data;
      expect(wayne).toHaveLength(1);
      expect(wayne[0]).toMatchObject({
        name: "Wayne Enterprises",
        mrr_cents: 9900,
        lifecycle_stage: "trial",
        attributes: { tier: "gold" },
      });
    });

    it("reports every bad row by line and column and imports nothing", async () => {
      const tenant = await createTestWorkspace(server, "Careful");
      const bad = [
        "name,domain,mrr,seats,renewal_at,owner_email,lifecycle_stage",
        "Good Co,good.test,10,1,2027-01-01,,active",
        ",nameless.test,10,1,,,",
        "Bad Money,money.test,ten dollars,-3,someday,nobody@else.test,zombie",
        "Good Again,good.test,1,1,,,",
      ].join("\n");
      const response = await as(tenant, "agent").post("/api/v1/companies/import", { csv: bad });
      expect(response.status).toBe(422);
      expect(response.body.row_errors).toEqual([
        { line: 3, column: "name", message: "Every company needs a name" },
        { line: 4, column: "mrr", message: '"ten dollars" is not an amount like 1234.50' },
        { line: 4, column: "seats", message: '"-3" is not a whole number of 0 or more' },
        { line: 4, column: "renewal_at", message: '"someday" is not a date like 2026-11-28' },
        { line: 4, column: "owner_email", message: "nobody@else.test is not an agent of this workspace" },
        {
          line: 4,
          column: "lifecycle_stage",
          message: '"zombie" is not one of trial, onboarding, active, renewal, churned',
        },
        { line: 5, column: "domain", message: "Same company as line 2" },
      ]);
      expect(response.body.field).toBe("csv.line[3].name");
      expect((await as(tenant, "viewer").get("/api/v1/companies")).body.data).toEqual([]);
      const broken = await as(tenant, "agent").post("/api/v1/companies/import", {
        csv: 'name\n"unterminated',
      });
      expect(broken.status).toBe(400);
      expect(broken.body.field).toBe("csv");
      const headless = await as(tenant, "agent").post("/api/v1/companies/import", { csv: "domain\na.test" });
      expect(headless.body.field).toBe("csv");
      expect((await as(tenant, "viewer").post("/api/v1/companies/import", { csv: "name\nX" })).status).toBe(
        403,
      );
    });
  });
});
