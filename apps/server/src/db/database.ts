import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { btree_gin } from "@electric-sql/pglite/contrib/btree_gin";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import {
  type CompiledQuery,
  type DatabaseConnection,
  Kysely,
  PGliteDialect,
  PGliteDriver,
  PostgresDialect,
} from "kysely";
import pg from "pg";
import type { DB } from "./schema.ts";

export type Db = Kysely<DB>;

/** A notification listener: receives the payload of each NOTIFY on the channel. */
export type NotificationHandler = (payload: string) => void;

/** One database, whichever engine is behind it: the query builder plus the few engine-specific needs. */
export interface Database {
  kind: "pglite" | "postgres";
  db: Db;
  /** Runs raw SQL with optional parameters; multi-statement text (no parameters) returns one result per statement. */
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }[] | { rows: unknown[] }>;
  listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  /**
   * Takes a named lock held for as long as this process (its database session) lives, or until
   * released; null when another holder has it. Durable event listeners use it so that one instance
   * at a time reads each stream.
   */
  tryLock(name: string): Promise<HeldLock | null>;
  close(): Promise<void>;
}

export interface HeldLock {
  /** True once the session that held the lock is gone: another instance may hold it now. */
  readonly lost: boolean;
  release(): Promise<void>;
}

/** Advisory locks taken by Keepwell use this first key, so they never meet pg-boss's own. */
const LOCK_SPACE = 0x4b57;

/**
 * Kysely's PGlite driver shares one connection between all callers; without a lock, a query issued
 * while another caller's transaction is open would run inside that transaction.
 */
class SerializedPGliteDriver extends PGliteDriver {
  #tail: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;
  override async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise((resolve) => {
      release = resolve;
    });
    await previous;
    this.#release = release;
    return super.acquireConnection();
  }
  override async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }
}

class SerializedPGliteDialect extends PGliteDialect {
  readonly #pglite: PGlite;
  constructor(pglite: PGlite) {
    super({ pglite });
    this.#pglite = pglite;
  }
  override createDriver() {
    return new SerializedPGliteDriver({ pglite: this.#pglite });
  }
}

/** Opens embedded PGlite in `dataDir/pgdata`, or in memory when `dataDir` is "memory://". */
export async function openPglite(dataDir: string): Promise<Database> {
  let target: string | undefined;
  if (dataDir !== "memory://") {
    target = path.join(dataDir, "pgdata");
    mkdirSync(target, { recursive: true });
  }
  const pglite = await PGlite.create(target, { extensions: { pg_trgm, btree_gin } });
  const db = new Kysely<DB>({ dialect: new SerializedPGliteDialect(pglite) });
  const heldLocks = new Set<string>();
  return {
    kind: "pglite",
    db,
    async executeSql(text, values) {
      if (values && values.length > 0) return pglite.query(text, values);
      const results = await pglite.exec(text);
      return results.length === 1 ? results[0] : results;
    },
    async listen(channel, handler) {
      const unsubscribe = await pglite.listen(channel, handler);
      return unsubscribe;
    },
    async notify(channel, payload) {
      await pglite.query("select pg_notify($1, $2)", [channel, payload]);
    },
    // One process owns an embedded database, so its locks live in memory.
    async tryLock(name) {
      if (heldLocks.has(name)) return null;
      heldLocks.add(name);
      return {
        lost: false,
        async release() {
          heldLocks.delete(name);
        },
      };
    },
    async close() {
      await db.destroy();
    },
  };
}

/** Connects to PostgreSQL with a pool for queries and one dedicated client for LISTEN. */
export async function openPostgres(connectionString: string, poolSize = 10): Promise<Database> {
  const pool = new pg.Pool({ connectionString, max: poolSize });
  // An idle connection the server closed is dropped by the pool; the event only needs a listener.
  pool.on("error", () => {});
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const handlers = new Map<string, Set<NotificationHandler>>();
  let listener: Promise<pg.Client> | undefined;
  let closing = false;

  /**
   * One connection carries every LISTEN. Callers share the promise, so concurrent first calls never
   * open a second connection; if the connection drops, the next one listens to every channel again.
   */
  function listenerClient(): Promise<pg.Client> {
    listener ??= connectListener().catch((error) => {
      listener = undefined;
      throw error;
    });
    return listener;
  }

  async function connectListener(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString });
    const lost = () => {
      if (closing) return;
      listener = undefined;
      setTimeout(() => void listenerClient().catch(() => {}), 1000).unref();
    };
    // Without a listener a dropped connection would be an unhandled error that stops the process.
    client.on("error", lost);
    client.on("end", lost);
    client.on("notification", (msg) => {
      for (const handler of handlers.get(msg.channel) ?? []) handler(msg.payload ?? "");
    });
    await client.connect();
    for (const channel of handlers.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    return client;
  }

  /*
   * Session-level advisory locks live on their own connection: a process that dies (or loses that
   * connection) releases them at once, so another instance can take over its listeners.
   */
  interface LockSession {
    client: pg.Client;
    held: Map<string, { lost: boolean }>;
    /** One statement at a time on this connection: the listeners ask for their locks together. */
    run<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<pg.QueryResult<R>>;
  }
  let lockSession: Promise<LockSession> | undefined;
  function lockClient() {
    lockSession ??= (async () => {
      const client = new pg.Client({ connectionString });
      const held = new Map<string, { lost: boolean }>();
      const lost = () => {
        for (const lock of held.values()) lock.lost = true;
        held.clear();
        lockSession = undefined;
      };
      client.on("error", lost);
      client.on("end", lost);
      await client.connect();
      let tail: Promise<unknown> = Promise.resolve();
      const run = <R extends pg.QueryResultRow>(text: string, values: unknown[]) => {
        const result = tail.then(() => client.query<R>(text, values));
        tail = result.catch(() => undefined);
        return result;
      };
      return { client, held, run };
    })().catch((error) => {
      lockSession = undefined;
      throw error;
    });
    return lockSession;
  }

  return {
    kind: "postgres",
    db,
    async executeSql(text, values) {
      const result = await pool.query(text, values);
      return result;
    },
    async listen(channel, handler) {
      const client = await listenerClient();
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      }
      set.add(handler);
      return async () => {
        set.delete(handler);
      };
    },
    async notify(channel, payload) {
      await pool.query("select pg_notify($1, $2)", [channel, payload]);
    },
    async tryLock(name) {
      const session = await lockClient();
      if (session.held.has(name)) return null;
      const result = await session.run<{ locked: boolean }>(
        "select pg_try_advisory_lock($1, hashtext($2)) as locked",
        [LOCK_SPACE, name],
      );
      if (!result.rows[0]?.locked) return null;
      const lock = { lost: false };
      session.held.set(name, lock);
      return {
        get lost() {
          return lock.lost;
        },
        async release() {
          if (lock.lost || session.held.get(name) !== lock) return;
          session.held.delete(name);
          await session
            .run("select pg_advisory_unlock($1, hashtext($2))", [LOCK_SPACE, name])
            .catch(() => {});
        },
      };
    },
    async close() {
      closing = true;
      const locks = await lockSession?.catch(() => undefined);
      await locks?.client.end().catch(() => {});
      const client = await listener?.catch(() => undefined);
      await client?.end().catch(() => {});
      await db.destroy();
    },
  };
}

export async function openDatabase(options: { databaseUrl?: string; dataDir: string }): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl) : openPglite(options.dataDir);
}

export type { CompiledQuery };
