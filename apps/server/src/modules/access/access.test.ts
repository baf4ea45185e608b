import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiClient,
  createTestWorkspace,
  databaseKinds,
  type TestServer,
  type TestWorkspace,
  startTestServer,
} from "../../test/harness.ts";

describe.each(databaseKinds)("accounts and access on %s", (kind) => {
  let server: TestServer;
  let acme: TestWorkspace;

  beforeAll(async () => {
    server = await startTestServer(kind);
    acme = await createTestWorkspace(server, "Acme");
  });
  afterAll(async () => {
    await server?.destroy();
  });

  async function login(email: string, password: string) {
    const response = await fetch(`${server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
    return { response, body: await response.json(), cookie: response.headers.get("set-cookie") ?? "" };
  }

  it("signs in with email and password and sets an HTTP-only SameSite cookie", async () => {
    const email = (await apiClient(server.url, acme.tokens.owner).get("/api/v1/auth/session")).body.agent
      .email;
    const { response, body, cookie } = await login(email, "correct horse battery staple");
    expect(response.status).toBe(200);
    expect(body.workspace.role).toBe("owner");
    expect(body.csrf_token).toMatch(/.{20,}/);
    expect(cookie).toMatch(/kw_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
  });

  it("refuses a cookie-authenticated write without the CSRF token, accepts it with", async () => {
    const email = (await apiClient(server.url, acme.tokens.owner).get("/api/v1/auth/session")).body.agent
      .email;
    const { body, cookie } = await login(email, "correct horse battery staple");
    const sessionCookie = cookie.split(";")[0];
    const without = await fetch(`${server.url}/api/v1/tokens`, {
      method: "POST",
      headers: { cookie: sessionCookie, "content-type": "application/json" },
      body: JSON.stringify({ name: "ci" }),
    });
    expect(without.status).toBe(403);
    expect((await without.json()).type).toMatch(/csrf_failed$/);
    const withToken = await fetch(`${server.url}/api/v1/tokens`, {
      method: "POST",
      headers: { cookie: sessionCookie, "content-type": "application/json", "x-csrf-token": body.csrf_token },
      body: JSON.stringify({ name: "ci" }),
    });
    expect(withToken.status).toBe(201);
  });

  it("answers the same for a wrong password and an unknown email, and throttles repeated failures", async () => {
    const wrong = await login("viewer@nowhere.test", "nope");
    expect(wrong.response.status).toBe(401);
    const unknown = await login("nobody-at-all@nowhere.test", "nope");
    expect(unknown.response.status).toBe(401);
    expect(unknown.body.title).toBe(wrong.body.title);
    let last = 0;
    for (let i = 0; i < 6; i++) last = (await login("target@nowhere.test", "guess")).response.status;
    expect(last).toBe(429);
  });

  it("shows an API token once, stores only its hash, and refuses it once revoked", async () => {
    const owner = apiClient(server.url, acme.tokens.owner);
    const created = await owner.post("/api/v1/tokens", { name: "zapier" });
    expect(created.status).toBe(201);
    const token: string = created.body.token;
    expect(token).toMatch(/^kw_/);
    const list = await owner.get("/api/v1/tokens");
    expect(JSON.stringify(list.body)).not.toContain(token);
    const stored = await server.ctx.db
      .selectFrom("api_tokens")
      .select("token_hash")
      .where("id", "=", created.body.api_token.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(token);
    expect((await apiClient(server.url, token).get("/api/v1/auth/session")).status).toBe(200);
    expect((await owner.delete(`/api/v1/tokens/${created.body.api_token.id}`)).status).toBe(204);
    const after = await apiClient(server.url, token).get("/api/v1/auth/session");
    expect(after.status).toBe(401);
    expect(after.headers.get("content-type")).toMatch(/application\/problem\+json/);
  });

  it("resets a password with a single-use token and answers alike for unknown emails", async () => {
    const anonymous = apiClient(server.url);
    const email = (await apiClient(server.url, acme.tokens.agent).get("/api/v1/auth/session")).body.agent
      .email;
    const known = await anonymous.post("/api/v1/auth/password-reset", { email });
    const unknown = await anonymous.post("/api/v1/auth/password-reset", { email: "ghost@nowhere.test" });
    expect(known.status).toBe(202);
    expect(unknown.body).toEqual(known.body);
    const mail = server.ctx.notify.sent.findLast((m) => m.to === email)!;
    const token = /token=([\w-]+)/.exec(mail.text)![1];
    const confirm = await anonymous.post("/api/v1/auth/password-reset/confirm", {
      token,
      password: "a brand new password",
    });
    expect(confirm.status).toBe(204);
    const again = await anonymous.post("/api/v1/auth/password-reset/confirm", {
      token,
      password: "another new password",
    });
    expect(again.status).toBe(400);
    expect(again.body.field).toBe("token");
    expect((await login(email, "a brand new password")).response.status).toBe(200);
  });

  it("never assigns role or workspace from a body (unknown fields are refused)", async () => {
    const response = await apiClient(server.url, acme.tokens.agent).post("/api/v1/tokens", {
      name: "x",
      role: "owner",
    });
    expect(response.status).toBe(400);
    expect(response.body.field).toBe("role");
  });

  it("answers malformed JSON with a problem naming the body", async () => {
    const response = await apiClient(server.url, acme.tokens.agent).request(
      "POST",
      "/api/v1/tokens",
      "{not json",
    );
    expect(response.status).toBe(400);
    expect(response.body.type).toMatch(/malformed_json$/);
  });
});
