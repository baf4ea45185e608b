import type { Cleanup } from "./cleanup.ts";
import { type LoadTarget, measureLoad } from "./load.ts";
import { type Child, freePort, spawnNode, waitForReady } from "./processes.ts";
import type { Aim, LoadRow, Section } from "./report.ts";
import type { BenchSettings } from "./settings.ts";

/** What a benchmark gets from the runner. */
export interface BenchContext {
  settings: BenchSettings;
  cleanup: Cleanup;
  progress(message: string): void;
  /**
   * Measures the bare Fastify hello-world baseline now, with the same connections and duration as
   * every other load; later `load` calls report their ratio against this measurement.
   */
  baseline(): Promise<LoadRow>;
  load(label: string, target: LoadTarget, aim?: Aim): Promise<LoadRow>;
}

/** A named benchmark: `npm run bench -- <name>` selects it. */
export interface Benchmark {
  name: string;
  summary: string;
  run(ctx: BenchContext): Promise<Section[]>;
}

export function createContext(settings: BenchSettings, cleanup: Cleanup): BenchContext {
  let hello: Child | undefined;
  let latestBaseline: LoadRow | undefined;
  const progress = (message: string) => process.stderr.write(`  ${message}\n`);
  const loadOptions = {
    connections: settings.connections,
    durationSeconds: settings.durationSeconds,
    warmupSeconds: settings.warmupSeconds,
  };

  async function load(label: string, target: LoadTarget, aim?: Aim): Promise<LoadRow> {
    progress(`measuring ${label} (${settings.connections} connections, ${settings.durationSeconds} s)`);
    const result = await measureLoad(target, loadOptions);
    const base = latestBaseline?.result.requestsPerSecond;
    return { label, result, ratio: base ? result.requestsPerSecond / base : undefined, aim };
  }

  return {
    settings,
    cleanup,
    progress,
    async baseline() {
      // A failed benchmark's cleanup stops the baseline server too; start another then.
      if (!hello || hello.process.exitCode !== null || hello.process.signalCode !== null) {
        const port = await freePort();
        const env = { ...process.env, PORT: String(port) } as Record<string, string>;
        hello = spawnNode(
          cleanup,
          "hello-world baseline",
          ["bench/lib/hello-server.ts"],
          env,
          `http://127.0.0.1:${port}`,
          {
            ipc: true,
          },
        );
        await waitForReady(hello, { path: "/" });
      }
      latestBaseline = undefined;
      latestBaseline = await load("baseline: bare Fastify hello world", {
        url: hello.url,
        serverPid: hello.pid,
      });
      latestBaseline.ratio = 1;
      return latestBaseline;
    },
    load,
  };
}
