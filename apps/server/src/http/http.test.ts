import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DurableEventTypes } from "../../../../packages/contracts/src/index.ts";
import {
  apiClient,
  createTestWorkspace,
  databaseKinds,
  type TestServer,
  type TestWorkspace,
  startTestServer,
} from "../test/harness.ts";

describe.each(databaseKinds)("HTTP conventions on %s", (kind) => {
  let server: TestServer;
  let acme: TestWorkspace;

  beforeAll(async () => {
    server = await startTestServer(kind);
    acme = await createTestWorkspace(server, "Acme");
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it("tells browsers not to guess content types, on every kind of response", async () => {
    const token = acme.tokens.agent;
    const responses = [
      await fetch(`${server.url}/widget.js`),
      await fetch(`${server.url}/demo/widget`),
      await fetch(`${server.url}/api/v1/openapi.json`),
      await fetch(`${server.url}/api/docs/`),
      await fetch(`${server.url}/api/v1/conversations`, { headers: { authorization: `Bearer ${token}` } }),
      await fetch(`${server.url}/api/v1/conversations`),
      await fetch(`${server.url}/api/v1/no-such-route`),
    ];
    for (const response of responses) {
      expect(response.headers.get("x-content-type-options"), response.url).toBe("nosniff");
    }
  });

  it("answers /healthz and /readyz", async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
  });

  it("publishes an OpenAPI 3.1 document that says what each operation needs, and browsable docs", async () => {
    const spec = await (await fetch(`${server.url}/api/v1/openapi.json`)).json();
    expect(spec.openapi).toBe("3.1.0");
    expect(spec.paths["/api/v1/auth/login"].post.security).toEqual([]);
    expect(spec.paths["/api/v1/tokens"].post.description).toMatch(/tokens:manage/);
    const docs = await fetch(`${server.url}/api/docs/`, { redirect: "manual" });
    expect([200, 302]).toContain(docs.status);
  });

  it("documents each webhook delivery's body, from the event catalogue", async () => {
    const spec = await (await fetch(`${server.url}/api/v1/openapi.json`)).json();
    const body = spec.webhooks["message.created"].post.requestBody.content["application/json"].schema;
    expect(body.required).toEqual(["id", "type", "created_at", "workspace_id", "data"]);
    expect(body.properties.type.const).toBe("message.created");
    expect(body.description).toMatch(/at least once/);
    expect(body.properties.id.description).toMatch(/idempotency key/);
    const data = body.properties.data;
    expect(data.required).toEqual(["id", "conversation_id", "kind"]);
    expect(data.properties.kind.anyOf.map((k: { const: string }) => k.const)).toEqual([
      "incoming",
      "outgoing",
      "note",
      "activity",
    ]);
    expect(data.properties.channel).toBeDefined();
    expect(Object.keys(spec.webhooks)).toEqual([...DurableEventTypes, "ping"]);
    expect(spec.webhooks.typing).toBeUndefined();
  });

  it("answers an unknown route with a problem+json 404", async () => {
    const response = await apiClient(server.url, acme.tokens.owner).get("/api/v1/no-such-thing");
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toMatch(/application\/problem\+json/);
    expect(response.body.type).toMatch(/not_found$/);
  });

  it("refuses an oversize body with 413 and a non-JSON body with 415", async () => {
    const client = apiClient(server.url, acme.tokens.owner);
    const huge = await client.request(
      "POST",
      "/api/v1/tokens",
      JSON.stringify({ name: "x".repeat(2 * 1024 * 1024) }),
    );
    expect(huge.status).toBe(413);
    expect(huge.body.type).toMatch(/body_too_large$/);
    const xml = await client.request("POST", "/api/v1/tokens", "<name>x</name>", {
      "content-type": "application/xml",
    });
    expect(xml.status).toBe(415);
  });

  it("refuses wrong types without coercing them", async () => {
    const response = await apiClient(server.url, acme.tokens.owner).post("/api/v1/tokens", {
      name: "ci",
      expires_in_days: "30",
    });
    expect(response.status).toBe(400);
    expect(response.body.field).toBe("expires_in_days");
  });

  it("replays a write with the same Idempotency-Key instead of repeating it", async () => {
    const client = apiClient(server.url, acme.tokens.admin);
    const headers = { "idempotency-key": "create-token-1" };
    const first = await client.post("/api/v1/tokens", { name: "once" }, headers);
    const second = await client.post("/api/v1/tokens", { name: "once" }, headers);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.body.api_token.id).toBe(first.body.api_token.id);
    const stored = await server.ctx.db.selectFrom("idempotency_keys").select("response_body").execute();
    expect(JSON.stringify(stored)).not.toContain(first.body.token);
    const tokens = await client.get("/api/v1/tokens");
    expect(tokens.body.data.filter((t: { name: string }) => t.name === "once")).toHaveLength(1);
    const different = await client.post("/api/v1/tokens", { name: "another" }, headers);
    expect(different.status).toBe(422);
    expect(different.body.type).toMatch(/idempotency_key_reused$/);
  });

  it("keeps idempotency keys apart per credential", async () => {
    const headers = { "idempotency-key": "shared-key" };
    const a = await apiClient(server.url, acme.tokens.owner).post("/api/v1/tokens", { name: "a" }, headers);
    const b = await apiClient(server.url, acme.tokens.agent).post("/api/v1/tokens", { name: "b" }, headers);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.api_token.id).not.toBe(a.body.api_token.id);
  });
});

describe("client IP", () => {
  let plain: TestServer;
  let proxied: TestServer;
  beforeAll(async () => {
    [plain, proxied] = await Promise.all([
      startTestServer("pglite"),
      startTestServer("pglite", { TRUST_PROXY: "127.0.0.1" }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([plain?.destroy(), proxied?.destroy()]);
  });

  async function failLoginsFrom(server: TestServer, forwardedFor: string, times: number) {
    let status = 0;
    for (let i = 0; i < times; i++) {
      const response = await fetch(`${server.url}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": forwardedFor },
        body: JSON.stringify({ email: `someone${i}@example.test`, password: "wrong" }),
      });
      status = response.status;
    }
    return status;
  }

  it("ignores X-Forwarded-For unless the proxy is trusted, so a client cannot dodge the IP throttle", async () => {
    for (let i = 0; i < 50; i++) await failLoginsFrom(plain, `203.0.113.${i}`, 1);
    expect(await failLoginsFrom(plain, "198.51.100.7", 1)).toBe(429);
  });

  it("uses X-Forwarded-For from a trusted proxy", async () => {
    await failLoginsFrom(proxied, "203.0.113.9", 50);
    expect(await failLoginsFrom(proxied, "203.0.113.9", 1)).toBe(429);
    expect(await failLoginsFrom(proxied, "198.51.100.7", 1)).toBe(401);
  });
});
