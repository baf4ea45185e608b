// The agent app's benchmark: the first download's size, and how long the inbox takes to show its
// first 50 conversations in Chromium, beside a static page of the same 50 rows from the same server.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext } from "playwright-core";
import { loadConfig } from "../apps/server/src/config.ts";
import { buildApp } from "../apps/server/src/app.ts";
import { openPglite, openPostgres } from "../apps/server/src/db/database.ts";
import { startServer } from "../apps/server/src/server.ts";
import { describeSize, ensureWebBuilt, INITIAL_JS_BUDGET } from "../scripts/build-web.js";
import type { BenchContext, Benchmark } from "./lib/context.ts";
import { temporaryDataDir, throwawayPostgres } from "./lib/databases.ts";
import { freePort } from "./lib/processes.ts";
import type { FactRow, Section } from "./lib/report.ts";
import { seedWorkspace } from "./lib/seed.ts";

type Kind = "postgres" | "pglite";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
/** Tall enough that the virtualized list draws all 50 rows of its first page (88 px each). */
const VIEWPORT = { width: 1280, height: 4800 };
const ROWS = 50;
const AIM_RATIO = 3;
const BASELINE_PATH = "/__bench/inbox-baseline.html";

const count = Number(process.env.BENCH_APP_CONVERSATIONS ?? 100_000);
const runs = Number(process.env.BENCH_APP_RUNS ?? 7);

export const appBenchmarks: Benchmark[] = [
  {
    name: "app-postgres",
    summary: `agent app: initial JS gzip, and inbox → first ${ROWS} rows in Chromium vs a static page (BENCH_APP_CONVERSATIONS, default 100,000, on PostgreSQL)`,
    run: (ctx) => appInbox(ctx, "postgres"),
  },
  {
    name: "app-pglite",
    summary: "the same on embedded PGlite",
    run: (ctx) => appInbox(ctx, "pglite"),
  },
];

