import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../config.ts";
import { startServer } from "../../server.ts";
import { type ChildServer, startChildServer } from "../../test/child-server.ts";
import { seedPgliteDataDir } from "../../test/db-template.ts";
import {
  apiClient,
  createPostgresDatabase,
  createTestWorkspace,
  databaseKinds,
  eventually,
} from "../../test/harness.ts";
import { freePort } from "../email/test-support.ts";
import { createInbox } from "../inboxes/service.ts";

/*
 * A write answers when it commits; what follows from it (the reply's mail, the webhooks) is done by
 * durable listeners from the outbox. Kill the server right after 50 accepted replies and 50
 * webhook-raising writes, start it again, and every consequence must happen: each reply mailed
 * exactly once, each event delivered to the webhook (at least once, keyed by the event id).
 */

const REPLIES = 50;
const CONTACTS = 50;

describe.each(databaseKinds)("consequences of writes through a crash (%s)", (kind) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => {});
  });

  it("sends every accepted reply exactly once and delivers every webhook after a SIGKILL", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "keepwell-outbox-"));
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    if (kind === "pglite") await seedPgliteDataDir(dataDir);
    const pg = kind === "postgres" ? await createPostgresDatabase() : undefined;
    if (pg) cleanup.push(pg.drop);

    const received = new Map<string, { type: string; data: { id?: string } }>();
    const receiver = await listen((body) => {
      const delivery = JSON.parse(body) as { id: string; type: string; data: { id?: string } };
      received.set(delivery.id, delivery);
    });
    cleanup.push(async () => void receiver.close());

    const port = await freePort();
    const env: Record<string, string> = {
      KEEPWELL_DATA_DIR: dataDir,
      PORT: String(port),
      SMTP_PORT: "0",
      KEEPWELL_SECRET: "outbox-secret-outbox-secret-outbox-0123456789",
      KEEPWELL_DEMO_PASSWORD: "outbox demo password",
      KEEPWELL_ALLOW_PRIVATE_WEBHOOKS: "true",
      LOG_LEVEL: "warn",
      ...(pg ? { DATABASE_URL: pg.url } : {}),
    };

    // Setup in-process: a workspace, an email inbox, a webhook, and the conversations to answer.
    const setup = await startServer(loadConfig({ ...env, PORT: "0" }), { logger: false });
    const workspace = await createTestWorkspace(setup, "Crashco");
    const inbox = await createInbox(setup.ctx.db, workspace.workspaceId, {
      name: "Support",
      channel: "email",
      address: `support-${randomUUID().slice(0, 8)}@crashco.example`,
    });
    const setupApi = apiClient(setup.url!, workspace.tokens.owner);
    const hook = await setupApi.post("/api/v1/webhooks", {
      url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
      events: ["contact.created"],
    });
    expect(hook.status).toBe(201);
    const conversations: string[] = [];
    for (let i = 0; i < REPLIES; i++) {
      const opened = await setupApi.post("/api/v1/conversations", {
        inbox_id: inbox.id,
        subject: `Question ${i}`,
        contact: { email: `customer-${i}@crashco.example`, name: `Customer ${i}` },
        message: { kind: "incoming", body_text: `Question number ${i}` },
      });
      expect(opened.status).toBe(201);
      conversations.push(opened.body.id);
    }
    await setup.close();

    let child: ChildServer | undefined = await startChildServer(env);
    cleanup.push(async () => child?.kill());
    const api = apiClient(`http://127.0.0.1:${port}`, workspace.tokens.agent);

    // Short and on a line of its own: a long line would be folded by the mail's transfer encoding.
    const replyMarks = conversations.map((_, i) => `mark-${i}-${randomUUID().slice(0, 8)}`);
    const contactIds: string[] = [];
    const writes: Promise<void>[] = [];
    for (let i = 0; i < REPLIES; i++) {
      writes.push(
        api
          .post(`/api/v1/conversations/${conversations[i]}/messages`, {
            kind: "outgoing",
            body_text: `Here is your answer.\n${replyMarks[i]}`,
          })
          .then((response) => expect(response.status).toBe(201)),
      );
      writes.push(
        api
          .post("/api/v1/contacts", {
            email: `new-${i}-${randomUUID().slice(0, 6)}@crashco.example`,
            name: `New ${i}`,
          })
          .then((response) => {
            expect(response.status).toBe(201);
            contactIds.push(response.body.id);
          }),
      );
    }
    await Promise.all(writes);
    // Every write above was acknowledged; the process dies before its listeners can be sure to be done.
    await child.kill();
    child = await startChildServer(env);

    const outbox = path.join(dataDir, "outbox");
    const mailsWith = (mark: string) =>
      readdirSync(outbox, { withFileTypes: true })
        .filter((entry) => entry.isFile() && entry.name.endsWith(".eml"))
        .filter((entry) => readFileSync(path.join(outbox, entry.name), "utf8").includes(mark)).length;
    const startedAt = Date.now();
    await eventually(async () => {
      // The outbox folder appears with the first mail.
      if (!existsSync(outbox)) return false;
      const delivered = new Set([...received.values()].map((delivery) => delivery.data.id));
      return replyMarks.every((mark) => mailsWith(mark) >= 1) && contactIds.every((id) => delivered.has(id));
    }, 30_000);
    expect(Date.now() - startedAt).toBeLessThan(30_000);
    // Nothing more arrives later: each reply went out once.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    for (const mark of replyMarks) expect(mailsWith(mark)).toBe(1);
    // Each delivery names its event; a contact created once is one event, however often delivered.
    const deliveredContacts = [...received.values()].filter(
      (delivery) => delivery.type === "contact.created",
    );
    expect(new Set(deliveredContacts.map((delivery) => delivery.data.id)).size).toBe(CONTACTS);
  }, 240_000);
});

/** A local webhook receiver answering 200 to every POST. */
async function listen(onBody: (body: string) => void): Promise<Server> {
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      onBody(body);
      response.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}
