import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { createDemoToken } from "../lib/api.ts";
import type { BenchContext, Benchmark } from "../lib/context.ts";
import { temporaryDataDir } from "../lib/databases.ts";
import { measureLoad } from "../lib/load.ts";
import { memoryOf, sleep, spawnKeepwell, waitForReady } from "../lib/processes.ts";
import { type FactRow, median } from "../lib/report.ts";

const DEMO_EMAIL = "owner@demo.keepwell.test";

export const embeddedBenchmarks: Benchmark[] = [
  {
    name: "embedded-startup",
    summary: "cold start of the embedded mode (fresh and existing data directory) and its idle memory",
    run: startup,
  },
];

/**
 * Cold start is what `npm start` feels like: from spawning the process to the first 200 from
 * /readyz. A fresh data directory includes creating the embedded database and migrating it; an
 * existing one only opens it. Each case runs a few times and reports the median.
 */
async function startup(ctx: BenchContext) {
  const { settings, cleanup, progress } = ctx;
  const password = randomBytes(12).toString("base64url");
  const fresh: number[] = [];
  const existing: number[] = [];
  let memory: ReturnType<typeof memoryOf>;

  const data = temporaryDataDir(cleanup, "embedded");
  for (let i = 0; i < settings.coldStarts; i++) {
    rmSync(data.dir, { recursive: true, force: true });
    const server = await spawnKeepwell(cleanup, { dataDir: data.dir, demoPassword: password });
    fresh.push(await waitForReady(server));
    progress(`fresh data directory: ready in ${Math.round(fresh.at(-1)!)} ms`);
    if (i === 0) memory = await idleMemory(ctx, server.url, server.pid, password);
    await server.stop();
  }
  for (let i = 0; i < settings.coldStarts; i++) {
    const server = await spawnKeepwell(cleanup, { dataDir: data.dir, demoPassword: password });
    existing.push(await waitForReady(server));
    progress(`existing data directory: ready in ${Math.round(existing.at(-1)!)} ms`);
    await server.stop();
  }
  await data.remove();

  const spread = (values: number[]) =>
    `median of ${values.length}; ${values.map((v) => Math.round(v)).join(", ")} ms`;
  const facts: FactRow[] = [
    { label: "cold start, fresh data directory", value: median(fresh), unit: "ms", detail: spread(fresh) },
    {
      label: "cold start, existing data directory",
      value: median(existing),
      unit: "ms",
      detail: spread(existing),
    },
    {
      label: "idle resident memory after warm-up",
      value: memory?.rssMiB,
      unit: "MiB",
      detail: memory ? `peak ${memory.peakMiB.toFixed(0)} MiB; demo workspace only` : "needs /proc (Linux)",
    },
  ];
  return [
    {
      title: "Embedded mode (PGlite): start and memory",
      context: "spawn `keepwell start` → first 200 from GET /readyz; memory is VmRSS of the server process",
      loads: [],
      facts,
    },
  ];
}

/**
 * Warms the server up with a few seconds of authenticated requests (sign-in, token, the API
 * routes every agent screen calls), then leaves it idle before reading its resident memory.
 */
async function idleMemory(ctx: BenchContext, url: string, pid: number, password: string) {
  const token = await createDemoToken(url, DEMO_EMAIL, password);
  ctx.progress("warming up for 3 s, then idling for 5 s");
  const paths = ["/api/v1/auth/session", "/api/v1/conversations?limit=50", "/api/v1/tokens"];
  let next = 0;
  await measureLoad(
    { url, nextPath: () => paths[next++ % paths.length], headers: { authorization: `Bearer ${token}` } },
    { connections: 10, durationSeconds: 3, warmupSeconds: 0 },
  );
  await sleep(5000);
  return memoryOf(pid);
}
