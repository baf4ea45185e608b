#!/usr/bin/env node
// Builds the agent web app (apps/web) into apps/web/dist when it is missing or older than its
// sources, precompresses it, and prints the size of the JavaScript a first visit downloads.
// `npm start` and the tests run it; `node scripts/build-web.js --force` rebuilds regardless.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { isFresh, readSize, repo, swapInto, viteBuild } from "./build-support.js";

const webRoot = path.join(repo, "apps/web");
export const distDir = path.join(webRoot, "dist");
// Builds happen beside node_modules' cache (ignored by git, same file system as dist for the rename).
const scratch = path.join(repo, "node_modules/.cache/keepwell-web");
const sources = ["index.html", "vite.config.ts", "src", "public"].map((p) => path.join(webRoot, p));

/** Aim from the issue: the JavaScript of a first visit stays under 200 KB gzip. */
export const INITIAL_JS_BUDGET = 200 * 1024;

export function webBuildIsFresh() {
  return isFresh(path.join(distDir, "index.html"), sources);
}

/**
 * Builds when needed. The build goes to a private folder that then replaces dist in one rename, so
 * a running server or a parallel test run never sees half a build.
 */
export async function ensureWebBuilt({ force = false, log = console.log } = {}) {
  if (!force && webBuildIsFresh()) return readSize(distDir);
  const outDir = path.join(scratch, `build-${process.pid}-${Date.now()}`);
  const started = Date.now();
  mkdirSync(scratch, { recursive: true });
  try {
    await viteBuild({
      config: path.join(webRoot, "vite.config.ts"),
      outDir,
      label: "vite build",
      args: ["--emptyOutDir"],
    });
    precompress(outDir);
    const size = measure(outDir);
    writeFileSync(path.join(outDir, "size.json"), `${JSON.stringify(size, null, 2)}\n`);
    swapInto(scratch, outDir, distDir);
    log(`Built the web app in ${((Date.now() - started) / 1000).toFixed(1)} s. ${describeSize(size)}`);
    if (size.initialJsGzip > INITIAL_JS_BUDGET) {
      log(`⚠ The initial JavaScript is over its ${INITIAL_JS_BUDGET / 1024} KB gzip budget.`);
    }
    return size;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

const COMPRESSIBLE = /\.(js|css|html|svg|json|txt)$/;

/** Writes .br and .gz beside each text file; @fastify/static serves them (preCompressed). */
function precompress(dir) {
  for (const entry of readdirSync(dir, { recursive: true })) {
    const file = path.join(dir, String(entry));
    if (!COMPRESSIBLE.test(file) || !statSync(file).isFile()) continue;
    const content = readFileSync(file);
    if (content.length < 512) continue;
    writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }));
    writeFileSync(
      `${file}.br`,
      brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
    );
  }
}

/** What index.html makes the browser fetch before the first screen: the entry and its preloads. */
function measure(dir) {
  const html = readFileSync(path.join(dir, "index.html"), "utf8");
  const initial = new Set();
  for (const match of html.matchAll(/<script[^>]+src="([^"]+)"/g)) initial.add(match[1]);
  for (const match of html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g))
    initial.add(match[1]);
  const css = [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g)].map((m) => m[1]);
  const gz = (url) => gzipSync(readFileSync(path.join(dir, url.replace(/^\//, ""))), { level: 9 }).length;
  const allJs = readdirSync(path.join(dir, "assets")).filter((f) => f.endsWith(".js"));
  return {
    initialJsFiles: [...initial],
    initialJsGzip: [...initial].reduce((sum, url) => sum + gz(url), 0),
    cssGzip: css.reduce((sum, url) => sum + gz(url), 0),
    allJsGzip: allJs.reduce((sum, file) => sum + gz(`assets/${file}`), 0),
    jsFiles: allJs.length,
  };
}

export function describeSize(size) {
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  return (
    `Initial JS ${kb(size.initialJsGzip)} gzip (${size.initialJsFiles.length} files, budget ${kb(INITIAL_JS_BUDGET)}); ` +
    `CSS ${kb(size.cssGzip)} gzip; all JS ${kb(size.allJsGzip)} gzip in ${size.jsFiles} files.`
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const force = process.argv.includes("--force");
  try {
    const size = await ensureWebBuilt({ force });
    if (size && !force && process.argv.includes("--size")) console.log(describeSize(size));
  } catch (error) {
    console.error(`The web app did not build:\n${error?.stack ?? error}`);
    process.exit(1);
  }
}
