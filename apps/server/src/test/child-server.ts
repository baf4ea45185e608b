import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

/*
 * Keepwell as its own process (bin/keepwell.js start), as a user runs it: for tests that kill it
 * with SIGKILL and start it again on the same data.
 */

const bin = path.resolve(import.meta.dirname, "../../../../bin/keepwell.js");

export interface ChildServer {
  process: ChildProcess;
  exited: Promise<void>;
  /** Kills the process without warning (SIGKILL) and waits for it to be gone. */
  kill(): Promise<void>;
}

/** Starts Keepwell with `env` added to this process's environment; resolves once it says it runs. */
export async function startChildServer(env: Record<string, string>): Promise<ChildServer> {
  const { BASE_URL: _ignored, ...parentEnv } = process.env;
  const proc = spawn(process.execPath, [bin, "start"], {
    env: { ...parentEnv, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Keepwell did not start:\n${output}`)), 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (output.includes("Keepwell is running")) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on("data", onData);
    proc.stderr!.on("data", (chunk) => {
      output += chunk;
    });
    proc.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Keepwell exited (${signal ?? `code ${code}`}) while starting:\n${output}`));
    });
  });
  proc.stdout!.resume();
  proc.stderr!.resume();
  return {
    process: proc,
    exited,
    async kill() {
      proc.kill("SIGKILL");
      await exited;
    },
  };
}
