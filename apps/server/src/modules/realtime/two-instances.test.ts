import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiClient,
  createPostgresDatabase,
  createTestWorkspace,
  type TestServer,
  type TestWorkspace,
  startTestServer,
  looseEvents,
} from "../../test/harness.ts";
import { StreamClient } from "./stream-test-client.ts";

/*
 * Two Keepwell servers on one PostgreSQL database, as in a scaled-out deployment: an event published
 * on one instance must reach the sockets held by both. PGlite is embedded in one process, so this
 * runs only against a real PostgreSQL.
 */
const databaseUrl = process.env.TEST_DATABASE_URL;
if (!databaseUrl) {
  console.warn(
    "realtime across two instances: skipped; set TEST_DATABASE_URL to a PostgreSQL server to run it",
  );
}

describe.skipIf(!databaseUrl)("realtime across two instances on postgres", () => {
  let database: { url: string; drop: () => Promise<void> };
  let serverA: TestServer;
  let serverB: TestServer;
  let acme: TestWorkspace;
  let globex: TestWorkspace;
  const clients: StreamClient[] = [];
  let receiver: Server | undefined;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    // Both run job workers; the webhook receiver below is on 127.0.0.1.
    const env = { KEEPWELL_ALLOW_PRIVATE_WEBHOOKS: "true" };
    serverA = await startTestServer("postgres", env, { databaseUrl: database.url });
    serverB = await startTestServer("postgres", env, { databaseUrl: database.url });
    acme = await createTestWorkspace(serverA, "Acme");
    globex = await createTestWorkspace(serverA, "Globex");
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await serverA?.destroy();
    await serverB?.destroy();
    await database?.drop();
    await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
  });

  async function connect(server: TestServer, token: string) {
    const client = await StreamClient.open(server.url, { token });
    clients.push(client);
    return client;
  }

  it("delivers every event published on one instance to the sockets of both, in order", async () => {
    const onA = await connect(serverA, acme.tokens.owner);
    const onB = await connect(serverB, acme.tokens.agent);
    const otherWorkspace = await connect(serverB, globex.tokens.owner);
    const ids = Array.from({ length: 20 }, () => randomUUID());
    for (const [seq, id] of ids.entries()) {
      await looseEvents(serverA).publish(
        acme.workspaceId,
        seq % 2 ? "message.created" : "conversation.updated",
        {
          id,
          seq,
        },
      );
    }
    await looseEvents(serverA).publish(globex.workspaceId, "conversation.created", { id: randomUUID() });

    for (const client of [onA, onB]) {
      const got = await client.until(() => {
        const events = client.frames.filter(
          (f) => f.type === "message.created" || f.type === "conversation.updated",
        );
        return events.length === ids.length ? events : undefined;
      });
      expect(got.map((f) => f.data.id)).toEqual(ids);
    }
    // Notifications arrive in order, so once Globex's own event is in, every Acme event has passed by.
    await otherWorkspace.next((f) => f.type === "conversation.created");
    const seen = otherWorkspace.frames.filter((f) => f.type !== "hello" && f.type !== "presence");
    expect(seen.map((f) => f.type)).toEqual(["conversation.created"]);
  });

  it("carries typing and presence from a socket on one instance to a socket on the other", async () => {
    const watcher = await connect(serverA, acme.tokens.owner);
    const admin = await connect(serverB, acme.tokens.admin);
    await watcher.next(
      (f) => f.type === "presence" && f.data.agent_id === acme.agents.admin && f.data.online,
    );
    const onA = await apiClient(serverA.url, acme.tokens.viewer).get("/api/v1/presence");
    expect(onA.body.data.map((p: { agent_id: string }) => p.agent_id)).toContain(acme.agents.admin);

    const conversationId = randomUUID();
    admin.send({ type: "typing", conversation_id: conversationId });
    const typing = await watcher.next(
      (f) => f.type === "typing" && f.data.conversation_id === conversationId,
    );
    expect(typing.data).toMatchObject({ agent_id: acme.agents.admin, name: "Acme admin" });

    await admin.close();
    await watcher.next(
      (f) => f.type === "presence" && f.data.agent_id === acme.agents.admin && !f.data.online,
    );
    const after = await apiClient(serverA.url, acme.tokens.viewer).get("/api/v1/presence");
    expect(after.body.data.map((p: { agent_id: string }) => p.agent_id)).not.toContain(acme.agents.admin);
  });

  it("sends one webhook delivery per event, however many instances hear it", async () => {
    const hits: string[] = [];
    receiver = createServer((request, response) => {
      hits.push(String(request.headers["keepwell-delivery"]));
      response.end();
    });
    await new Promise<void>((resolve) => receiver!.listen(0, "127.0.0.1", resolve));
    const port = (receiver.address() as AddressInfo).port;
    const created = await apiClient(serverB.url, acme.tokens.owner).post("/api/v1/webhooks", {
      url: `http://127.0.0.1:${port}/hook`,
      events: ["conversation.assigned"],
    });
    expect(created.status).toBe(201);
    for (let i = 0; i < 3; i++) {
      await looseEvents(serverA).publish(acme.workspaceId, "conversation.assigned", { id: randomUUID() });
    }
    const log = apiClient(serverB.url, acme.tokens.owner);
    const deadline = Date.now() + 15_000;
    let delivered: { state: string }[] = [];
    while (Date.now() < deadline) {
      delivered = (await log.get(`/api/v1/webhooks/${created.body.webhook.id}/deliveries`)).body.data;
      if (delivered.length === 3 && delivered.every((d) => d.state === "delivered")) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(delivered.map((d) => d.state)).toEqual(["delivered", "delivered", "delivered"]);
    expect(hits).toHaveLength(3);
    expect(new Set(hits).size).toBe(3);
  });
});
