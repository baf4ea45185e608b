import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../config.ts";
import { startServer } from "../../server.ts";
import { openDatabase } from "../../db/database.ts";
import { startChildServer, type ChildServer } from "../../test/child-server.ts";
import { seedPgliteDataDir } from "../../test/db-template.ts";
import { createPostgresDatabase, databaseKinds } from "../../test/harness.ts";
import { DEMO_INBOX } from "../demo/content.ts";
import { dedupeKeyOf, sha256Hex } from "./header-scan.ts";
import { insertInbound } from "./queries.ts";
import { eventually, freePort, rawMessage, sendRaw } from "./test-support.ts";

/*
 * Keepwell runs as a child process (bin/keepwell.js start) and is killed with SIGKILL again and
 * again while several SMTP clients deliver a burst of mail. A client that gets no 250 retries the
 * same bytes, as a mail server would. Afterwards every message that got a 250 must be there exactly
 * once, as one stored message and one conversation message.
 */

const CLIENTS = 4;
const PER_CLIENT = 25;
/** Each restart of the embedded database takes seconds; two kills mid-burst keep the test near a minute. */
const KILLS = 2;

describe.each(databaseKinds)("delivery through crashes (%s)", (kind) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => {});
  });

  it("keeps every message that got a 250 exactly once when the server is killed mid-burst", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "keepwell-durability-"));
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    // Both start from the migrated schema (initdb and migrations are not what this test is about).
    if (kind === "pglite") await seedPgliteDataDir(dataDir);
    const pg = kind === "postgres" ? await createPostgresDatabase() : undefined;
    if (pg) cleanup.push(pg.drop);
    const smtpPort = await freePort();
    const env: Record<string, string> = {
      KEEPWELL_DATA_DIR: dataDir,
      PORT: String(await freePort()),
      SMTP_PORT: String(smtpPort),
      KEEPWELL_SECRET: "durability-secret-durability-secret-0123456789",
      KEEPWELL_DEMO_PASSWORD: "durability demo password",
      LOG_LEVEL: "warn",
      ...(pg ? { DATABASE_URL: pg.url } : {}),
    };
    let child: ChildServer | undefined;
    const start = async () => {
      child = await startChildServer(env);
    };
    const kill = async () => {
      await child?.kill();
      child = undefined;
    };
    cleanup.push(kill);

    await start();
    const acknowledged = new Map<string, number>();
    let refusedPermanently = 0;
    let running = true;
    const client = async (n: number) => {
      for (let i = 0; i < PER_CLIENT; i++) {
        const messageId = `<burst-${n}-${i}-${randomUUID()}@customer.example>`;
        const raw = rawMessage({
          from: `client${n}@customer.example`,
          to: DEMO_INBOX.address,
          subject: `Burst ${n}/${i}`,
          messageId,
          text: `Message ${i} of client ${n}.\n${"Lorem ipsum dolor sit amet. ".repeat(40 + ((n * 7 + i) % 60))}`,
        });
        for (;;) {
          const sent = await sendRaw(
            smtpPort,
            { from: `client${n}@customer.example`, to: [DEMO_INBOX.address] },
            raw,
          );
          if (sent.ok) {
            acknowledged.set(messageId, (acknowledged.get(messageId) ?? 0) + 1);
            break;
          }
          if (sent.code !== undefined && sent.code >= 500) {
            refusedPermanently += 1;
            break;
          }
          // No answer or a temporary failure: the server is down or restarting; try the same bytes again.
          await new Promise((resolve) => setTimeout(resolve, 150));
        }
      }
    };
    const clients = Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n))).finally(() => {
      running = false;
    });
    for (let k = 0; k < KILLS && running; k++) {
      const before = acknowledged.size;
      await eventually(async () => !running || acknowledged.size >= before + 10, 60_000);
      if (!running) break;
      await kill();
      await start();
    }
    await clients;
    await kill();

    expect(refusedPermanently).toBe(0);
    expect(acknowledged.size).toBe(CLIENTS * PER_CLIENT);

    // A message committed just before a crash that never reached the job queue: recovery must find it.
    const config = loadConfig({ ...env, SMTP_PORT: "0", PORT: "0", LOG_LEVEL: "silent" });
    const strandedId = `stranded-${randomUUID()}@customer.example`;
    const database = await openDatabase(config);
    try {
      const inbox = await database.db
        .selectFrom("inboxes")
        .select(["workspace_id", "id"])
        .where("address", "=", DEMO_INBOX.address)
        .executeTakeFirstOrThrow();
      const raw = Buffer.from(
        rawMessage({ to: DEMO_INBOX.address, subject: "Stranded", messageId: `<${strandedId}>` }),
      );
      await insertInbound(database.db, {
        workspaceId: inbox.workspace_id,
        inboxId: inbox.id,
        source: "smtp",
        envelopeFrom: "ada@customer.example",
        envelopeTo: DEMO_INBOX.address,
        messageIdHeader: strandedId,
        dedupeKey: dedupeKeyOf(strandedId, sha256Hex(raw)),
        sha256: sha256Hex(raw),
        raw,
        receivedAt: new Date(),
      });
    } finally {
      await database.close();
    }
    acknowledged.set(`<${strandedId}>`, 1);

    // Start again in-process: crash recovery queues whatever was stored but not yet processed.
    const server = await startServer(config, { logger: false });
    cleanup.push(() => server.close());
    const db = server.ctx.db;
    await eventually(async () => {
      const pending = await db
        .selectFrom("inbound_emails")
        .select("id")
        .where("state", "=", "received")
        .executeTakeFirst();
      return pending === undefined;
    }, 120_000);
    const stored = await db.selectFrom("inbound_emails").select(["message_id_header", "state"]).execute();
    const messages = await db
      .selectFrom("messages")
      .select((eb) =>
        eb
          .ref("metadata", "->")
          .key("email" as never)
          .as("email"),
      )
      .where("kind", "=", "incoming")
      .execute();
    const messageIds = messages.map((m) => (m.email as { message_id?: string } | null)?.message_id);
    for (const id of acknowledged.keys()) {
      const bare = id.slice(1, -1);
      expect(stored.filter((s) => s.message_id_header === bare)).toHaveLength(1);
      expect(messageIds.filter((m) => m === bare)).toHaveLength(1);
    }
    expect(stored.every((s) => s.state === "processed")).toBe(true);
  }, 480_000);
});
