import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { seedPgliteDataDir } from "./test/db-template.ts";

const bin = path.resolve(import.meta.dirname, "../../../bin/keepwell.js");
const dirs: string[] = [];
// The test runner sets variables of its own (BASE_URL among them) that must not leak into the command.
const { BASE_URL: _runnerBaseUrl, ...parentEnv } = process.env;
const children: ChildProcess[] = [];

function tempDir() {
  const dir = mkdtempSync(path.join(tmpdir(), "keepwell-cli-"));
  dirs.push(dir);
  return dir;
}

function keepwell(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [bin, ...args], {
    env: { ...parentEnv, LOG_LEVEL: "warn", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Starts `keepwell start` and resolves with everything it printed once it says it is running. */
function startAndWait(env: Record<string, string>): Promise<{ output: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "start"], {
      env: { ...parentEnv, LOG_LEVEL: "warn", ...env },
    });
    children.push(child);
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Password|API docs/.test(output) && /Open/.test(output))
        setTimeout(() => resolve({ output, child }), 200);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => reject(new Error(`keepwell start exited with ${code}:\n${output}`)));
  });
}

async function stop(child: ChildProcess) {
  child.removeAllListeners("exit");
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

// Each case starts real processes that open an embedded database: slow on a busy 2-core machine.
describe("the keepwell command", { timeout: 180_000 }, () => {
  it("lists its commands with --help, and each command has its own --help", () => {
    const overview = keepwell(["--help"]);
    expect(overview.status).toBe(0);
    for (const command of ["start", "migrate", "create-admin", "seed-demo"])
      expect(overview.stdout).toContain(command);
    const createAdmin = keepwell(["create-admin", "--help"]);
    expect(createAdmin.status).toBe(0);
    expect(createAdmin.stdout).toMatch(/--email/);
  });

  it("refuses an unknown command or option with exit code 2 and says why", () => {
    const unknown = keepwell(["frobnicate"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    const badOption = keepwell(["migrate", "--fast"]);
    expect(badOption.status).toBe(2);
    expect(badOption.stderr).toMatch(/--fast/);
  });

  it("explains bad configuration instead of crashing", () => {
    const result = keepwell(["migrate"], { KEEPWELL_DATA_DIR: tempDir(), PORT: "99999" });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/PORT must be a whole number from 0 to 65535/);
  });

  it("migrates with progress, and create-admin makes an owner who can sign in", async () => {
    const dataDir = tempDir();
    const migrated = keepwell(["migrate"], { KEEPWELL_DATA_DIR: dataDir });
    expect(migrated.status).toBe(0);
    expect(migrated.stderr).toMatch(/migration .*foundation: Success/);
    expect(
      keepwell(["seed-demo"], { KEEPWELL_DATA_DIR: dataDir, KEEPWELL_DEMO_PASSWORD: "demo-password-1" })
        .status,
    ).toBe(0);
    const admin = keepwell(
      ["create-admin", "--email", "lee@example.test", "--name", "Lee", "--password", "a long password"],
      {
        KEEPWELL_DATA_DIR: dataDir,
      },
    );
    expect(admin.status).toBe(0);
    expect(admin.stdout).toMatch(/lee@example.test is now an owner of demo/);

    const port = await freePort();
    const { child } = await startAndWait({ KEEPWELL_DATA_DIR: dataDir, PORT: String(port) });
    const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "lee@example.test", password: "a long password" }),
    });
    expect(login.status).toBe(200);
    expect((await login.json()).workspace.role).toBe("owner");
    await stop(child);
  });

  it("prints the URL and the demo login on the first start only", async () => {
    const dataDir = tempDir();
    // Starts from the migrated schema: this case is about the first start's output; the case above
    // migrates from nothing.
    await seedPgliteDataDir(dataDir);
    const port = await freePort();
    const first = await startAndWait({ KEEPWELL_DATA_DIR: dataDir, PORT: String(port) });
    expect(first.output).toContain(`http://127.0.0.1:${port}`);
    expect(first.output).toContain("owner@demo.keepwell.test");
    const password = /Password\s+(\S+)/.exec(first.output)![1];
    const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "owner@demo.keepwell.test", password }),
    });
    expect(login.status).toBe(200);
    await stop(first.child);

    const second = await startAndWait({ KEEPWELL_DATA_DIR: dataDir, PORT: String(port) });
    expect(second.output).not.toContain("Password");
    await stop(second.child);
  });
});
