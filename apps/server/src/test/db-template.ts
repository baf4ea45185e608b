import { createHash, randomUUID } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { openDatabase } from "../db/database.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { Jobs } from "../jobs/jobs.ts";

/*
 * A fresh database per test server is what keeps the tests independent, but creating one is the
 * slowest part of a test file: PGlite's initdb alone takes several seconds, the migrations and
 * pg-boss's schema more. So the migrated schema is built once (per set of migrations and library
 * versions) and each test server starts from a copy: a copied PGlite data directory, or a
 * PostgreSQL database created from a template database.
 */

const serverSrc = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const templatesDir = path.join(tmpdir(), "keepwell-test-templates");
const DAY = 86_400_000;
/** KEEPWELL_TEST_FRESH_DB=1 makes every test database from nothing again (to time or check that path). */
export const templatesEnabled = !process.env.KEEPWELL_TEST_FRESH_DB;

/** Changes whenever the schema a fresh server would build could change. */
function templateKey(): string {
  const hash = createHash("sha256");
  const migrations = path.join(serverSrc, "db", "migrations");
  for (const name of readdirSync(migrations).sort())
    hash.update(name).update(readFileSync(path.join(migrations, name)));
  hash.update(readFileSync(path.join(serverSrc, "db", "migrate.ts")));
  const modules = path.resolve(serverSrc, "../../../node_modules");
  for (const lib of ["@electric-sql/pglite", "pg-boss"])
    hash.update(readFileSync(path.join(modules, lib, "package.json")));
  return hash.digest("hex").slice(0, 16);
}

/** The migrated schema plus pg-boss's own tables, written into an empty database. */
async function buildSchema(options: { dataDir: string; databaseUrl?: string }) {
  const database = await openDatabase(options);
  try {
    await migrateToLatest(database.db);
    const jobs = new Jobs(database, { databaseUrl: options.databaseUrl });
    await jobs.start(false);
    await jobs.stop();
  } finally {
    await database.close();
  }
}

/** A PGlite data directory holding the migrated schema; built on first use, then reused. */
export async function pgliteTemplate(): Promise<string> {
  const target = path.join(templatesDir, `pglite-${templateKey()}`);
  if (existsSync(target)) return target;
  mkdirSync(templatesDir, { recursive: true });
  const building = path.join(templatesDir, `building-${randomUUID()}`);
  try {
    await buildSchema({ dataDir: building });
    // Another process may have finished first: theirs is as good, keep it.
    if (!existsSync(target)) renameSync(path.join(building, "pgdata"), target);
  } catch (error) {
    if (!existsSync(target)) throw error;
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  removeOldTemplates(target);
  return target;
}

/** Copies the template into `dataDir/pgdata`, where the server opens its PGlite database. */
export async function seedPgliteDataDir(dataDir: string): Promise<void> {
  if (!templatesEnabled) return;
  cpSync(await pgliteTemplate(), path.join(dataDir, "pgdata"), { recursive: true });
}

function removeOldTemplates(keep: string) {
  for (const name of readdirSync(templatesDir)) {
    const full = path.join(templatesDir, name);
    if (full === keep) continue;
    try {
      if (Date.now() - statSync(full).mtimeMs > DAY) rmSync(full, { recursive: true, force: true });
    } catch {
      // another process removed it
    }
  }
}

/** The name of a PostgreSQL template database holding the migrated schema; built on first use. */
export async function postgresTemplate(adminUrl: string): Promise<string> {
  const name = `keepwell_tpl_${templateKey()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const found = await admin.query("select 1 from pg_database where datname = $1", [name]);
    if (found.rowCount) return name;
    const building = `keepwell_tplbuild_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
    await admin.query(`create database ${building}`);
    try {
      const url = new URL(adminUrl);
      url.pathname = `/${building}`;
      await buildSchema({ dataDir: tmpdir(), databaseUrl: url.toString() });
      // A connection pg-boss is still closing would block the rename (and later every clone).
      await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1", [
        building,
      ]);
      await admin.query(`alter database ${building} rename to ${name}`);
    } catch (error) {
      await admin.query(`drop database if exists ${building} with (force)`);
      // Another process finished the same template first.
      const now = await admin.query("select 1 from pg_database where datname = $1", [name]);
      if (!now.rowCount) throw error;
    }
    return name;
  } finally {
    await admin.end();
  }
}
