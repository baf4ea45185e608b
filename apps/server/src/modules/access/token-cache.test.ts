import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiClient,
  createTestWorkspace,
  databaseKinds,
  startTestServer,
  type TestServer,
} from "../../test/harness.ts";
import { eventually } from "../conversations/test-support.ts";

/*
 * Resolved API tokens are cached for a few seconds (authenticate.ts). A cached token must never
 * outlive its revocation, its expiry, its agent's removal or a lower role: on the instance that made
 * the change at once, on the others as soon as the notification arrives.
 */

describe.each(databaseKinds)("cached API tokens on %s", (kind) => {
  let server: TestServer;
  let clock = Date.now();

  beforeAll(async () => {
    server = await startTestServer(kind, {}, { now: () => new Date(clock) });
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it("stops accepting a cached token at once when its role is lowered or its agent removed", async () => {
    const ws = await createTestWorkspace(server, "Roles");
    const owner = apiClient(server.url, ws.tokens.owner);
    const agent = apiClient(server.url, ws.tokens.agent);
    const tag = () => agent.post("/api/v1/tags", { name: `t-${Math.random().toString(36).slice(2, 8)}` });
    expect((await tag()).status).toBe(201);
    expect((await owner.patch(`/api/v1/agents/${ws.agents.agent}`, { role: "viewer" })).status).toBe(200);
    expect((await tag()).status).toBe(403);
    expect((await agent.get("/api/v1/conversations")).status).toBe(200);
    expect((await owner.delete(`/api/v1/agents/${ws.agents.agent}`)).status).toBe(204);
    expect((await agent.get("/api/v1/conversations")).status).toBe(401);
  });

  it("refuses a cached token once it expires", async () => {
    const ws = await createTestWorkspace(server, "Expiry");
    const created = await apiClient(server.url, ws.tokens.owner).post("/api/v1/tokens", {
      name: "short",
      expires_in_days: 1,
    });
    const client = apiClient(server.url, created.body.token);
    expect((await client.get("/api/v1/conversations")).status).toBe(200);
    clock += 2 * 24 * 3600_000;
    expect((await client.get("/api/v1/conversations")).status).toBe(401);
  });

  it.runIf(kind === "postgres")(
    "a revocation or a role change on one instance reaches the other instance's cache",
    async () => {
      const other = await startTestServer(
        "postgres",
        {},
        { databaseUrl: server.ctx.config.databaseUrl, now: () => new Date(clock) },
      );
      try {
        const ws = await createTestWorkspace(server, "Twins");
        const ownerHere = apiClient(server.url, ws.tokens.owner);
        const created = await ownerHere.post("/api/v1/tokens", { name: "twin" });
        const there = apiClient(other.url, created.body.token);
        expect((await there.get("/api/v1/conversations")).status).toBe(200);
        expect((await ownerHere.delete(`/api/v1/tokens/${created.body.api_token.id}`)).status).toBe(204);
        const started = Date.now();
        await eventually(async () =>
          (await there.get("/api/v1/conversations")).status === 401 ? true : undefined,
        );
        // Well within the cache's own lifetime: the notification, not the expiry, ended it.
        expect(Date.now() - started).toBeLessThan(3000);

        const agentThere = apiClient(other.url, ws.tokens.agent);
        expect((await agentThere.post("/api/v1/tags", { name: "before" })).status).toBe(201);
        const lowered = await ownerHere.patch(`/api/v1/agents/${ws.agents.agent}`, { role: "viewer" });
        expect(lowered.status).toBe(200);
        await eventually(async () =>
          (await agentThere.post("/api/v1/tags", { name: `after-${Date.now()}` })).status === 403
            ? true
            : undefined,
        );
      } finally {
        await other.destroy();
      }
    },
  );
});
