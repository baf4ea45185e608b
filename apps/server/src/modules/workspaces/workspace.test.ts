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

describe.each(databaseKinds)("the workspace and its settings on %s", (kind) => {
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

  it("shows the caller's own workspace with default settings to every role", async () => {
    const response = await as(acme, "viewer").get("/api/v1/workspace");
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: acme.workspaceId, name: "Acme" });
    expect(response.body.slug).toMatch(/^acme-/);
    expect(response.body.settings).toEqual({
      time_zone: "UTC",
      business_hours: {
        monday: [{ open: "09:00", close: "17:00" }],
        tuesday: [{ open: "09:00", close: "17:00" }],
        wednesday: [{ open: "09:00", close: "17:00" }],
        thursday: [{ open: "09:00", close: "17:00" }],
        friday: [{ open: "09:00", close: "17:00" }],
        saturday: [],
        sunday: [],
      },
      holidays: [],
      target_response_minutes: 60,
      email_max_message_bytes: 25 * 1024 * 1024,
    });
    const other = await as(globex, "viewer").get("/api/v1/workspace");
    expect(other.body.id).toBe(globex.workspaceId);
  });

  it("lets an admin rename the workspace and change its settings, keeping what was left out", async () => {
    const response = await as(acme, "admin").patch("/api/v1/workspace", {
      name: "Acme Corp",
      settings: {
        time_zone: "europe/paris",
        business_hours: {
          monday: [
            { open: "13:00", close: "18:00" },
            { open: "08:30", close: "12:00" },
          ],
          sunday: [{ open: "10:00", close: "24:00" }],
        },
        holidays: ["2026-12-25", "2026-01-01", "2026-12-25"],
        target_response_minutes: 30,
      },
    });
    expect(response.status).toBe(200);
    expect(response.body.name).toBe("Acme Corp");
    const settings = response.body.settings;
    expect(settings.time_zone).toBe("Europe/Paris");
    expect(settings.business_hours.monday).toEqual([
      { open: "08:30", close: "12:00" },
      { open: "13:00", close: "18:00" },
    ]);
    expect(settings.business_hours.tuesday).toEqual([{ open: "09:00", close: "17:00" }]);
    expect(settings.business_hours.sunday).toEqual([{ open: "10:00", close: "24:00" }]);
    expect(settings.holidays).toEqual(["2026-01-01", "2026-12-25"]);
    expect(settings.target_response_minutes).toBe(30);

    const again = await as(acme, "owner").patch("/api/v1/workspace", {
      settings: { target_response_minutes: 45 },
    });
    expect(again.body.settings.time_zone).toBe("Europe/Paris");
    expect(again.body.settings.holidays).toEqual(["2026-01-01", "2026-12-25"]);
    expect((await as(acme, "agent").get("/api/v1/workspace")).body.settings.target_response_minutes).toBe(45);
  });

  it("records the change in the audit log and publishes workspace.updated", async () => {
    await as(acme, "owner").patch("/api/v1/workspace", { name: "Acme" });
    const audit = await as(acme, "owner").get("/api/v1/audit-log");
    expect(audit.body.data[0]).toMatchObject({ action: "workspace.updated", target_id: acme.workspaceId });
    expect(await events.all()).toContainEqual(
      expect.objectContaining({ type: "workspace.updated", workspace_id: acme.workspaceId }),
    );
  });

  it.each([
    [{ settings: { time_zone: "Mars/Olympus_Mons" } }, "settings.time_zone"],
    [{ settings: { time_zone: "+02:00" } }, "settings.time_zone"],
    [
      { settings: { business_hours: { monday: [{ open: "18:00", close: "09:00" }] } } },
      "settings.business_hours.monday",
    ],
    [
      {
        settings: {
          business_hours: {
            friday: [
              { open: "09:00", close: "13:00" },
              { open: "12:00", close: "17:00" },
            ],
          },
        },
      },
      "settings.business_hours.friday",
    ],
    [
      { settings: { business_hours: { monday: [{ open: "9:00", close: "17:00" }] } } },
      "settings.business_hours.monday.0.open",
    ],
    [{ settings: { business_hours: { funday: [] } } }, "settings.business_hours.funday"],
    [{ settings: { holidays: ["2026-02-30"] } }, "settings.holidays.0"],
    [{ settings: { target_response_minutes: 0 } }, "settings.target_response_minutes"],
    [{ settings: { target_response_minutes: 10081 } }, "settings.target_response_minutes"],
    [{ settings: { email_max_message_bytes: 1000 } }, "settings.email_max_message_bytes"],
    [{ settings: { colour: "blue" } }, "settings.colour"],
    [{ name: "" }, "name"],
  ])("refuses invalid settings %j naming the field", async (body, field) => {
    const response = await as(acme, "owner").patch("/api/v1/workspace", body);
    expect(response.status).toBe(400);
    expect(response.body.field).toBe(field);
  });

  it("refuses a workspace_id or a slug in the body as unknown fields", async () => {
    for (const field of ["workspace_id", "slug", "id"]) {
      const response = await as(acme, "owner").patch("/api/v1/workspace", { [field]: globex.workspaceId });
      expect(response.status).toBe(400);
      expect(response.body.field).toBe(field);
    }
    expect((await as(globex, "owner").get("/api/v1/workspace")).body.name).toBe("Globex");
  });

  it("forbids agents and viewers to change the workspace", async () => {
    for (const role of ["agent", "viewer"] as const) {
      const response = await as(acme, role).patch("/api/v1/workspace", { name: "Hijacked" });
      expect(response.status).toBe(403);
    }
    expect((await as(acme, "viewer").get("/api/v1/workspace")).body.name).toBe("Acme");
  });

  it("changes only the caller's workspace, never another one", async () => {
    await as(globex, "owner").patch("/api/v1/workspace", { settings: { target_response_minutes: 5 } });
    expect((await as(acme, "owner").get("/api/v1/workspace")).body.settings.target_response_minutes).toBe(45);
    expect((await as(globex, "owner").get("/api/v1/workspace")).body.settings.target_response_minutes).toBe(
      5,
    );
  });

  it("asks for a credential", async () => {
    expect((await apiClient(server.url).get("/api/v1/workspace")).status).toBe(401);
  });
});
