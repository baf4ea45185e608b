import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiClient,
  createPostgresDatabase,
  createTestWorkspace,
  startTestServer,
  type TestServer,
} from "../../test/harness.ts";
import { VisitorLimits } from "./rate-limit.ts";
import { VisitorSocket, visitorSession } from "./test-support.ts";

/*
 * Two Keepwell servers on one PostgreSQL database behind an imagined load balancer: a visitor (and
 * an address) has one budget, however their messages, callbacks and uploads are spread over the
 * instances. PGlite is one process, so there the limits are in memory (widget.test.ts covers them).
 */
const databaseUrl = process.env.TEST_DATABASE_URL;
if (!databaseUrl) {
  console.warn("widget rate limits across two instances: skipped; set TEST_DATABASE_URL to run it");
}

describe.skipIf(!databaseUrl)("widget rate limits across two instances on postgres", () => {
  let database: { url: string; drop: () => Promise<void> };
  let serverA: TestServer;
  let serverB: TestServer;
  let key: string;
  const sockets: VisitorSocket[] = [];

  beforeAll(async () => {
    database = await createPostgresDatabase();
    serverA = await startTestServer("postgres", {}, { databaseUrl: database.url });
    serverB = await startTestServer("postgres", {}, { databaseUrl: database.url });
    const acme = await createTestWorkspace(serverA, "Acme");
    const owner = apiClient(serverA.url, acme.tokens.owner);
    const chat = await owner.post("/api/v1/inboxes", { name: "Website chat", channel: "chat" });
    key = (await owner.get(`/api/v1/inboxes/${chat.body.id}/widget`)).body.public_key;
    await owner.post("/api/v1/inboxes", { name: "Call me", channel: "callback" });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await serverA?.destroy();
    await serverB?.destroy();
    await database?.drop();
  });

  it("counts one visitor's messages on both instances against one limit", async () => {
    const session = await visitorSession(serverA, key, {});
    const onA = await VisitorSocket.open(serverA.url, key, { token: session.body.token });
    const onB = await VisitorSocket.open(serverB.url, key, { token: session.body.token });
    sockets.push(onA, onB);
    const limit = VisitorLimits.messagePerVisitor.limit;
    // Alternate instances: each alone would allow the whole budget.
    for (let i = 0; i < limit; i++) {
      const socket = i % 2 === 0 ? onA : onB;
      socket.send({ type: "message", body: `message ${i}`, client_id: `m${i}` });
      const ack = await socket.next("ack", (f) => f.client_id === `m${i}`);
      expect(ack.message.body).toBe(`message ${i}`);
    }
    onB.send({ type: "message", body: "one too many", client_id: "over" });
    const refused = await onB.next("error", (f) => f.client_id === "over");
    expect(refused.code).toBe("rate_limited");
    expect(refused.retry_after).toBeGreaterThan(0);
    onA.send({ type: "message", body: "and on the other", client_id: "over-a" });
    expect((await onA.next("error", (f) => f.client_id === "over-a")).code).toBe("rate_limited");
    const stored = await serverA.ctx.db
      .selectFrom("messages")
      .select("body_text")
      .where("body_text", "in", ["one too many", "and on the other"])
      .execute();
    expect(stored).toHaveLength(0);
  });

  it("counts callback requests from one address on both instances", async () => {
    const limit = VisitorLimits.callbackPerAddress.limit;
    const request = (server: TestServer) =>
      fetch(`${server.url}/widget/v1/${key}/callbacks`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          phone: "+44 20 7946 0958",
          time_zone: "UTC",
          // Wall-clock times in the visitor's zone, as the form sends them.
          window_start: new Date(Date.now() + 3_600_000).toISOString().slice(0, 16),
          window_end: new Date(Date.now() + 7_200_000).toISOString().slice(0, 16),
          reason: "Billing question",
        }),
      });
    for (let i = 0; i < limit; i++) {
      const response = await request(i % 2 === 0 ? serverA : serverB);
      expect(response.status, await response.text()).toBe(201);
    }
    const refused = await request(serverB);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await request(serverA)).status).toBe(429);
  });
});
