import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

const dataDir = () => mkdtempSync(path.join(tmpdir(), "keepwell-config-"));

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ KEEPWELL_DATA_DIR: dataDir(), ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("configuration", () => {
  it("starts with no settings at all: embedded database, port 3000, a generated secret kept in the data directory", () => {
    const dir = dataDir();
    const config = loadConfig({ KEEPWELL_DATA_DIR: dir });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.port).toBe(3000);
    expect(config.baseUrl).toBe("http://127.0.0.1:3000");
    expect(config.secret.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(path.join(dir, "secret"), "utf8").trim()).toBe(config.secret);
    expect(loadConfig({ KEEPWELL_DATA_DIR: dir }).secret).toBe(config.secret);
  });

  it("names every bad value with what it expected, all at once", () => {
    const problems = problemsOf({
      PORT: "eighty",
      DATABASE_URL: "mysql://x",
      BASE_URL: "ftp://example.com",
      KEEPWELL_SECRET: "short",
      KEEPWELL_WEB: "maybe",
      TRUST_PROXY: "not-an-ip",
      LOG_LEVEL: "loud",
      KEEPWELL_STRIPE_API_BASE: "stripe.local",
    });
    expect(problems.join("\n")).toMatch(/PORT must be a whole number/);
    expect(problems.join("\n")).toMatch(/DATABASE_URL must start with postgres/);
    expect(problems.join("\n")).toMatch(/BASE_URL must be an http\(s\) URL/);
    expect(problems.join("\n")).toMatch(/KEEPWELL_SECRET must be at least 32/);
    expect(problems.join("\n")).toMatch(/KEEPWELL_WEB must be true or false/);
    expect(problems.join("\n")).toMatch(/TRUST_PROXY entries must be IP/);
    expect(problems.join("\n")).toMatch(/LOG_LEVEL must be one of/);
    expect(problems.join("\n")).toMatch(/KEEPWELL_STRIPE_API_BASE must be an http\(s\) origin/);
    expect(problems).toHaveLength(8);
  });

  it("refuses to run with both the web and the worker part switched off", () => {
    expect(problemsOf({ KEEPWELL_WEB: "false", KEEPWELL_WORKER: "0" })).toEqual([
      "KEEPWELL_WEB and KEEPWELL_WORKER are both off: nothing would run",
    ]);
  });

  it("runs the web part alone or the worker part alone", () => {
    const web = loadConfig({ KEEPWELL_DATA_DIR: dataDir(), KEEPWELL_WORKER: "false" });
    expect([web.runWeb, web.runWorker]).toEqual([true, false]);
    const worker = loadConfig({ KEEPWELL_DATA_DIR: dataDir(), KEEPWELL_WEB: "off" });
    expect([worker.runWeb, worker.runWorker]).toEqual([false, true]);
  });
});
