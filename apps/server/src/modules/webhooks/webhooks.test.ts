import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiClient,
  createTestWorkspace,
  databaseKinds,
  type TestServer,
  type TestWorkspace,
  startTestServer,
} from "../../test/harness.ts";
import { webhookSecrets } from "./delivery.ts";

// A name under .test never resolves, so these webhooks can never send traffic anywhere.
const UNREACHABLE = "https://receiver.keepwell.test/hooks";

describe.each(databaseKinds)("webhooks on %s", (kind) => {
  let server: TestServer;
  let acme: TestWorkspace;
  let globex: TestWorkspace;
  let receiver: Server;
  let receiverPort: number;
  const received: string[] = [];

  beforeAll(async () => {
    server = await startTestServer(kind);
    acme = await createTestWorkspace(server, "Acme");
    globex = await createTestWorkspace(server, "Globex");
    receiver = createServer((request, response) => {
      received.push(request.url ?? "");
      response.end("ok");
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    receiverPort = (receiver.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await server?.destroy();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it("creates a webhook, shows its secret once and stores it only encrypted", async () => {
    const owner = apiClient(server.url, acme.tokens.owner);
    const created = await owner.post("/api/v1/webhooks", {
      url: UNREACHABLE,
      events: ["conversation.created"],
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_.{40,}/);
    expect(created.body.webhook).toMatchObject({
      url: UNREACHABLE,
      events: ["conversation.created"],
      active: true,
    });
    const secret: string = created.body.secret;

    const list = await owner.get("/api/v1/webhooks");
    expect(list.body.data.map((w: { id: string }) => w.id)).toContain(created.body.webhook.id);
    expect(JSON.stringify(list.body)).not.toContain(secret);
    const one = await owner.get(`/api/v1/webhooks/${created.body.webhook.id}`);
    expect(one.status).toBe(200);
    expect(JSON.stringify(one.body)).not.toContain(secret);

    const stored = await server.ctx.db
      .selectFrom("webhooks")
      .select("secret")
      .where("id", "=", created.body.webhook.id)
      .executeTakeFirstOrThrow();
    expect(stored.secret).not.toContain(secret.slice(6));
    expect(webhookSecrets(server.ctx).open(stored.secret)).toBe(secret);
  });

  it("refuses other schemes, credentials in the URL and literal non-public addresses, naming url", async () => {
    const owner = apiClient(server.url, acme.tokens.owner);
    const refused = [
      "ftp://example.com/hook",
      "javascript:alert(1)",
      "not a url",
      "https://user:password@example.com/hook",
      "http://127.0.0.1:8080/hook",
      "http://[::1]/hook",
      "http://[::ffff:127.0.0.1]/hook",
      "http://10.0.0.1/hook",
      "http://172.16.5.4/hook",
      "http://192.168.1.1/hook",
      "http://169.254.169.254/latest/meta-data",
      "http://100.64.0.1/hook",
      "http://0.0.0.0/hook",
      "http://[fd00::1]/hook",
      "http://[fe80::1]/hook",
      "http://2130706433/hook",
    ];
    for (const url of refused) {
      const response = await owner.post("/api/v1/webhooks", { url, events: ["*"] });
      expect(response.status, url).toBe(400);
      expect(response.body.field, url).toBe("url");
    }
    const mapped = await owner.post("/api/v1/webhooks", { url: "http://[::ffff:127.0.0.1]/", events: ["*"] });
    expect(mapped.body.title).toMatch(/127\.0\.0\.1, a loopback address/);
  });

  it("refuses event lists that are empty or name no event type", async () => {
    const owner = apiClient(server.url, acme.tokens.owner);
    for (const events of [[], ["Conversation Created"], ["typing"], "conversation.created"]) {
      const response = await owner.post("/api/v1/webhooks", { url: UNREACHABLE, events });
      expect(response.status, JSON.stringify(events)).toBe(400);
      expect(response.body.field).toMatch(/^events/);
    }
    const unknownField = await owner.post("/api/v1/webhooks", {
      url: UNREACHABLE,
      events: ["*"],
      secret: "x",
    });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.field).toBe("secret");
  });

  it("changes and deletes a webhook, recording both in the audit log", async () => {
    const owner = apiClient(server.url, acme.tokens.owner);
    const { body } = await owner.post("/api/v1/webhooks", { url: UNREACHABLE, events: ["*"] });
    const id = body.webhook.id;
    const patched = await owner.patch(`/api/v1/webhooks/${id}`, {
      events: ["message.created", "conversation.updated"],
      active: false,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      events: ["message.created", "conversation.updated"],
      active: false,
    });
    const badUrl = await owner.patch(`/api/v1/webhooks/${id}`, { url: "http://192.168.0.10/" });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.field).toBe("url");
    expect((await owner.delete(`/api/v1/webhooks/${id}`)).status).toBe(204);
    expect((await owner.get(`/api/v1/webhooks/${id}`)).status).toBe(404);
    const audit = await owner.get("/api/v1/audit-log?limit=100");
    const actions = audit.body.data
      .filter((e: { target_id: string }) => e.target_id === id)
      .map((e: { action: string }) => e.action);
    expect(actions).toEqual(["webhook.deleted", "webhook.updated", "webhook.created"]);
  });

  it("answers 404 for another workspace's webhook on every route", async () => {
    const { body } = await apiClient(server.url, acme.tokens.owner).post("/api/v1/webhooks", {
      url: UNREACHABLE,
      events: ["*"],
    });
    const id = body.webhook.id;
    const intruder = apiClient(server.url, globex.tokens.owner);
    expect((await intruder.get(`/api/v1/webhooks/${id}`)).status).toBe(404);
    expect((await intruder.patch(`/api/v1/webhooks/${id}`, { active: false })).status).toBe(404);
    expect((await intruder.get(`/api/v1/webhooks/${id}/deliveries`)).status).toBe(404);
    expect((await intruder.post(`/api/v1/webhooks/${id}/test`)).status).toBe(404);
    expect((await intruder.delete(`/api/v1/webhooks/${id}`)).status).toBe(404);
    const list = await intruder.get("/api/v1/webhooks");
    expect(list.body.data.map((w: { id: string }) => w.id)).not.toContain(id);
    expect((await apiClient(server.url, acme.tokens.owner).get(`/api/v1/webhooks/${id}`)).body.active).toBe(
      true,
    );
  });

  it("lets owners and admins manage webhooks and refuses agents and viewers", async () => {
    const admin = apiClient(server.url, acme.tokens.admin);
    const created = await admin.post("/api/v1/webhooks", { url: UNREACHABLE, events: ["*"] });
    expect(created.status).toBe(201);
    const id = created.body.webhook.id;
    for (const role of ["agent", "viewer"] as const) {
      const client = apiClient(server.url, acme.tokens[role]);
      expect((await client.get("/api/v1/webhooks")).status).toBe(403);
      expect((await client.post("/api/v1/webhooks", { url: UNREACHABLE, events: ["*"] })).status).toBe(403);
      expect((await client.patch(`/api/v1/webhooks/${id}`, { active: false })).status).toBe(403);
      expect((await client.get(`/api/v1/webhooks/${id}/deliveries`)).status).toBe(403);
      expect((await client.delete(`/api/v1/webhooks/${id}`)).status).toBe(403);
    }
    expect((await apiClient(server.url).get("/api/v1/webhooks")).status).toBe(401);
  });

  it("refuses at delivery a host name that resolves to a loopback address, saying why", async () => {
    const owner = apiClient(server.url, acme.tokens.owner);
    const { body } = await owner.post("/api/v1/webhooks", {
      url: `http://localhost:${receiverPort}/hook`,
      events: ["contact.updated"],
    });
    const ping = await owner.post(`/api/v1/webhooks/${body.webhook.id}/test`);
    expect(ping.status).toBe(200);
    expect(ping.body.state).toBe("failed");
    expect(ping.body.last_error).toMatch(/localhost resolves to (127\.0\.0\.1|::1), a loopback address/);

    // Through the job: a refused target fails at once instead of retrying for hours.
    await server.ctx.events.publish(acme.workspaceId, "contact.updated", { id: crypto.randomUUID() });
    const deadline = Date.now() + 15_000;
    let delivery: { state: string; attempts: number; last_error: string } | undefined;
    while (Date.now() < deadline) {
      const log = await owner.get(`/api/v1/webhooks/${body.webhook.id}/deliveries`);
      delivery = log.body.data.find((d: { event_type: string }) => d.event_type === "contact.updated");
      if (delivery?.state === "failed") break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(delivery).toMatchObject({ state: "failed", attempts: 1 });
    expect(delivery?.last_error).toMatch(/loopback/);
    expect(received).toEqual([]);
  });
});
