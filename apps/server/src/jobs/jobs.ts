import { PgBoss, type SendOptions } from "pg-boss";
import type { Config } from "../config.ts";
import { CompiledQuery } from "kysely";
import type { Database, Db } from "../db/database.ts";

export type JobHandler<T> = (data: T, meta: { id: string; retryCount: number }) => Promise<void>;

interface QueueDefinition {
  retryLimit?: number;
  retryDelay?: number;
  retryBackoff?: boolean;
  expireInSeconds?: number;
}

/**
 * Background work through pg-boss, in the same database as everything else (no Redis).
 * Modules declare their queues and handlers; only worker instances run handlers, but every
 * instance may enqueue.
 */
export class Jobs {
  readonly boss: PgBoss;
  readonly #queues = new Map<string, { options: QueueDefinition; handler: JobHandler<any> }>();
  #started = false;

  constructor(database: Database, config: Pick<Config, "databaseUrl">) {
    const common = { schema: "pgboss", supervise: true, schedule: true, migrate: true } as const;
    this.boss =
      database.kind === "postgres" && config.databaseUrl
        ? new PgBoss({ ...common, connectionString: config.databaseUrl, max: 4 })
        : new PgBoss({
            ...common,
            db: {
              executeSql: (text, values) => database.executeSql(text, values) as Promise<{ rows: any[] }>,
            },
          });
    this.boss.on("error", (error) => {
      // pg-boss reports maintenance errors here; they must never crash the process.
      console.error("jobs:", error);
    });
  }

  /** Registers a queue and its handler; call before start(). */
  define<T extends object>(name: string, options: QueueDefinition, handler: JobHandler<T>): void {
    this.#queues.set(name, { options, handler });
  }

  async start(runWorkers: boolean): Promise<void> {
    await this.boss.start();
    for (const [name, { options, handler }] of this.#queues) {
      await this.boss.createQueue(name, options).catch(() => this.boss.updateQueue(name, options));
      if (runWorkers) {
        await this.boss.work(name, { pollingIntervalSeconds: 0.5, batchSize: 1 }, async (jobs) => {
          for (const job of jobs) {
            await handler(job.data as object, {
              id: job.id,
              retryCount: (job as { retryCount?: number }).retryCount ?? 0,
            });
          }
        });
      }
    }
    this.#started = true;
  }

  /**
   * Enqueues a job. With `transaction`, the job is written inside it: it exists exactly when the
   * transaction commits, and costs no commit of its own.
   */
  async send<T extends object>(
    name: string,
    data: T,
    options: SendOptions & { transaction?: Db } = {},
  ): Promise<string | null> {
    if (!this.#queues.has(name)) throw new Error(`unknown job queue ${name}`);
    const { transaction, ...sendOptions } = options;
    if (!transaction) return this.boss.send(name, data, sendOptions);
    return this.boss.send(name, data, { ...sendOptions, db: sqlRunnerOf(transaction) });
  }

  async stop(): Promise<void> {
    if (this.#started) await this.boss.stop({ graceful: true, timeout: 5000, close: true });
  }
}

/** pg-boss runs its SQL through this when it must share a Kysely transaction's connection. */
function sqlRunnerOf(db: Db) {
  return {
    executeSql: async (text: string, values: unknown[] = []) => {
      const result = await db.executeQuery(CompiledQuery.raw(text, values));
      return { rows: result.rows as unknown[] };
    },
  };
}
