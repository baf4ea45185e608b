// `npm run bench [-- <name...>]`: runs the selected benchmarks (all by default) and prints their tables.
import { writeFileSync } from "node:fs";
import os from "node:os";
import { benchmarks } from "./benchmarks/index.ts";
import { Cleanup } from "./lib/cleanup.ts";
import { createContext } from "./lib/context.ts";
import { redact } from "./lib/databases.ts";
import { renderSection, type Section } from "./lib/report.ts";
import { readSettings, SettingsError, settingsHelp } from "./lib/settings.ts";

const usage = `Usage: npm run bench [-- <name>...]   (a name may be any part of a benchmark's name)

Benchmarks:
${benchmarks.map((b) => `  ${b.name.padEnd(24)} ${b.summary}`).join("\n")}

Each load prints requests per second, p50/p99 latency and the ratio to a bare Fastify hello-world
baseline measured in the same run; the conversations on PostgreSQL also the ratio to a database floor
(bare Fastify + pg doing the same work on the same database). Missed aims are marked ✗; they do not
fail the run.

${settingsHelp}`;

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h") || args.includes("--list")) {
  console.log(usage);
  process.exit(0);
}

let settings: ReturnType<typeof readSettings>;
try {
  settings = readSettings();
} catch (error) {
  if (!(error instanceof SettingsError)) throw error;
  console.error(`bench: fix these settings:\n${error.message}`);
  process.exit(2);
}

const unknown = args.filter((arg) => !benchmarks.some((b) => b.name.includes(arg)));
if (unknown.length > 0) {
  console.error(`bench: no benchmark matches ${unknown.map((a) => `"${a}"`).join(", ")}\n\n${usage}`);
  process.exit(2);
}
const selected = args.length
  ? benchmarks.filter((b) => args.some((arg) => b.name.includes(arg)))
  : benchmarks;

const cleanup = new Cleanup();
let stopping = false;
async function stop(reason: string, code: number): Promise<never> {
  if (stopping) process.exit(code);
  stopping = true;
  console.error(`\nbench: ${reason}; cleaning up`);
  await cleanup.runAll();
  process.exit(code);
}
process.on("SIGINT", () => void stop("interrupted", 130));
process.on("SIGTERM", () => void stop("terminated", 143));
const deadline = setTimeout(
  () => void stop(`still running after ${settings.timeoutMinutes} minutes (BENCH_TIMEOUT_MINUTES)`, 1),
  settings.timeoutMinutes * 60_000,
);

const cpus = os.cpus();
const machine = `${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
console.log(`Keepwell bench, ${new Date().toISOString()}`);
console.log(`  machine: ${machine}`);

const ctx = createContext(settings, cleanup);
const results: { benchmark: string; sections?: Section[]; error?: string }[] = [];
for (const benchmark of selected) {
  if (stopping) break;
  console.error(`\n▶ ${benchmark.name}`);
  // The machine is shared: the load average around each benchmark says how much to trust it.
  const loadBefore = os.loadavg()[0];
  try {
    const sections = await benchmark.run(ctx);
    for (const section of sections) {
      section.context += `; load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}`;
      console.log(renderSection(section));
    }
    results.push({ benchmark: benchmark.name, sections });
  } catch (error) {
    // After Ctrl-C the servers are being stopped under the benchmark's feet: that is no failure.
    if (stopping) break;
    console.error(`✗ ${benchmark.name} failed: ${(error as Error).stack ?? error}`);
    results.push({ benchmark: benchmark.name, error: String((error as Error).message ?? error) });
    // Whatever it left running is stopped before the next benchmark measures anything.
    await cleanup.runAll();
  }
}
await cleanup.runAll();
clearTimeout(deadline);

if (settings.output) {
  writeFileSync(
    settings.output,
    `${JSON.stringify({ date: new Date().toISOString(), machine, settings: { ...settings, adminDatabaseUrl: redact(settings.adminDatabaseUrl) }, results }, null, 2)}\n`,
  );
  console.error(`\nresults written to ${settings.output}`);
}
process.exit(results.some((r) => r.error) ? 1 : 0);
