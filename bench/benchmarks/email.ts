import { randomBytes } from "node:crypto";
import nodemailer from "nodemailer";
import pg from "pg";
import { openPglite } from "../../apps/server/src/db/database.ts";
import { createDemoToken, expectOk } from "../lib/api.ts";
import type { BenchContext, Benchmark } from "../lib/context.ts";
import { type CpuWatch, cpuBetween, cpuSnapshot, postgresBackends } from "../lib/cpu.ts";
import { temporaryDataDir, throwawayPostgres } from "../lib/databases.ts";
import { composeMessages, INBOX_ADDRESS, SUBJECT_PREFIX, concurrently, percentile } from "../lib/emails.ts";
import { freePort, spawnNode, waitForReady } from "../lib/processes.ts";
import type { LoadRow, Section } from "../lib/report.ts";

type Kind = "postgres" | "pglite";

/**
 * Issue 4's aims, on PostgreSQL: accepted messages per second, absolute and against the raw INSERT
 * baseline (time to 250), and the end-to-end rate (first sent → all threaded and listed) against it.
 */
const MIN_PER_SECOND = 500;
const DELIVERY_MIN_RATIO = 0.6;
const END_TO_END_MIN_RATIO = 0.4;
const OWNER_EMAIL = "owner@demo.keepwell.test";

export const emailBenchmarks: Benchmark[] = [
  {
    name: "email-ingestion-postgres",
    summary:
      "messages delivered over SMTP by concurrent clients vs raw INSERTs, on PostgreSQL (BENCH_EMAILS)",
    run: (ctx) => emailIngestion(ctx, "postgres"),
  },
  {
    name: "email-ingestion-pglite",
    summary: "the same on embedded PGlite",
    run: (ctx) => emailIngestion(ctx, "pglite"),
  },
];

function positiveEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]?.replaceAll("_", "") || fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number ≥ 1`);
  return value;
}

function row(
  label: string,
  count: number,
  run: { seconds: number; latencies: number[] },
  base?: number,
): LoadRow {
  const perSecond = count / run.seconds;
  return {
    label,
    result: {
      completed: count,
      requestsPerSecond: perSecond,
      p50Ms: percentile(run.latencies, 50),
      p99Ms: percentile(run.latencies, 99),
      maxMs: run.latencies[run.latencies.length - 1] ?? Number.NaN,
      failures: 0,
      timeouts: 0,
      statusCodes: {},
      serverCpuMs: undefined,
      databaseCpuMs: undefined,
    },
    ratio: base ? perSecond / base : 1,
  };
}

/** The raw INSERT baseline: the same bytes, one INSERT (its own transaction) per message. */
async function baselinePostgres(url: string, messages: Buffer[], clients: number) {
  const pool = new pg.Pool({ connectionString: url, max: clients });
  try {
    await pool.query(
      "create table bench_raw (id uuid primary key default gen_random_uuid(), raw bytea not null, received_at timestamptz not null default now())",
    );
    const run = await concurrently(messages.length, clients, async (_, i) => {
      await pool.query("insert into bench_raw (raw) values ($1)", [messages[i]]);
    });
    await pool.query("drop table bench_raw");
    return run;
  } finally {
    await pool.end();
  }
}

/** PGlite has one connection, inside one process: the baseline is the same INSERTs through it, in turn. */
async function baselinePglite(dir: string, messages: Buffer[], clients: number) {
  const database = await openPglite(dir);
  try {
    await database.executeSql("create table bench_raw (id serial primary key, raw bytea not null)", []);
    const run = await concurrently(messages.length, clients, async (_, i) => {
      await database.executeSql("insert into bench_raw (raw) values ($1)", [messages[i]]);
    });
    return run;
  } finally {
    await database.close();
  }
}

async function emailIngestion(ctx: BenchContext, kind: Kind): Promise<Section[]> {
  const { settings, cleanup, progress } = ctx;
  const count = positiveEnv("BENCH_EMAILS", 2000);
  const clients = positiveEnv("BENCH_EMAIL_CLIENTS", 16);

  progress(`composing ${count} messages`);
  const messages = await composeMessages(count);
  const totalBytes = messages.reduce((sum, m) => sum + m.length, 0);
  const sizes = messages.map((m) => m.length).sort((a, b) => a - b);

  const data = temporaryDataDir(cleanup, `email-${kind}`);
  let databaseUrl: string | undefined;
  let dropDatabase = async () => {};
  let databaseBackends: CpuWatch | undefined;
  let baseline: { seconds: number; latencies: number[] };
  if (kind === "postgres") {
    const created = await throwawayPostgres(cleanup, settings.adminDatabaseUrl);
    progress(`created database ${created.name}`);
    databaseUrl = created.url;
    dropDatabase = created.drop;
    databaseBackends = postgresBackends(settings.adminDatabaseUrl, created.name);
    progress(`baseline: ${count} raw INSERTs over ${clients} connections`);
    baseline = await baselinePostgres(created.url, messages, clients);
  } else {
    const scratch = temporaryDataDir(cleanup, "email-pglite-baseline");
    progress(`baseline: ${count} raw INSERTs into a scratch PGlite`);
    baseline = await baselinePglite(scratch.dir, messages, clients);
    await scratch.remove();
  }

  const port = await freePort();
  const smtpPort = await freePort();
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env))
    if (
      value !== undefined &&
      !/^(KEEPWELL_|SMTP_)/.test(key) &&
      !["DATABASE_URL", "PORT", "HOST"].includes(key)
    )
      env[key] = value;
  const password = randomBytes(12).toString("base64url");
  Object.assign(env, {
    PORT: String(port),
    HOST: "127.0.0.1",
    SMTP_PORT: String(smtpPort),
    KEEPWELL_DATA_DIR: data.dir,
    KEEPWELL_DEMO_PASSWORD: password,
    LOG_LEVEL: "warn",
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  });
  const server = spawnNode(
    cleanup,
    "keepwell",
    ["bin/keepwell.js", "start"],
    env,
    `http://127.0.0.1:${port}`,
  );
  const readyMs = await waitForReady(server);
  progress(`server ready in ${Math.round(readyMs)} ms (pid ${server.pid}), SMTP on ${smtpPort}`);
  const token = await createDemoToken(server.url, OWNER_EMAIL, password);
  const headers = { authorization: `Bearer ${token}` };

  // One pooled transport per client, one connection each: a client sends its next message as soon
  // as the previous one got its 250, over the same SMTP session.
  const transports = Array.from({ length: clients }, () =>
    nodemailer.createTransport({
      host: "127.0.0.1",
      port: smtpPort,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: 1,
      maxMessages: Number.POSITIVE_INFINITY,
    }),
  );
  progress(`delivering ${count} messages over ${clients} SMTP connections`);
  let delivery: { seconds: number; latencies: number[] };
  const serverCpu: CpuWatch = async () => [server.pid];
  const cpuBefore = await Promise.all([
    cpuSnapshot(serverCpu),
    databaseBackends && cpuSnapshot(databaseBackends),
  ]);
  const deliveryStarted = performance.now();
  try {
    delivery = await concurrently(count, clients, async (client, i) => {
      const info = await transports[client].sendMail({
        envelope: { from: `customer-${i}@customers.example`, to: [INBOX_ADDRESS] },
        raw: messages[i],
      });
      if (!info.response.startsWith("250")) throw new Error(`message ${i}: ${info.response}`);
    });
  } finally {
    for (const transport of transports) transport.close();
  }

  const cpuAfter = await Promise.all([
    cpuSnapshot(serverCpu),
    databaseBackends && cpuSnapshot(databaseBackends),
  ]);
  progress("waiting until every message is a conversation in the API");
  // Polling the API pages through every conversation and loads the server it measures; on
  // PostgreSQL the bench waits on the stored rows instead, then confirms once through the API.
  if (databaseUrl) await waitUntilProcessed(databaseUrl, count);
  const threadedSeconds = await waitUntilVisible(server.url, headers, count, deliveryStarted);

  await server.stop();
  await dropDatabase();
  await data.remove();

  const baseRow = row(
    `baseline: raw INSERT per message (${clients} ${kind === "postgres" ? "connections" : "callers, one connection"})`,
    count,
    baseline,
  );
  const smtpRow = row(
    `SMTP delivery, ${clients} clients (time to 250)`,
    count,
    delivery,
    baseRow.result.requestsPerSecond,
  );
  // Processing runs in the same process while mail arrives: this CPU covers both, per accepted message.
  const serverMs = cpuBetween(cpuBefore[0], cpuAfter[0]);
  smtpRow.result.serverCpuMs = serverMs === undefined ? undefined : serverMs / count;
  const dbMs = cpuBefore[1] && cpuAfter[1] ? cpuBetween(cpuBefore[1], cpuAfter[1]) : undefined;
  smtpRow.result.databaseCpuMs = dbMs === undefined ? undefined : dbMs / count;
  const perSecond = smtpRow.result.requestsPerSecond;
  // Every message sent, threaded into a conversation and listed by the API, per second of the whole
  // span, against the same raw INSERT baseline; it has no per-message latencies.
  const endToEnd = count / threadedSeconds;
  const endToEndRow: LoadRow = {
    label: "end to end: first sent → all threaded and listed",
    result: {
      ...smtpRow.result,
      requestsPerSecond: endToEnd,
      p50Ms: Number.NaN,
      p99Ms: Number.NaN,
      maxMs: Number.NaN,
      serverCpuMs: undefined,
      databaseCpuMs: undefined,
    },
    ratio: endToEnd / baseRow.result.requestsPerSecond,
  };
  const postgres = kind === "postgres";
  if (postgres) {
    smtpRow.aim = { minRatio: DELIVERY_MIN_RATIO };
    endToEndRow.aim = { minRatio: END_TO_END_MIN_RATIO };
  }
  const met = (ok: boolean) => (ok ? "✓" : "✗");
  const aimText = postgres
    ? `${met(perSecond >= MIN_PER_SECOND)} ≥ ${MIN_PER_SECOND}/s · ${met((smtpRow.ratio ?? 0) >= DELIVERY_MIN_RATIO)} ≥ ${DELIVERY_MIN_RATIO * 100}% of baseline`
    : "";
  const endToEndAim = postgres
    ? ` · ${met((endToEndRow.ratio ?? 0) >= END_TO_END_MIN_RATIO)} ≥ ${END_TO_END_MIN_RATIO * 100}% of baseline`
    : "";
  const engine = kind === "postgres" ? "PostgreSQL" : "embedded PGlite";
  return [
    {
      title: `Email ingestion on ${engine}`,
      context: `${count} messages, ${(totalBytes / 2 ** 20).toFixed(1)} MiB (median ${(sizes[Math.floor(count / 2)] / 1024).toFixed(0)} KB, largest ${(sizes[count - 1] / 1024).toFixed(0)} KB, a third with an attachment); ${clients} concurrent SMTP clients; msg/s shown as req/s`,
      loads: [baseRow, smtpRow, endToEndRow],
      facts: [
        { label: "accepted messages per second", value: perSecond, unit: "msg/s", detail: aimText },
        {
          label: "first message sent → all threaded and listed by the API",
          value: threadedSeconds,
          unit: "s",
          detail: `${endToEnd.toFixed(0)} msg/s end to end, ${((endToEndRow.ratio ?? 0) * 100).toFixed(1)}% of baseline${endToEndAim}`,
        },
        { label: "start → first 200 from /readyz", value: readyMs, unit: "ms" },
      ],
    },
  ];
}

async function waitUntilProcessed(url: string, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const deadline = Date.now() + 10 * 60_000;
    while (Date.now() < deadline) {
      const { rows } = await client.query<{ done: number }>(
        "select count(*)::int as done from inbound_emails where state <> 'received'",
      );
      if (rows[0].done >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await client.end();
  }
}

/**
 * Pages through GET /api/v1/conversations until every bench subject is there; returns the seconds
 * since the first message was sent. Each poll reads the whole list, so the figure is late by at
 * most one poll (about a second).
 */
async function waitUntilVisible(
  baseUrl: string,
  headers: Record<string, string>,
  count: number,
  since: number,
): Promise<number> {
  const deadline = Date.now() + 10 * 60_000;
  while (Date.now() < deadline) {
    let seen = 0;
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page: { data: { subject: string | null }[]; next_cursor: string | null } = await expectOk(
        "the conversation list",
        `${baseUrl}/api/v1/conversations?limit=100${query}`,
        { headers },
      );
      seen += page.data.filter((c) => c.subject?.startsWith(SUBJECT_PREFIX)).length;
      cursor = page.next_cursor;
    } while (cursor);
    if (seen >= count) return (performance.now() - since) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`not every message became a conversation within 10 minutes`);
}
