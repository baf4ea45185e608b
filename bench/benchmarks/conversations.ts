import { randomBytes } from "node:crypto";
import { type Database, openPglite, openPostgres } from "../../apps/server/src/db/database.ts";
import { createToken, expectOk } from "../lib/api.ts";
import type { BenchContext, Benchmark } from "../lib/context.ts";
import { type CpuWatch, postgresBackends } from "../lib/cpu.ts";
import { temporaryDataDir, throwawayPostgres } from "../lib/databases.ts";
import { memoryOf, sleep, spawnKeepwell, waitForReady } from "../lib/processes.ts";
import type { FactRow, LoadRow, Section } from "../lib/report.ts";
import { seedWorkspace } from "../lib/seed.ts";

type Kind = "postgres" | "pglite";

/** The aims; they apply on PostgreSQL, the production database. */
const LIST_AIM = { minRatio: 0.25, maxP99Ms: 20 };
const CREATE_AIM = { minRatio: 0.15 };
const TARGETS = 2000;

export const conversationBenchmarks: Benchmark[] = [
  {
    name: "conversations-postgres",
    summary:
      "conversation list and message creation on PostgreSQL (BENCH_PG_CONVERSATIONS, default 1,000,000)",
    run: (ctx) => conversations(ctx, "postgres"),
  },
  {
    name: "conversations-pglite",
    summary:
      "the same on embedded PGlite (BENCH_PGLITE_CONVERSATIONS, default 100,000), plus its idle memory",
    run: (ctx) => conversations(ctx, "pglite"),
  },
];

async function conversations(ctx: BenchContext, kind: Kind): Promise<Section[]> {
  const { settings, cleanup, progress } = ctx;
  const count = kind === "postgres" ? settings.pgConversations : settings.pgliteConversations;
  // The baseline goes first, while nothing else runs, and just before the measurements it anchors.
  const baseline = await ctx.baseline();

  const data = temporaryDataDir(cleanup, kind);
  let databaseUrl: string | undefined;
  let databaseBackends: CpuWatch | undefined;
  let dropDatabase = async () => {};
  let database: Database;
  if (kind === "postgres") {
    const created = await throwawayPostgres(cleanup, settings.adminDatabaseUrl);
    progress(`created database ${created.name}`);
    databaseUrl = created.url;
    databaseBackends = postgresBackends(settings.adminDatabaseUrl, created.name);
    dropDatabase = created.drop;
    database = await openPostgres(created.url, 2);
  } else {
    database = await openPglite(data.dir);
  }
  progress(`seeding ${count.toLocaleString("en-US")} conversations into ${kind}`);
  const seedStarted = performance.now();
  let seeded: Awaited<ReturnType<typeof seedWorkspace>>;
  try {
    seeded = await seedWorkspace(
      database,
      {
        conversations: count,
        contacts: Math.min(settings.contacts, count),
        targets: TARGETS,
        ownerPassword: randomBytes(12).toString("base64url"),
        batchSize: kind === "postgres" ? 100_000 : 50_000,
        indexMemory: kind === "postgres" ? "256MB" : "64MB",
      },
      progress,
    );
  } finally {
    await database.close();
  }
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  const server = await spawnKeepwell(cleanup, {
    dataDir: data.dir,
    databaseUrl,
    demoPassword: randomBytes(12).toString("base64url"),
  });
  const readyMs = await waitForReady(server);
  progress(`server ready in ${Math.round(readyMs)} ms (pid ${server.pid})`);

  const token = await createToken(server.url, seeded.ownerEmail, seeded.ownerPassword);
  const headers = { authorization: `Bearer ${token}` };
  const list = (query: string) => `/api/v1/conversations?limit=50${query}`;
  const first = await expectOk<{ data: unknown[]; next_cursor: string | null }>(
    "the conversation list",
    `${server.url}${list("")}`,
    { headers },
  );
  if (first.data.length !== 50 || !first.next_cursor)
    throw new Error(
      `the conversation list gave ${first.data.length} rows and no next page; expected 50 and a cursor`,
    );
  const secondPage = list(`&cursor=${encodeURIComponent(first.next_cursor)}`);
  for (const query of [list("&status=open"), secondPage, list(`&tag=${seeded.tagName}`)])
    await expectOk("the conversation list", `${server.url}${query}`, { headers });

  const aim = <T>(value: T) => (kind === "postgres" ? value : undefined);
  const loads: LoadRow[] = [baseline];
  const target = { url: server.url, headers, serverPid: server.pid, databaseBackends };
  const get = (label: string, path: string) => ctx.load(label, { ...target, path }, aim(LIST_AIM));
  loads.push(await get("GET conversations, 50 rows", list("")));
  loads.push(await get("GET conversations, 50 rows, status=open", list("&status=open")));
  loads.push(await get("GET conversations, 50 rows, second page (cursor)", secondPage));
  loads.push(await get(`GET conversations, 50 rows, tag=${seeded.tagName}`, list(`&tag=${seeded.tagName}`)));

  // Message creation moves conversations to the top of the list, so it runs after the list loads.
  for (const messageKind of ["note", "outgoing"] as const) {
    const targets = seeded.targetConversationIds;
    let next = 0;
    const nextPath = () => `/api/v1/conversations/${targets[next++ % targets.length]}/messages`;
    const body = { kind: messageKind, body_text: "Thanks for your patience, this is fixed now." };
    await expectOk("message creation", `${server.url}${nextPath()}`, { method: "POST", headers, body });
    loads.push(
      await ctx.load(
        `POST message (${messageKind}), ${targets.length.toLocaleString("en-US")} conversations in turn`,
        { ...target, method: "POST", nextPath, body },
        aim(CREATE_AIM),
      ),
    );
  }

  const facts: FactRow[] = [
    { label: "seeding (bench setup, not the product)", value: seedSeconds, unit: "s" },
    { label: "start → first 200 from /readyz, seeded database", value: readyMs, unit: "ms" },
  ];
  if (kind === "pglite") {
    progress("letting the server idle for 5 s before reading its memory");
    await sleep(5000);
    const memory = memoryOf(server.pid);
    facts.push({
      label: "idle resident memory after the load",
      value: memory?.rssMiB,
      unit: "MiB",
      detail: memory ? `peak ${memory.peakMiB.toFixed(0)} MiB` : "needs /proc (Linux)",
    });
  }

  await server.stop();
  await dropDatabase();
  await data.remove();
  const engine = kind === "postgres" ? "PostgreSQL" : "embedded PGlite";
  return [
    {
      title: `Conversations on ${engine}`,
      context: `${count.toLocaleString("en-US")} conversations in one workspace; ${settings.connections} connections, ${settings.durationSeconds} s per row after ${settings.warmupSeconds} s of warm-up`,
      loads,
      facts,
    },
  ];
}
