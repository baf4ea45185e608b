// What the agent app's and the chat widget's builds share: freshness against their sources, a
// production `vite build` in its own process, and swapping a finished build into place.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repo = fileURLToPath(new URL("..", import.meta.url));

/** The newest modification time under a file or folder; 0 when it does not exist. */
export function newestMtime(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** True when `builtFile` exists and no source is newer than it. */
export function isFresh(builtFile, sources) {
  if (!existsSync(builtFile)) return false;
  const built = statSync(builtFile).mtimeMs;
  return sources.every((source) => newestMtime(source) <= built);
}

/**
 * `vite build` in its own process with NODE_ENV=production: inside a test runner NODE_ENV is "test",
 * which would bundle React's development build.
 */
export function viteBuild({ config, outDir, label, env = {}, args = [] }) {
  const vite = path.join(repo, "node_modules/vite/bin/vite.js");
  const argv = [vite, "build", "--config", config, "--outDir", outDir, ...args, "--logLevel", "warn"];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, {
      cwd: repo,
      env: { ...process.env, NODE_ENV: "production", ...env },
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${label} exited with ${code}`))));
  });
}

/**
 * Replaces `dist` with the finished build in one rename, so a running server or a parallel test run
 * never sees half a build. `scratch` is on the same file system as `dist`.
 */
export function swapInto(scratch, outDir, dist) {
  const old = path.join(scratch, `old-${process.pid}-${Date.now()}`);
  try {
    renameSync(dist, old);
  } catch {
    // No previous build, or a parallel build moved it first.
  }
  try {
    renameSync(outDir, dist);
  } catch {
    // A parallel build put its own (identical) output in place first: keep that one.
  }
  rmSync(old, { recursive: true, force: true });
}

/** The sizes a build recorded in its size.json, if it has one. */
export function readSize(dist) {
  try {
    return JSON.parse(readFileSync(path.join(dist, "size.json"), "utf8"));
  } catch {
    return undefined;
  }
}