async function appInbox(ctx: BenchContext, kind: Kind): Promise<Section[]> {
  const { cleanup, progress, settings } = ctx;
  if (!existsSync(CHROMIUM)) throw new Error(`the app benchmark needs Chromium at ${CHROMIUM}`);
  const size = await ensureWebBuilt({ log: progress });
  if (!size) throw new Error("the web app build left no size.json to read");
  progress(describeSize(size));

  const data = temporaryDataDir(cleanup, `app-${kind}`);
  let databaseUrl: string | undefined;
  let dropDatabase = async () => {};
  if (kind === "postgres") {
    const created = await throwawayPostgres(cleanup, settings.adminDatabaseUrl);
    databaseUrl = created.url;
    dropDatabase = created.drop;
  }
  const database = databaseUrl ? await openPostgres(databaseUrl, 2) : await openPglite(data.dir);
  progress(`seeding ${count.toLocaleString("en-US")} conversations into ${kind}`);
  const ownerPassword = randomBytes(12).toString("base64url");
  let seeded: Awaited<ReturnType<typeof seedWorkspace>>;
  try {
    seeded = await seedWorkspace(
      database,
      {
        conversations: count,
        contacts: Math.min(settings.contacts, count),
        targets: 10,
        ownerPassword,
        batchSize: kind === "postgres" ? 100_000 : 50_000,
        indexMemory: kind === "postgres" ? "256MB" : "64MB",
      },
      progress,
    );
  } finally {
    await database.close();
  }

  // The product's server, started in this process so that one bench-only route can sit beside it.
  const port = await freePort();
  const config = loadConfig({
    PORT: String(port),
    HOST: "127.0.0.1",
    BASE_URL: `http://127.0.0.1:${port}`,
    KEEPWELL_DATA_DIR: data.dir,
    KEEPWELL_SECRET: randomBytes(32).toString("hex"),
    KEEPWELL_WEB: "false",
    LOG_LEVEL: "warn",
    SMTP_PORT: "0",
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  });
  const running = await startServer(config, { logger: false });
  const stopServer = cleanup.add("stop the app bench server", () => running.close());
  const app = await buildApp(running.ctx, { logger: false });
  let baselineHtml = "";
  app.get(BASELINE_PATH, { schema: { hide: true } }, async (_request, reply) =>
    reply
      .header("content-type", "text/html; charset=utf-8")
      .header("cache-control", "no-cache")
      .send(baselineHtml),
  );
  const url = await app.listen({ port, host: "127.0.0.1" });
  const closeApp = cleanup.add("close the app bench listener", () => app.close());

  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  const closeBrowser = cleanup.add("close Chromium", () => browser.close());
  try {
    const context = await signedIn(browser, url, seeded.ownerEmail, ownerPassword);
    const page = await context.newPage();
    const list = await page.request.get(`${url}/api/v1/conversations?status=open&limit=${ROWS}`);
    const rows = ((await list.json()) as { data: BaselineRow[] }).data;
    if (rows.length !== ROWS) throw new Error(`the list API gave ${rows.length} rows, expected ${ROWS}`);
    baselineHtml = staticInbox(rows);
    await page.close();

    const inboxUrl = `${url}/conversations?view=all&status=open`;
    const baselineUrl = `${url}${BASELINE_PATH}`;
    progress(`measuring ${runs} first visits and ${runs} repeat visits of each page, alternating`);
    const times = {
      app: { cold: [] as number[], warm: [] as number[] },
      base: { cold: [] as number[], warm: [] as number[] },
    };
    for (let i = 0; i < runs; i++) {
      for (const [which, target] of [
        ["base", baselineUrl],
        ["app", inboxUrl],
      ] as const) {
        // A first visit: a fresh context (empty cache) that carries only the session cookie.
        const fresh = await browser.newContext({
          viewport: VIEWPORT,
          storageState: await context.storageState(),
        });
        times[which].cold.push(await timeToRows(fresh, target));
        // A repeat visit: the same context again, with its HTTP cache warm.
        times[which].warm.push(await timeToRows(fresh, target));
        await fresh.close();
      }
    }
    if (process.env.BENCH_APP_TRACE) await printWaterfall(browser, context, inboxUrl, progress);
    await context.close();

    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const row = (label: string, app: number[], base: number[]): FactRow[] => {
      const ratio = median(app) / median(base);
      return [
        { label: `${label}: inbox, ${ROWS} rows shown (median of ${runs})`, value: median(app), unit: "ms" },
        {
          label: `${label}: static page of the same rows (median of ${runs})`,
          value: median(base),
          unit: "ms",
        },
        {
          label: `${label}: ratio inbox / static`,
          value: ratio,
          unit: "×",
          detail: `${ratio < AIM_RATIO ? "✓" : "✗"} < ${AIM_RATIO}×; inbox runs ${app.map((t) => t.toFixed(0)).join(", ")} ms`,
        },
      ];
    };
    const facts: FactRow[] = [
      {
        label: "initial JS, gzip",
        value: size.initialJsGzip / 1024,
        unit: "KB",
        detail: `${size.initialJsGzip <= INITIAL_JS_BUDGET ? "✓" : "✗"} < ${INITIAL_JS_BUDGET / 1024} KB; ${size.initialJsFiles.length} files; all JS ${(size.allJsGzip / 1024).toFixed(1)} KB in ${size.jsFiles} files`,
      },
      ...row("first visit", times.app.cold, times.base.cold),
      ...row("repeat visit", times.app.warm, times.base.warm),
    ];
    const engine = kind === "postgres" ? "PostgreSQL" : "embedded PGlite";
    return [
      {
        title: `Agent app in Chromium on ${engine}`,
        context: `${count.toLocaleString("en-US")} conversations in one workspace; navigation start → ${ROWS} conversation rows in the DOM, app vs a static HTML page of the same rows served by the same server; viewport ${VIEWPORT.width}×${VIEWPORT.height}`,
        loads: [],
        facts,
      },
    ];
  } finally {
    await closeBrowser();
    await closeApp();
    await stopServer();
    await dropDatabase();
    await data.remove();
  }
}

interface BaselineRow {
  id: string;
  subject: string | null;
  preview?: string | null;
  status: string;
  channel: string;
  waiting_since: string | null;
}

/** Signs in once through the API; every measured context starts from this session cookie. */
async function signedIn(
  browser: Browser,
  url: string,
  email: string,
  password: string,
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const response = await context.request.post(`${url}/api/v1/auth/login`, { data: { email, password } });
  if (!response.ok()) throw new Error(`sign-in answered ${response.status()}: ${await response.text()}`);
  return context;
}

/**
 * Milliseconds from the navigation's start (the page's time origin) to the first animation frame
 * in which 50 rows are in the document; both pages are measured by the same check.
 */
async function timeToRows(context: BrowserContext, target: string): Promise<number> {
  const page = await context.newPage();
  try {
    await page.goto(target, { waitUntil: "commit" });
    const handle = await page.waitForFunction(
      (rows) => (document.querySelectorAll("[id^='row-']").length >= rows ? performance.now() : false),
      ROWS,
      { polling: "raf", timeout: 60_000 },
    );
    return (await handle.jsonValue()) as number;
  } finally {
    await page.close();
  }
}

/**
 * With BENCH_APP_TRACE set: when each request of one inbox visit started and ended, to see what
 * waits, and what the renderer's main thread spent its time on until the rows showed.
 */
