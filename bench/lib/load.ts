import autocannon from "autocannon";
import { type CpuWatch, cpuBetween, cpuSnapshot } from "./cpu.ts";

/** One endpoint to put under load: a fixed request, or a path chosen afresh for every request. */
export interface LoadTarget {
  url: string;
  method?: "GET" | "POST";
  path?: string;
  nextPath?: () => string;
  headers?: Record<string, string>;
  body?: unknown;
  /** The server process, whose CPU time per request is reported. */
  serverPid?: number;
  /** The database processes serving it, when the database runs apart from the server. */
  databaseBackends?: CpuWatch;
}

export interface LoadOptions {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  completed: number;
  /** Responses other than 2xx, and connection errors/timeouts: a measurement with any is not valid. */
  failures: number;
  /** Requests that got no answer within autocannon's 10 s timeout (counted in failures). */
  timeouts: number;
  statusCodes: Record<string, number>;
  /** CPU milliseconds per completed request, in the server process and in the database's processes. */
  serverCpuMs: number | undefined;
  databaseCpuMs: number | undefined;
}

/**
 * Runs autocannon in this process against a server in another one: an unrecorded warm-up (JIT,
 * connection pools, caches), then the measured run. Latencies are collected from every response
 * rather than autocannon's whole-millisecond histogram, so sub-millisecond medians stay visible.
 * The CPU time the server (and database) processes used during the measured run is divided by the
 * completed requests.
 */
export async function measureLoad(target: LoadTarget, options: LoadOptions): Promise<LoadResult> {
  if (options.warmupSeconds > 0) await run(target, options.connections, options.warmupSeconds, undefined);
  const latencies: number[] = [];
  const server: CpuWatch = async () => (target.serverPid ? [target.serverPid] : []);
  const database: CpuWatch = target.databaseBackends ?? (async () => []);
  const before = [await cpuSnapshot(server), await cpuSnapshot(database)];
  const result = await run(target, options.connections, options.durationSeconds, latencies);
  const after = [await cpuSnapshot(server), await cpuSnapshot(database)];
  const perRequest = (ms: number | undefined) =>
    ms === undefined || !latencies.length ? undefined : ms / latencies.length;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : NaN;
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) statusCodes[code] = Number(count);
  const completed = latencies.length;
  return {
    requestsPerSecond: completed / result.duration,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: latencies.at(-1) ?? NaN,
    completed,
    failures: result.non2xx + result.errors,
    timeouts: result.timeouts,
    statusCodes,
    serverCpuMs: perRequest(cpuBetween(before[0], after[0])),
    databaseCpuMs: perRequest(cpuBetween(before[1], after[1])),
  };
}

function run(target: LoadTarget, connections: number, duration: number, latencies: number[] | undefined) {
  const headers: Record<string, string> = { ...target.headers };
  let body: string | undefined;
  if (target.body !== undefined) {
    body = JSON.stringify(target.body);
    headers["content-type"] = "application/json";
  }
  const nextPath = target.nextPath;
  const instance = autocannon({
    url: target.url,
    connections,
    duration,
    timeout: 10,
    requests: [
      {
        method: target.method ?? "GET",
        path: target.path ?? "/",
        headers,
        body,
        ...(nextPath ? { setupRequest: (request) => ({ ...request, path: nextPath() }) } : {}),
      },
    ],
  });
  if (latencies) {
    instance.on("response", (_client: unknown, status: number, _bytes: number, responseTime: number) => {
      if (status >= 200 && status < 300) latencies.push(responseTime);
    });
  }
  return instance;
}
