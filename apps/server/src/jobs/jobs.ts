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
  /** Run a fetched batch's jobs one after the other, in the order they were sent. */
  sequential?: boolean;
}

/**
 * How long a job sent as the backstop of a first attempt made at once (`runNow`) waits: long enough
 * for the attempt to finish and drop it, short enough that a crash mid-attempt costs seconds.
 */
export const FIRST_ATTEMPT_BACKSTOP_SECONDS = 15;

/** Jobs a worker fetches at once and runs side by side (per queue). */
const JOBS_PER_FETCH = 4;

/**
 * Background work through pg-boss, in the same database as everything else (no Redis).
 * Modules declare their queues and handlers; only worker instances run handlers, but every
 * instance may enqueue.
 */
export class Jobs {
  readonly boss: PgBoss;
  readonly #queues = new Map<string, { options: QueueDefinition; handler: JobHandler<any> }>();
  #started = false;

  readonly #inline = new Set<Promise<void>>();
  #runWorkers = false;

  constructor(database: Database, config: Pick<Config, "databaseUrl">) {
    // Workers wake on the NOTIFY of a new job instead of polling for it.
    const common = {
      schema: "pgboss",
      supervise: true,
      schedule: true,
      migrate: true,
      useListenNotify: true,
    } as const;
    this.boss =
      database.kind === "postgres" && config.databaseUrl
        ? new PgBoss({ ...common, connectionString: config.databaseUrl, max: 4 })
        : new PgBoss({
            ...common,
            db: {
              executeSql: (text, values) => database.executeSql(text, values) as Promise<{ rows: any[] }>,
              // The embedded database's notifications reach this process directly.
              async listen(channel, onNotification, onReconnect) {
                const unlisten = await database.listen(channel, onNotification);
                onReconnect();
                return { close: unlisten };
              },
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
    this.#runWorkers = runWorkers;
    for (const [name, { options, handler }] of this.#queues) {
      const { sequential, ...queueOptions } = options;
      const queue = { ...queueOptions, notify: true };
      await this.boss.createQueue(name, queue).catch(() => this.boss.updateQueue(name, queue));
      if (runWorkers) {
        // A few jobs at a time, side by side, each settled on its own; while fetches come back
        // full the worker keeps fetching, so a backlog drains without waiting for polls.
        const work = {
          batchSize: JOBS_PER_FETCH,
          burstWhenBatchFull: true,
          perJobResults: true,
          // Jobs that start later (a snooze, a backstop) are found by the poll, not by a NOTIFY.
          pollingIntervalSeconds: 1,
          notifyPollingIntervalSeconds: 1,
        } as const;
        const settle = async (job: { id: string; data: unknown }) => {
          try {
            await handler(job.data as object, {
              id: job.id,
              retryCount: (job as { retryCount?: number }).retryCount ?? 0,
            });
            return { id: job.id, status: "completed" as const };
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            return { id: job.id, status: "failed" as const, output: { message } };
          }
        };
        await this.boss.work(name, work, async (jobs) => {
          if (!sequential) return Promise.all(jobs.map(settle));
          const results = [];
          for (const job of jobs) results.push(await settle(job));
          return results;
        });
      }
    }
    this.#started = true;
  }

  /**
   * Runs a queue's handler here and now as a first attempt, without waiting for it. The caller has
   * sent the same job with a delay (`backstopId`): that job stays behind for a failure or for a
   * process that dies mid-attempt, and goes once the attempt succeeds. Handlers must tolerate
   * running twice.
   */
  runNow<T extends object>(name: string, data: T, backstopId: string | null): void {
    const queue = this.#queues.get(name);
    if (!queue || !this.#runWorkers) return;
    const attempt: Promise<void> = queue
      .handler(data, { id: backstopId ?? "first-attempt", retryCount: 0 })
      .then(
        async () => {
          if (backstopId) await this.boss.deleteJob(name, backstopId).catch(() => {});
        },
        () => undefined, // the backstop job retries; the handler has recorded what went wrong
      );
    this.#inline.add(attempt);
    void attempt.finally(() => this.#inline.delete(attempt));
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
    this.#runWorkers = false;
    await Promise.allSettled([...this.#inline]);
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
