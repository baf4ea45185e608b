#!/usr/bin/env node
// `npm test`: type check, lint, then every test (unit, integration on PGlite and PostgreSQL, browser).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";

const extraArgs = process.argv.slice(2);

function run(title, command, args, env = {}) {
  process.stdout.write(`\n▶ ${title}\n`);
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
  return result.status ?? 1;
}

if (!process.env.TEST_DATABASE_URL) {
  console.warn(
    "\n⚠ TEST_DATABASE_URL is not set: integration tests run on embedded PGlite only.\n" +
      "  Set it (e.g. postgres://postgres@127.0.0.1:5432/postgres) to also run them on PostgreSQL.\n",
  );
}

let failed = 0;
if (extraArgs.length === 0) {
  failed ||= run("type check", "tsc", ["--noEmit"]);
  // The chat widget is Preact with its own JSX settings, so it has its own project.
  failed ||= run("type check (chat widget)", "tsc", ["--noEmit", "-p", "apps/widget"]);
  failed ||= run("lint", "biome", ["lint", "."]);
}
// The browser tests and the web-app module serve the built app: build it once, before any worker starts.
const webBuild = run("web app build", "node", ["scripts/build-web.js", "--size"]);
failed ||= webBuild;
mkdirSync("test-results", { recursive: true });
const report = "test-results/vitest.json";
const status = run("tests", "vitest", [
  "run",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${report}`,
  ...extraArgs,
]);

if (existsSync(report)) {
  const summary = JSON.parse(readFileSync(report, "utf8"));
  const skipped = summary.numPendingTests + summary.numTodoTests;
  console.log(
    `\nTests: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed, ${skipped} skipped`,
  );
}
process.exit(failed || status);
