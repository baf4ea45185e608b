import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import type { Cleanup } from "./cleanup.ts";

/** A data directory under the system's temp dir, removed when the run ends. */
export function temporaryDataDir(
  cleanup: Cleanup,
  label: string,
): { dir: string; remove: () => Promise<void> } {
  const dir = mkdtempSync(path.join(tmpdir(), `keepwell-bench-${label}-`));
  const remove = cleanup.add(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  return { dir, remove };
}

/**
 * Creates a database `keepwell_bench_<random>` next to the admin database and registers its drop.
 * A server still connected when the run is interrupted does not block the drop (`with (force)`).
 */
export async function throwawayPostgres(
  cleanup: Cleanup,
  adminUrl: string,
): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `keepwell_bench_${randomBytes(6).toString("hex")}`;
  await withClient(adminUrl, (client) => client.query(`create database ${name}`));
  const drop = cleanup.add(`drop database ${name}`, async () => {
    await withClient(adminUrl, (client) => client.query(`drop database if exists ${name} with (force)`));
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop };
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `cannot connect to PostgreSQL at ${redact(url)} (${(error as Error).message}); set BENCH_DATABASE_URL to a server where the bench may create databases`,
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}
