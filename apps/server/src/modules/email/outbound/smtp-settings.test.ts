import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds, startTestServer, type TestServer } from "../../../test/harness.ts";
import { type MailWorkspace, mailWorkspace } from "./test-fixture.ts";

const PASSWORD = "pa55-Secret-that-must-never-leak";

describe.each(databaseKinds)("SMTP settings of email inboxes on %s", (kind) => {
  let server: TestServer;
  let acme: MailWorkspace;
  let globex: MailWorkspace;
  const responses: unknown[] = [];

  beforeAll(async () => {
    server = await startTestServer(kind);
    [acme, globex] = await Promise.all([mailWorkspace(server, "Acme"), mailWorkspace(server, "Globex")]);
  });
  afterAll(async () => {
    await server?.destroy();
  });

  const settings = {
    host: "smtp.acme.test",
    port: 587,
    security: "starttls",
    username: "support@acme.test",
    password: PASSWORD,
    from_name: "Acme Support",
  };

  it("stores the settings and answers only whether a password is set", async () => {
    const saved = await acme.as.owner.put(`/api/v1/inboxes/${acme.inboxId}/smtp`, settings);
    responses.push(saved.body);
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      mode: "smtp",
      host: "smtp.acme.test",
      port: 587,
      security: "starttls",
      username: "support@acme.test",
      password_set: true,
      from_name: "Acme Support",
    });
    expect(saved.body).not.toHaveProperty("password");
    const shown = await acme.as.admin.get(`/api/v1/inboxes/${acme.inboxId}/smtp`);
    responses.push(shown.body);
    expect(shown.body).toEqual(saved.body);
  });

  it("keeps the stored password when a change leaves it out, and removes it on null", async () => {
    const { password: _, ...withoutPassword } = settings;
    const kept = await acme.as.admin.put(`/api/v1/inboxes/${acme.inboxId}/smtp`, {
      ...withoutPassword,
      port: 2587,
    });
    responses.push(kept.body);
    expect(kept.body).toMatchObject({ port: 2587, password_set: true });
    const row = await sql<{ password_sealed: string }>`
      select password_sealed from email_smtp_settings where inbox_id = ${acme.inboxId}`.execute(
      server.ctx.db,
    );
    expect(row.rows[0].password_sealed).toMatch(/^v1\./);
    const cleared = await acme.as.admin.put(`/api/v1/inboxes/${acme.inboxId}/smtp`, {
      ...settings,
      password: null,
    });
    responses.push(cleared.body);
    expect(cleared.body.password_set).toBe(false);
    const restored = await acme.as.owner.put(`/api/v1/inboxes/${acme.inboxId}/smtp`, settings);
    responses.push(restored.body);
  });

  it("never lets the password appear in an API response or in clear in the database", async () => {
    for (const path of [
      `/api/v1/inboxes/${acme.inboxId}/smtp`,
      `/api/v1/inboxes/${acme.inboxId}`,
      "/api/v1/inboxes",
      "/api/v1/audit-log",
    ]) {
      const response = await acme.as.owner.get(path);
      responses.push(response.body);
    }
    expect(JSON.stringify(responses)).not.toContain(PASSWORD);
    const dump = await sql<{ dump: string }>`
      select (select coalesce(string_agg(s::text, ' '), '') from email_smtp_settings s)
        || (select coalesce(string_agg(a::text, ' '), '') from audit_log a) as dump`.execute(server.ctx.db);
    expect(dump.rows[0].dump).toContain("smtp.acme.test");
    expect(dump.rows[0].dump).not.toContain(PASSWORD);
  });

  it("goes back to the outbox when the settings are removed", async () => {
    const removed = await acme.as.owner.delete(`/api/v1/inboxes/${acme.inboxId}/smtp`);
    expect(removed.status).toBe(204);
    const shown = await acme.as.owner.get(`/api/v1/inboxes/${acme.inboxId}/smtp`);
    expect(shown.body).toMatchObject({ mode: "outbox", host: null, password_set: false });
  });

  it("refuses unknown fields and impossible ports", async () => {
    const unknown = await acme.as.owner.put(`/api/v1/inboxes/${acme.inboxId}/smtp`, {
      ...settings,
      tls: true,
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.field).toBe("tls");
    const port = await acme.as.owner.put(`/api/v1/inboxes/${acme.inboxId}/smtp`, {
      ...settings,
      port: 70000,
    });
    expect(port.status).toBe(400);
    expect(port.body.field).toBe("port");
  });

  it("answers 409 for an inbox of another channel", async () => {
    const chat = await acme.as.owner.post("/api/v1/inboxes", { name: "Chat", channel: "chat" });
    const response = await acme.as.owner.get(`/api/v1/inboxes/${chat.body.id}/smtp`);
    expect(response.status).toBe(409);
    expect(response.body.type).toMatch(/not_an_email_inbox$/);
  });

  it("answers 404 to another workspace, for reading, changing, testing and removing", async () => {
    const base = `/api/v1/inboxes/${acme.inboxId}`;
    expect((await globex.as.owner.get(`${base}/smtp`)).status).toBe(404);
    expect((await globex.as.owner.put(`${base}/smtp`, settings)).status).toBe(404);
    expect((await globex.as.owner.post(`${base}/smtp/test`, { to: "x@example.test" })).status).toBe(404);
    expect((await globex.as.owner.delete(`${base}/smtp`)).status).toBe(404);
    expect((await globex.as.owner.get(`${base}/auto-acknowledgement`)).status).toBe(404);
    const template = { subject: "Got it", body: "Thanks" };
    expect((await globex.as.owner.put(`${base}/auto-acknowledgement`, template)).status).toBe(404);
  });

  it("is for owners and admins only: agents and viewers get 403", async () => {
    const base = `/api/v1/inboxes/${acme.inboxId}`;
    for (const role of ["agent", "viewer"] as const) {
      expect((await acme.as[role].get(`${base}/smtp`)).status).toBe(403);
      expect((await acme.as[role].put(`${base}/smtp`, settings)).status).toBe(403);
      expect((await acme.as[role].post(`${base}/smtp/test`, { to: "x@example.test" })).status).toBe(403);
      expect((await acme.as[role].delete(`${base}/smtp`)).status).toBe(403);
      expect((await acme.as[role].get(`${base}/auto-acknowledgement`)).status).toBe(403);
    }
  });

  it("shows the default acknowledgement, switched off, and saves a new wording", async () => {
    const shown = await acme.as.admin.get(`/api/v1/inboxes/${acme.inboxId}/auto-acknowledgement`);
    expect(shown.status).toBe(200);
    expect(shown.body.enabled).toBe(false);
    expect(shown.body.body).toContain("{{number}}");
    const saved = await acme.as.admin.put(`/api/v1/inboxes/${acme.inboxId}/auto-acknowledgement`, {
      subject: "We got it: {{subject}}",
      body: "Hi {{contact_name}}, ticket #{{number}} is open.",
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ subject: "We got it: {{subject}}", limit_per_address_per_hour: 3 });
  });
});
