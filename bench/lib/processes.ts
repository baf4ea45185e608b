import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Cleanup } from "./cleanup.ts";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** A child process under test, with the tail of its output kept for error messages. */
export interface Child {
  process: ChildProcess;
  pid: number;
  url: string;
  /** performance.now() just before the process was spawned. */
  spawnedAt: number;
  /** Last lines the process wrote, shown when it fails. */
  output(): string;
  stop(): Promise<void>;
}

/** Asks the kernel for a free port. Keepwell prints its configured port, so it must be chosen up front. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a Node process on the same Node that runs the bench (the pinned Node 22 under npm), so the
 * pid is the server itself, not a wrapper: its memory is what /proc shows for that pid.
 */
export function spawnNode(
  cleanup: Cleanup,
  name: string,
  args: string[],
  env: Record<string, string>,
  url: string,
  options: { ipc?: boolean } = {},
): Child {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env,
    stdio: options.ipc ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = cleanup.add(`stop ${name}`, async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  });
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  return { process: child, pid: child.pid, url, spawnedAt, output: () => lines.join("\n"), stop };
}

export interface KeepwellOptions {
  dataDir: string;
  databaseUrl?: string;
  demoPassword: string;
}

/** The keepwell start command, exactly as a user runs it, configured only through its environment. */
export async function spawnKeepwell(cleanup: Cleanup, options: KeepwellOptions): Promise<Child> {
  const port = await freePort();
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    // The machine's own Keepwell settings must not leak into the server under test.
    if (
      value !== undefined &&
      !key.startsWith("KEEPWELL_") &&
      !["DATABASE_URL", "PORT", "HOST"].includes(key)
    )
      env[key] = value;
  }
  Object.assign(env, {
    PORT: String(port),
    HOST: "127.0.0.1",
    KEEPWELL_DATA_DIR: options.dataDir,
    KEEPWELL_DEMO_PASSWORD: options.demoPassword,
    LOG_LEVEL: "warn",
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
  });
  return spawnNode(cleanup, "keepwell", ["bin/keepwell.js", "start"], env, `http://127.0.0.1:${port}`);
}

/**
 * Polls GET /readyz every 10 ms until it answers 200 and returns the milliseconds since the process
 * was spawned; fails early, with the server's output, if the process exits.
 */
export async function waitForReady(
  child: Child,
  { path: probe = "/readyz", timeoutMs = 120_000 }: { path?: string; timeoutMs?: number } = {},
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null || child.process.signalCode !== null) {
      throw new Error(`the server exited before it was ready:\n${child.output()}`);
    }
    try {
      const response = await fetch(`${child.url}${probe}`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === 200) return performance.now() - child.spawnedAt;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the server was not ready after ${timeoutMs / 1000} s:\n${child.output()}`);
}

/** Resident and peak resident memory of a process in MiB, from /proc (Linux); undefined elsewhere. */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
    const rss = kib("VmRSS");
    const peak = kib("VmHWM");
    if (!Number.isFinite(rss)) return undefined;
    return { rssMiB: rss / 1024, peakMiB: peak / 1024 };
  } catch {
    return undefined;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
