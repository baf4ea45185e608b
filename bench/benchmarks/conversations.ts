import { randomBytes } from "node:crypto";
import { type Database, openPglite, openPostgres } from "../../apps/server/src/db/database.ts";
import { createToken, expectOk } from "../lib/api.ts";
import type { BenchContext, Benchmark } from "../lib/context.ts";
import { type CpuWatch, postgresBackends } from "../lib/cpu.ts";
import { temporaryDataDir, throwawayPostgres } from "../lib/databases.ts";
import {
  type Child,
  freePort,
  memoryOf,
  sleep,
  spawnKeepwell,
  spawnNode,
  waitForReady,
} from "../lib/processes.ts";
import type { FactRow, LoadRow, Section } from "../lib/report.ts";
import { seedWorkspace } from "../lib/seed.ts";

type Kind = "postgres" | "pglite";

/**
 * The issue's aims; they apply on PostgreSQL, the production database, against the database floor
 * (bench/lib/floor-server.ts) measured in the same run. The hello-world ratio stays printed for
 * reference; the floor says how much of what the database allows Keepwell delivers.
 */
const LIST_AIM = { minFloorRatio: 0.7, maxP99Ms: 20 };
const NOTE_AIM = { minFloorRatio: 0.6 };
const REPLY_AIM = { minFloorRatio: 0.5 };
const TARGETS = 2000;
/** The floor's database sessions carry this application_name, so their CPU is told from Keepwell's. */
const FLOOR_APPLICATION = "keepwell-bench-floor";

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
    // Keepwell's sessions: every one on the database except the floor's.
    databaseBackends = postgresBackends(settings.adminDatabaseUrl, created.name, {
      name: FLOOR_APPLICATION,
      include: false,
    });
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
  // The database floor runs beside Keepwell on the same seeded database. PGlite lives inside the
  // server's process, so no second process can open its database: there is a floor only on PostgreSQL.
  const floor = databaseUrl ? await spawnFloor(ctx, databaseUrl) : undefined;

  const token = await createToken(server.url, seeded.ownerEmail, seeded.ownerPassword);
  const headers = { authorization: `Bearer ${token}` };
  const list = (query: string) => `/api/v1/conversations?limit=50${query}`;
  const first = await expectOk<Page>("the conversation list", `${server.url}${list("")}`, { headers });
  if (first.data.length !== 50 || !first.next_cursor)
    throw new Error(
      `the conversation list gave ${first.data.length} rows and no next page; expected 50 and a cursor`,
    );
  const secondPage = list(`&cursor=${encodeURIComponent(first.next_cursor)}`);
  const cases = [
    { label: "GET conversations, 50 rows", query: "" },
    { label: "GET conversations, 50 rows, status=open", query: "&status=open" },
    { label: "GET conversations, 50 rows, second page (cursor)", query: "", secondPage: true },
    { label: `GET conversations, 50 rows, tag=${seeded.tagName}`, query: `&tag=${seeded.tagName}` },
  ];
  const floorPaths = new Map<string, string>();
  for (const c of cases) {
    const path = c.secondPage ? secondPage : list(c.query);
    const page = await expectOk<Page>("the conversation list", `${server.url}${path}`, { headers });
    if (!floor) continue;
    // The floor must answer the same request with the same rows, or it is not doing the same work.
    let floorPath = `/conversations?limit=50${c.query}`;
    if (c.secondPage) {
      const floorFirst = await expectOk<Page>("the floor's list", `${floor.url}${floorPath}`, { headers });
      floorPath += `&cursor=${encodeURIComponent(floorFirst.next_cursor ?? "")}`;
    }
    const floorPage = await expectOk<Page>("the floor's list", `${floor.url}${floorPath}`, { headers });
    const ids = (p: Page) => p.data.map((row) => row.id).join(",");
    if (ids(page) !== ids(floorPage) || page.data.length === 0)
      throw new Error(
        `${c.label}: the floor listed ${floorPage.data.length} conversations, Keepwell ${page.data.length}, not the same`,
      );
    floorPaths.set(c.label, floorPath);
  }

  const aim = <T>(value: T) => (kind === "postgres" ? value : undefined);
  const loads: LoadRow[] = [baseline];
  const target = { url: server.url, headers, serverPid: server.pid, databaseBackends };
  const floorTarget = floor && {
    url: floor.child.url,
    headers,
    serverPid: floor.child.pid,
    databaseBackends: floor.backends,
  };
  // Each floor list row runs just before the Keepwell row it anchors, on the same filter.
  for (const c of cases) {
    const floorPath = floorPaths.get(c.label);
    let floorRow: LoadRow | undefined;
    if (floorTarget && floorPath) {
      floorRow = await ctx.load(`floor: ${c.label}`, { ...floorTarget, path: floorPath });
      floorRow.floorRatio = 1;
      loads.push(floorRow);
    }
    const path = c.secondPage ? secondPage : list(c.query);
    const row = await ctx.load(c.label, { ...target, path }, aim(LIST_AIM));
    loads.push(withFloor(row, floorRow));
  }

  // Message creation moves conversations to the top of the list, so it runs after the list loads.
  const targets = seeded.targetConversationIds;
  const inTurn = `${targets.length.toLocaleString("en-US")} conversations in turn`;
  const body = { body_text: "Thanks for your patience, this is fixed now." };
  const messageRows: LoadRow[] = [];
  for (const messageKind of ["note", "outgoing"] as const) {
    let next = 0;
    const nextPath = () => `/api/v1/conversations/${targets[next++ % targets.length]}/messages`;
    const message = { kind: messageKind, ...body };
    await expectOk("message creation", `${server.url}${nextPath()}`, {
      method: "POST",
      headers,
      body: message,
    });
    const row = await ctx.load(
      `POST message (${messageKind}), ${inTurn}`,
      { ...target, method: "POST", nextPath, body: message },
      aim(messageKind === "note" ? NOTE_AIM : REPLY_AIM),
    );
    messageRows.push(row);
  }
  // The floor's notes come last: they add messages to the same conversations, and an outgoing reply
  // reads its conversation's timeline, so running them first would make Keepwell's reply dearer.
  if (floorTarget) {
    let next = 0;
    const nextPath = () => `/conversations/${targets[next++ % targets.length]}/notes`;
    await expectOk("the floor's note", `${floor.url}${nextPath()}`, { method: "POST", headers, body });
    const floorRow = await ctx.load(`floor: POST note, ${inTurn}`, {
      ...floorTarget,
      method: "POST",
      nextPath,
      body,
    });
    floorRow.floorRatio = 1;
    for (const row of messageRows) withFloor(row, floorRow);
    messageRows.push(floorRow);
  }
  loads.push(...messageRows);
  const lag = await listenersAfterLoad(server.url, headers, progress);

  const facts: FactRow[] = [
    ...lag,
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

  await floor?.child.stop();
  await server.stop();
  await dropDatabase();
  await data.remove();
  const engine = kind === "postgres" ? "PostgreSQL" : "embedded PGlite";
  return [
    {
      title: `Conversations on ${engine}`,
      context: `${count.toLocaleString("en-US")} conversations in one workspace; ${settings.connections} connections, ${settings.durationSeconds} s per row after ${settings.warmupSeconds} s of warm-up; ${
        floor
          ? "floor: bare Fastify + pg with prepared statements on the same database (bench/lib/floor-server.ts)"
          : "no database floor on PGlite: it runs inside the server's process, where no second server can open it (see the PostgreSQL section)"
      }`,
      loads,
      facts,
    },
  ];
}

