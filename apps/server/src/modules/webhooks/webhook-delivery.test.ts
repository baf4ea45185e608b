import { createHmac, randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiClient,
  createTestWorkspace,
  databaseKinds,
  type TestServer,
  type TestWorkspace,
  startTestServer,
  looseEvents,
} from "../../test/harness.ts";
import { deliverWebhook, RETRY_LIMIT } from "./delivery.ts";

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Polls until the check passes or the deadline comes; the last failure is what the test reports. */
async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

describe.each(databaseKinds)("webhook delivery on %s", (kind) => {
  let server: TestServer;
  let acme: TestWorkspace;
  let receiver: Server;
  let base: string;
  const received: Received[] = [];
  /** Status codes to answer per path, consumed in order; 200 once exhausted. */
  const script = new Map<string, number[]>();

  beforeAll(async () => {
    // The receiver runs on 127.0.0.1, which only this setting lets webhooks reach.
    server = await startTestServer(kind, { KEEPWELL_ALLOW_PRIVATE_WEBHOOKS: "true" });
    acme = await createTestWorkspace(server, "Acme");
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const path = request.url ?? "";
        received.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
        if (path.startsWith("/redirect")) {
          response.writeHead(302, { location: `${base}/elsewhere` }).end();
          return;
        }
        const status = script.get(path)?.shift() ?? 200;
        response.writeHead(status).end(status === 200 ? "thanks" : "receiver is down");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await server?.destroy();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const owner = () => apiClient(server.url, acme.tokens.owner);

  async function createHook(path: string, events: string[] = ["*"]) {
    const created = await owner().post("/api/v1/webhooks", { url: `${base}${path}`, events });
    expect(created.status).toBe(201);
    return { id: created.body.webhook.id as string, secret: created.body.secret as string };
  }

  async function deliveries(webhookId: string) {
    return (await owner().get(`/api/v1/webhooks/${webhookId}/deliveries?limit=100`)).body.data as {
      id: string;
      event_type: string;
      state: string;
      attempts: number;
      response_status: number | null;
      last_error: string | null;
    }[];
  }

  it("posts a signed event that verifies with the secret shown at creation", async () => {
    const hook = await createHook("/signed", ["conversation.created"]);
    const conversationId = randomUUID();
    await looseEvents(server).publish(acme.workspaceId, "contact.updated", { id: randomUUID() });
    await looseEvents(server).publish(acme.workspaceId, "conversation.created", { id: conversationId });
    const request = await eventually(async () => {
      const found = received.find((r) => r.path === "/signed");
      expect(found).toBeDefined();
      return found!;
    });

    const signature = String(request.headers["keepwell-signature"]);
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature);
    expect(match).not.toBeNull();
    const expected = createHmac("sha256", hook.secret).update(`${match![1]}.${request.body}`).digest("hex");
    expect(match![2]).toBe(expected);
    expect(Math.abs(Number(match![1]) - Date.now() / 1000)).toBeLessThan(300);
    expect(request.headers["keepwell-event"]).toBe("conversation.created");
    expect(request.headers["content-type"]).toBe("application/json");

    const body = JSON.parse(request.body);
    expect(Object.keys(body)).toEqual(["id", "type", "created_at", "workspace_id", "data"]);
    expect(body).toMatchObject({
      type: "conversation.created",
      workspace_id: acme.workspaceId,
      data: { id: conversationId },
    });

    const log = await eventually(async () => {
      const rows = await deliveries(hook.id);
      expect(rows[0]?.state).toBe("delivered");
      return rows;
    });
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      id: request.headers["keepwell-delivery"],
      attempts: 1,
      response_status: 200,
    });
  });

  it("retries a delivery the receiver refused, with the same delivery id, and records each attempt", async () => {
    script.set("/flaky", [500]);
    const hook = await createHook("/flaky", ["message.created"]);
    await looseEvents(server).publish(acme.workspaceId, "message.created", { id: randomUUID() });
    const failedOnce = await eventually(async () => {
      const [row] = await deliveries(hook.id);
      expect(row).toMatchObject({ state: "pending", attempts: 1, response_status: 500 });
      return row;
    });
    expect(failedOnce.last_error).toMatch(/HTTP 500/);
    // pg-boss waits 5 to 10 s before the first retry.
    const [row] = await eventually(async () => {
      const rows = await deliveries(hook.id);
      expect(rows[0]).toMatchObject({ state: "delivered", attempts: 2, response_status: 200 });
      return rows;
    }, 30_000);
    const attempts = received.filter((r) => r.path === "/flaky");
    expect(attempts).toHaveLength(2);
    expect(attempts.map((r) => r.headers["keepwell-delivery"])).toEqual([row.id, row.id]);
  }, 45_000);

  it("marks a delivery failed when its last retry is refused", async () => {
    script.set("/down", [503, 503, 503]);
    const hook = await createHook("/down", ["conversation.updated"]);
    await looseEvents(server).publish(acme.workspaceId, "conversation.updated", { id: randomUUID() });
    const [first] = await eventually(async () => {
      const rows = await deliveries(hook.id);
      expect(rows[0]?.attempts).toBe(1);
      return rows;
    });
    // Run what pg-boss would run as the final retry, rather than waiting hours of backoff.
    await deliverWebhook(
      server.ctx,
      { workspace_id: acme.workspaceId, delivery_id: first.id },
      { retryCount: RETRY_LIMIT },
    );
    const [last] = await deliveries(hook.id);
    expect(last).toMatchObject({ state: "failed", attempts: 2, response_status: 503 });
    expect(last.last_error).toMatch(/HTTP 503/);
  });

  it("does not follow a redirect and records it as a failure", async () => {
    const hook = await createHook("/redirect");
    const ping = await owner().post(`/api/v1/webhooks/${hook.id}/test`);
    expect(ping.status).toBe(200);
    expect(ping.body).toMatchObject({ state: "failed", response_status: 302, attempts: 1 });
    expect(ping.body.last_error).toMatch(/redirect .* not followed/);
    expect(received.filter((r) => r.path === "/elsewhere")).toEqual([]);
  });

  it("sends a ping on demand, even to an inactive webhook, and answers with the logged delivery", async () => {
    const hook = await createHook("/ping", ["conversation.created"]);
    await owner().patch(`/api/v1/webhooks/${hook.id}`, { active: false });
    const ping = await owner().post(`/api/v1/webhooks/${hook.id}/test`);
    expect(ping.status).toBe(200);
    expect(ping.body).toMatchObject({
      event_type: "ping",
      state: "delivered",
      response_status: 200,
      attempts: 1,
    });
    const request = received.find((r) => r.path === "/ping")!;
    expect(request.headers["keepwell-event"]).toBe("ping");
    expect(JSON.parse(request.body).data).toEqual({ webhook_id: hook.id });
  });

  it("sends nothing to inactive webhooks, for unsubscribed types, or for ephemeral events", async () => {
    const inactive = await createHook("/inactive", ["*"]);
    await owner().patch(`/api/v1/webhooks/${inactive.id}`, { active: false });
    const picky = await createHook("/picky", ["conversation.assigned"]);
    await looseEvents(server).broadcast(acme.workspaceId, "typing", { conversation_id: randomUUID() });
    await looseEvents(server).publish(acme.workspaceId, "contact.updated", { id: randomUUID() });
    await looseEvents(server).publish(acme.workspaceId, "conversation.assigned", { id: randomUUID() });
    await eventually(async () => expect(received.some((r) => r.path === "/picky")).toBe(true));
    expect((await deliveries(picky.id)).map((d) => d.event_type)).toEqual(["conversation.assigned"]);
    expect(await deliveries(inactive.id)).toEqual([]);
    expect(received.filter((r) => r.path === "/inactive")).toEqual([]);
  });

  it("pages through the delivery log with a cursor, newest first", async () => {
    const hook = await createHook("/paged", ["contact.updated"]);
    for (let i = 0; i < 5; i++) {
      await looseEvents(server).publish(acme.workspaceId, "contact.updated", { id: randomUUID(), n: i });
    }
    // The webhooks listener makes the deliveries after the events commit.
    await server.ctx.events.consumers.settled();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page = await owner().get(`/api/v1/webhooks/${hook.id}/deliveries?limit=2${query}`);
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((d: { id: string }) => d.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    const bad = await owner().get(`/api/v1/webhooks/${hook.id}/deliveries?cursor=garbage`);
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("cursor");
  });
});
