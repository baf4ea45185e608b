#!/usr/bin/env node
// Builds the chat widget (apps/widget) into apps/widget/dist when it is missing or older than its
// sources: loader.js (the embed script) and widget.js (the chat inside the frame). Prints their gzip
// sizes against the budgets. `npm start` and `npm test` run it; `--force` rebuilds regardless.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { isFresh, readSize, repo, swapInto, viteBuild } from "./build-support.js";

const widgetRoot = path.join(repo, "apps/widget");
export const widgetDist = path.join(widgetRoot, "dist");
const scratch = path.join(repo, "node_modules/.cache/keepwell-widget");
const sources = ["vite.config.ts", "src"].map((p) => path.join(widgetRoot, p));

/** Budgets from the issue: the loader under 5 KB gzip, the widget under 40 KB gzip. */
export const BUDGETS = { "loader.js": 5 * 1024, "widget.js": 40 * 1024 };

export function widgetBuildIsFresh() {
  if (!Object.keys(BUDGETS).every((f) => existsSync(path.join(widgetDist, f)))) return false;
  return isFresh(path.join(widgetDist, "size.json"), sources);
}

/** Builds both bundles into a private folder, then swaps it in with one rename. */
export async function ensureWidgetBuilt({ force = false, log = console.log } = {}) {
  if (!force && widgetBuildIsFresh()) return readSize(widgetDist);
  const outDir = path.join(scratch, `build-${process.pid}-${Date.now()}`);
  const started = Date.now();
  mkdirSync(outDir, { recursive: true });
  try {
    for (const entry of ["loader", "widget"]) {
      await viteBuild({
        config: path.join(widgetRoot, "vite.config.ts"),
        outDir,
        label: `vite build (${entry})`,
        env: { KEEPWELL_WIDGET_ENTRY: entry },
      });
    }
    const size = Object.fromEntries(
      Object.keys(BUDGETS).map((file) => [
        file,
        gzipSync(readFileSync(path.join(outDir, file)), { level: 9 }).length,
      ]),
    );
    writeFileSync(path.join(outDir, "size.json"), `${JSON.stringify(size, null, 2)}\n`);
    swapInto(scratch, outDir, widgetDist);
    log(`Built the chat widget in ${((Date.now() - started) / 1000).toFixed(1)} s. ${describeSize(size)}`);
    for (const [file, limit] of Object.entries(BUDGETS)) {
      if (size[file] > limit) log(`⚠ ${file} is over its ${limit / 1024} KB gzip budget.`);
    }
    return size;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

export function describeSize(size) {
  return Object.entries(BUDGETS)
    .map(([file, limit]) => `${file} ${(size[file] / 1024).toFixed(1)} KB gzip (budget ${limit / 1024} KB)`)
    .join("; ");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const force = process.argv.includes("--force");
  try {
    const size = await ensureWidgetBuilt({ force });
    if (size && !force && process.argv.includes("--size")) console.log(describeSize(size));
  } catch (error) {
    console.error(`The chat widget did not build:\n${error?.stack ?? error}`);
    process.exit(1);
  }
}