/** The issue's aim: from a write's commit to the last listener done with it. */
const LAG_AIM_MS = 1000;

interface ListenerState {
  name: string;
  active: boolean;
  backlog: number;
  lag_p50_ms: number | null;
  lag_p99_ms: number | null;
  lag_max_ms: number | null;
}

/**
 * After the write loads: how long the durable listeners took to catch up, and the lag (commit →
 * listener done) they saw over their latest events, worst listener first.
 */
async function listenersAfterLoad(
  url: string,
  headers: Record<string, string>,
  progress: (message: string) => void,
): Promise<FactRow[]> {
  const ended = performance.now();
  let listeners: ListenerState[] = [];
  for (;;) {
    const response = await fetch(`${url}/api/v1/events/listeners`, { headers });
    listeners = ((await response.json()) as { data: ListenerState[] }).data;
    if (listeners.every((listener) => listener.backlog === 0)) break;
    if (performance.now() - ended > 120_000) break;
    await sleep(100);
  }
  const caughtUpMs = performance.now() - ended;
  const behind = listeners.filter((listener) => listener.backlog > 0);
  progress(`event listeners caught up ${caughtUpMs.toFixed(0)} ms after the last write`);
  const worst = [...listeners].sort((a, b) => (b.lag_p99_ms ?? 0) - (a.lag_p99_ms ?? 0))[0];
  const p99 = worst?.lag_p99_ms ?? undefined;
  return [
    {
      label: "event listeners caught up after the last write",
      value: caughtUpMs,
      unit: "ms",
      detail: behind.length
        ? `still behind: ${behind.map((l) => `${l.name} (${l.backlog})`).join(", ")}`
        : undefined,
    },
    {
      label: "event lag p99, commit → listener done (worst listener)",
      value: p99,
      unit: "ms",
      detail: worst
        ? `${worst.name}; p50 ${worst.lag_p50_ms} ms, max ${worst.lag_max_ms} ms · ${p99 !== undefined && p99 < LAG_AIM_MS ? "✓" : "✗"} p99 < ${LAG_AIM_MS} ms · others: ${listeners
            .filter((l) => l !== worst)
            .map((l) => `${l.name} ${l.lag_p99_ms ?? "–"}`)
            .join(", ")}`
        : undefined,
    },
  ];
}

interface Page {
  data: { id: string }[];
  next_cursor: string | null;
}

/** Starts bench/lib/floor-server.ts on the bench database, its sessions named for the CPU watch. */
async function spawnFloor(
  ctx: BenchContext,
  databaseUrl: string,
): Promise<{ child: Child; url: string; backends: CpuWatch }> {
  const port = await freePort();
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  Object.assign(env, { PORT: String(port), DATABASE_URL: databaseUrl, PGAPPNAME: FLOOR_APPLICATION });
  const child = spawnNode(
    ctx.cleanup,
    "database floor",
    ["bench/lib/floor-server.ts"],
    env,
    `http://127.0.0.1:${port}`,
    { ipc: true },
  );
  await waitForReady(child);
  ctx.progress(`database floor ready (pid ${child.pid})`);
  const name = new URL(databaseUrl).pathname.slice(1);
  return {
    child,
    url: child.url,
    backends: postgresBackends(ctx.settings.adminDatabaseUrl, name, {
      name: FLOOR_APPLICATION,
      include: true,
    }),
  };
}

/** Sets a Keepwell row's ratio against the floor row doing the same work, when there is one. */
function withFloor(row: LoadRow, floor: LoadRow | undefined): LoadRow {
  const base = floor?.result.requestsPerSecond;
  if (base) row.floorRatio = row.result.requestsPerSecond / base;
  return row;
}