async function printWaterfall(
  browser: Browser,
  context: BrowserContext,
  target: string,
  progress: (line: string) => void,
) {
  const page = await context.newPage();
  // With BENCH_APP_TRACE_DIR as well: the trace, for Chromium's DevTools; with BENCH_APP_CPU_PROFILE
  // also a sampled JavaScript profile (which slows the page down by a third).
  const saveTo = process.env.BENCH_APP_TRACE_DIR;
  const cdp = saveTo && process.env.BENCH_APP_CPU_PROFILE ? await context.newCDPSession(page) : null;
  if (cdp) {
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
    await cdp.send("Profiler.start");
  }
  await browser.startTracing(page, {
    categories: [
      "toplevel",
      "devtools.timeline",
      "disabled-by-default-devtools.timeline",
      "blink.user_timing",
      "v8.execute",
    ],
  });
  try {
    const shownAt = await (async () => {
      await page.goto(target, { waitUntil: "commit" });
      const handle = await page.waitForFunction(
        (rows) => (document.querySelectorAll("[id^='row-']").length >= rows ? performance.now() : false),
        ROWS,
        { polling: "raf", timeout: 60_000 },
      );
      return (await handle.jsonValue()) as number;
    })();
    const entries = await page.evaluate(() =>
      performance.getEntriesByType("resource").map((e) => ({
        name: e.name.replace(location.origin, ""),
        start: e.startTime,
        end: (e as PerformanceResourceTiming).responseEnd,
      })),
    );
    for (const e of entries)
      progress(`${e.start.toFixed(0).padStart(6)} → ${e.end.toFixed(0).padStart(6)} ms  ${e.name}`);
    progress(`rows shown at ${shownAt.toFixed(0)} ms`);
    const raw = (await browser.stopTracing()).toString("utf8");
    if (saveTo) {
      mkdirSync(saveTo, { recursive: true });
      writeFileSync(path.join(saveTo, "inbox-trace.json"), raw);
      if (cdp) {
        const { profile } = await cdp.send("Profiler.stop");
        writeFileSync(path.join(saveTo, "inbox.cpuprofile"), JSON.stringify(profile));
      }
      progress(`wrote the inbox's trace${cdp ? " and CPU profile" : ""} to ${saveTo}`);
    }
    const trace = JSON.parse(raw) as { traceEvents: TraceEvent[] };
    for (const line of mainThreadTime(trace.traceEvents, shownAt)) progress(line);
  } finally {
    await page.close();
  }
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  tid: number;
  pid: number;
  args?: { data?: { url?: string; documentLoaderURL?: string } };
}

/**
 * What the renderer's main thread spent its time on from navigation start until the rows showed:
 * each trace event's own time (its duration less that of the events nested in it), summed by name,
 * with script events named by their file.
 */
function mainThreadTime(events: TraceEvent[], shownAt: number): string[] {
  const navigation = events.find(
    (e) =>
      e.name === "navigationStart" && (e.args?.data as { documentLoaderURL?: string })?.documentLoaderURL,
  );
  if (!navigation) return ["(no navigation in the trace)"];
  const start = navigation.ts;
  const end = start + shownAt * 1000;
  const onMain = events
    .filter(
      (e) =>
        e.ph === "X" && e.pid === navigation.pid && e.tid === navigation.tid && e.ts >= start && e.ts <= end,
    )
    .sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const own = new Map<string, number>();
  const open: { name: string; end: number }[] = [];
  for (const e of onMain) {
    // An event still running when the rows showed counts only up to then.
    const duration = Math.min(e.ts + (e.dur ?? 0), end) - e.ts;
    while (open.length && open[open.length - 1].end <= e.ts) open.pop();
    const parent = open[open.length - 1];
    if (parent) own.set(parent.name, (own.get(parent.name) ?? 0) - duration);
    const script = e.args?.data?.url ?? "";
    const name = script ? `${e.name} ${script.slice(script.lastIndexOf("/") + 1)}` : e.name;
    own.set(name, (own.get(name) ?? 0) + duration);
    open.push({ name, end: e.ts + duration });
  }
  const busy = [...own.values()].reduce((sum, micros) => sum + micros, 0);
  const lines = [`main thread busy ${(busy / 1000).toFixed(0)} ms of ${shownAt.toFixed(0)} ms:`];
  for (const [name, micros] of [...own].sort((a, b) => b[1] - a[1]).slice(0, 12))
    lines.push(`  ${(micros / 1000).toFixed(1).padStart(7)} ms  ${name}`);
  return lines;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The same rows as plain HTML: what a server-rendered list with no script would show. */
function staticInbox(rows: BaselineRow[]): string {
  const items = rows
    .map(
      (r) =>
        `<li><a id="row-${r.id}" href="/conversations/${r.id}"><b>${escapeHtml(r.subject ?? "(no subject)")}</b> <span>${escapeHtml(r.preview ?? "")}</span> <i>${escapeHtml(r.channel)} · ${escapeHtml(r.status)} · waiting since ${escapeHtml(r.waiting_since ?? "")}</i></a></li>`,
    )
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Inbox (static baseline)</title></head><body><h1>All · Open</h1><ol>${items}</ol></body></html>`;
}
