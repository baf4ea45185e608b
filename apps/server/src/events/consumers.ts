import { sql } from "kysely";
import type { FastifyBaseLogger } from "fastify";
import type { Database, HeldLock } from "../db/database.ts";
import type { WorkspaceEvent } from "./types.ts";

/**
 * A durable listener: it reads the outbox behind a position of its own, in batches, on one instance
 * at a time. Delivery is at least once (a crash between handling and moving the position repeats
 * the batch), so a handler is idempotent: keyed by the event id or by the record it derives.
 */
export interface ConsumerDefinition {
  /** Stable: the stored position is found by it. */
  name: string;
  /** The event types it handles; the position moves past the others without calling it. */
  types: readonly string[] | "*";
  handle(events: WorkspaceEvent[]): Promise<void>;
  /** Events read at once (default 200). */
  batchSize?: number;
  /** Waits before each retry of a failing event; after the last one the event is parked. */
  retryDelaysMs?: readonly number[];
}

interface Position {
  tx: string;
  seq: string;
}

interface RunningConsumer {
  definition: ConsumerDefinition;
  accepts: (type: string) => boolean;
  lock: HeldLock | null;
  position: Position | null;
  wake: (() => void) | null;
  nudged: boolean;
  /** Lags (ms from the write to the end of its handling) of the most recent events, newest last. */
  lags: number[];
  handled: number;
  running: Promise<void> | null;
}

export interface ConsumerStats {
  name: string;
  /** Whether this instance holds the listener's lock (reads its stream) right now. */
  active: boolean;
  handled: number;
  lag_p50_ms: number | null;
  lag_p99_ms: number | null;
  lag_max_ms: number | null;
}

const DEFAULT_BATCH = 200;
/** About half a minute of retries before an event is set aside. */
const DEFAULT_RETRY_DELAYS = [500, 1_000, 2_000, 4_000, 8_000, 16_000];
/** How often an instance without a listener's lock tries to take it over. */
const LOCK_RETRY_MS = 1_000;
/** Listeners wake on NOTIFY; this poll only covers a notification lost with its connection. */
const IDLE_POLL_MS = 5_000;
const LAG_WINDOW = 2_000;

/** The durable listeners of this instance. Only worker instances start them. */
export class EventConsumers {
  readonly #database: Database;
  readonly #log: FastifyBaseLogger;
  readonly #consumers = new Map<string, RunningConsumer>();
  #started = false;
  #stopped = false;

  constructor(database: Database, log: FastifyBaseLogger) {
    this.#database = database;
    this.#log = log;
  }

  define(definition: ConsumerDefinition): void {
    if (this.#consumers.has(definition.name))
      throw new Error(`event listener ${definition.name} defined twice`);
    const types = definition.types === "*" ? null : new Set(definition.types);
    const consumer: RunningConsumer = {
      definition,
      accepts: (type) => types === null || types.has(type),
      lock: null,
      position: null,
      wake: null,
      nudged: false,
      lags: [],
      handled: 0,
      running: null,
    };
    this.#consumers.set(definition.name, consumer);
    if (this.#started) consumer.running = this.#run(consumer);
  }

  names(): string[] {
    return [...this.#consumers.keys()];
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    for (const consumer of this.#consumers.values()) consumer.running = this.#run(consumer);
  }

  /** New events were committed somewhere: every listener reads on. */
  nudge(): void {
    for (const consumer of this.#consumers.values()) {
      consumer.nudged = true;
      consumer.wake?.();
    }
  }

  /**
   * Resolves once every listener of this instance has read up to the events committed before the
   * call (tests use it; a listener whose lock another instance holds is skipped).
   */
  async settled(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const end = await this.#streamEnd();
    if (!end) return;
    for (const consumer of this.#consumers.values()) {
      while (this.#started && consumer.lock && !consumer.lock.lost) {
        const at = consumer.position;
        if (at && !isBefore(at, end)) break;
        if (Date.now() > deadline) throw new Error(`event listener ${consumer.definition.name} is behind`);
        this.nudge();
        await delay(10);
      }
    }
  }

  stats(): ConsumerStats[] {
    return [...this.#consumers.values()].map((consumer) => {
      const sorted = [...consumer.lags].sort((a, b) => a - b);
      const at = (q: number) =>
        sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null;
      return {
        name: consumer.definition.name,
        active: Boolean(consumer.lock && !consumer.lock.lost),
        handled: consumer.handled,
        lag_p50_ms: at(0.5),
        lag_p99_ms: at(0.99),
        lag_max_ms: sorted.length ? sorted[sorted.length - 1] : null,
      };
    });
  }

  /**
   * Runs a parked event through its listener again; on success it is no longer parked. Handlers are
   * idempotent, so running beside the listener's own loop is safe.
   */
  async retryParked(workspaceId: string, consumerName: string, eventId: string): Promise<boolean> {
    const consumer = this.#consumers.get(consumerName);
    if (!consumer) return false;
    const key = { workspace_id: workspaceId, consumer: consumerName, event_id: eventId };
    const row = await this.#database.db
      .selectFrom("event_parked")
      .selectAll()
      .where((eb) => eb.and(key))
      .executeTakeFirst();
    if (!row) return false;
    const event: WorkspaceEvent = {
      id: row.event_id,
      type: row.type,
      workspace_id: row.workspace_id,
      data: row.data,
      at: new Date(row.occurred_at).toISOString(),
    };
    try {
      await consumer.definition.handle([event]);
    } catch (error) {
      await this.#database.db
        .updateTable("event_parked")
        .set({ attempts: sql`attempts + 1`, error: describe(error) })
        .where((eb) => eb.and(key))
        .execute();
      return false;
    }
    await this.#database.db
      .deleteFrom("event_parked")
      .where((eb) => eb.and(key))
      .execute();
    return true;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const consumer of this.#consumers.values()) consumer.wake?.();
    await Promise.all([...this.#consumers.values()].map((consumer) => consumer.running));
    for (const consumer of this.#consumers.values()) await consumer.lock?.release().catch(() => {});
  }

  async #run(consumer: RunningConsumer): Promise<void> {
    while (!this.#stopped) {
      try {
        if (!consumer.lock || consumer.lock.lost) {
          consumer.lock = await this.#database.tryLock(`events:${consumer.definition.name}`);
          if (!consumer.lock) {
            await this.#sleep(consumer, LOCK_RETRY_MS, false);
            continue;
          }
          consumer.position = await this.#loadPosition(consumer.definition.name);
        }
        consumer.nudged = false;
        const batch = await this.#read(consumer.position!, consumer.definition.batchSize ?? DEFAULT_BATCH);
        if (batch.length > 0) {
          await this.#deliver(consumer, batch);
        } else if (await this.#invisibleEventsWaiting(consumer.position!)) {
          // Committed events wait behind a transaction still running elsewhere: look again soon.
          await this.#sleep(consumer, 20, false);
        } else {
          await this.#sleep(consumer, IDLE_POLL_MS, true);
        }
      } catch (error) {
        if (this.#stopped) return;
        this.#log.error(
          { err: error, listener: consumer.definition.name },
          "event listener stalled; retrying",
        );
        await this.#sleep(consumer, 1_000, false);
      }
    }
  }

  /** Waits for a nudge (when `wakeable`) or the time, whichever comes first; a stop ends any wait. */
  async #sleep(consumer: RunningConsumer, ms: number, wakeable: boolean): Promise<void> {
    if (this.#stopped || (wakeable && consumer.nudged)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        consumer.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      consumer.wake = wakeable ? done : () => (this.#stopped ? done() : undefined);
    });
  }

  async #deliver(consumer: RunningConsumer, batch: StoredEvent[]): Promise<void> {
    const relevant = batch.filter((event) => consumer.accepts(event.type));
    const last = batch[batch.length - 1]!;
    if (relevant.length === 0) {
      await this.#advance(consumer, last);
      return;
    }
    try {
      await consumer.definition.handle(relevant.map(toWorkspaceEvent));
      this.#observe(consumer, relevant);
      await this.#advance(consumer, last);
      return;
    } catch (error) {
      this.#log.warn(
        { err: error, listener: consumer.definition.name, events: relevant.length },
        "event listener failed on a batch; handling its events one at a time",
      );
    }
    // One event at a time: those before the faulty one are done, the faulty one is retried and
    // then parked, and the listener goes on with the rest.
    for (const event of batch) {
      if (consumer.accepts(event.type) && !(await this.#deliverOne(consumer, event))) return;
      await this.#advance(consumer, event);
    }
  }

  /** False when the instance is stopping or lost the lock, with the event not yet done. */
  async #deliverOne(consumer: RunningConsumer, event: StoredEvent): Promise<boolean> {
    const delays = consumer.definition.retryDelaysMs ?? DEFAULT_RETRY_DELAYS;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await consumer.definition.handle([toWorkspaceEvent(event)]);
        this.#observe(consumer, [event]);
        return true;
      } catch (error) {
        if (this.#stopped || !consumer.lock || consumer.lock.lost) return false;
        const wait = delays[attempt - 1];
        if (wait === undefined) {
          await this.#park(consumer, event, attempt, error);
          return true;
        }
        this.#log.warn(
          { err: error, listener: consumer.definition.name, event: event.id, type: event.type, attempt },
          "event listener failed; retrying",
        );
        await this.#sleep(consumer, wait, false);
        if (this.#stopped) return false;
      }
    }
  }

  async #park(
    consumer: RunningConsumer,
    event: StoredEvent,
    attempts: number,
    error: unknown,
  ): Promise<void> {
    this.#log.error(
      { err: error, listener: consumer.definition.name, event: event.id, type: event.type },
      "event listener gave up on an event; parked it",
    );
    await this.#database.db
      .insertInto("event_parked")
      .values({
        workspace_id: event.workspace_id,
        consumer: consumer.definition.name,
        event_id: event.id,
        seq: event.seq,
        type: event.type,
        data: JSON.stringify(event.data),
        occurred_at: event.created_at,
        attempts,
        error: describe(error),
      })
      .onConflict((oc) =>
        oc
          .columns(["workspace_id", "consumer", "event_id"])
          .doUpdateSet({ attempts, error: describe(error) }),
      )
      .execute();
  }

  #observe(consumer: RunningConsumer, events: StoredEvent[]): void {
    const now = Date.now();
    for (const event of events) consumer.lags.push(now - new Date(event.created_at).getTime());
    if (consumer.lags.length > LAG_WINDOW) consumer.lags.splice(0, consumer.lags.length - LAG_WINDOW);
    consumer.handled += events.length;
  }

  async #advance(consumer: RunningConsumer, event: StoredEvent): Promise<void> {
    await this.#database.db
      .updateTable("event_consumers")
      .set({ pos_tx: event.tx, pos_seq: event.seq, updated_at: sql`now()` })
      .where("name", "=", consumer.definition.name)
      .execute();
    consumer.position = { tx: event.tx, seq: event.seq };
  }

  async #loadPosition(name: string): Promise<Position> {
    await this.#database.db
      .insertInto("event_consumers")
      .values({ name })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const row = await this.#database.db
      .selectFrom("event_consumers")
      .select(["pos_tx", "pos_seq"])
      .where("name", "=", name)
      .executeTakeFirstOrThrow();
    return { tx: String(row.pos_tx), seq: String(row.pos_seq) };
  }

  /** Events after the position whose transactions are all finished, in commit order. */
  async #read(position: Position, limit: number): Promise<StoredEvent[]> {
    const result = await sql<StoredEvent>`
      select o.seq::text as seq, o.tx::text as tx, o.id, o.workspace_id, o.type, o.data, o.created_at
      from event_outbox o
      where (o.tx, o.seq) > (${position.tx}::xid8, ${position.seq}::bigint)
        and o.tx < pg_snapshot_xmin(pg_current_snapshot())
      order by o.tx, o.seq
      limit ${limit}`.execute(this.#database.db);
    return result.rows;
  }

  async #invisibleEventsWaiting(position: Position): Promise<boolean> {
    const result = await sql<{ waiting: boolean }>`
      select exists (
        select 1 from event_outbox
        where (tx, seq) > (${position.tx}::xid8, ${position.seq}::bigint)
          and tx >= pg_snapshot_xmin(pg_current_snapshot())
      ) as waiting`.execute(this.#database.db);
    return result.rows[0]?.waiting === true;
  }

  /** Where the stream ends now: the last event of every finished transaction. */
  async #streamEnd(): Promise<Position | null> {
    // Ordered by the columns themselves: the text aliases would sort "994" after "1019".
    const result = await sql<Position>`
      select o.tx::text as tx, o.seq::text as seq from event_outbox o order by o.tx desc, o.seq desc limit 1`.execute(
      this.#database.db,
    );
    return result.rows[0] ?? null;
  }
}

interface StoredEvent {
  seq: string;
  tx: string;
  id: string;
  workspace_id: string;
  type: string;
  data: Record<string, unknown>;
  created_at: Date | string;
}

function toWorkspaceEvent(event: StoredEvent): WorkspaceEvent {
  return {
    id: event.id,
    type: event.type,
    workspace_id: event.workspace_id,
    data: event.data,
    at: new Date(event.created_at).toISOString(),
  };
}

/** (tx, seq) order: xid8 and bigint both fit in a BigInt. */
function isBefore(a: Position, b: Position): boolean {
  const ta = BigInt(a.tx);
  const tb = BigInt(b.tx);
  return ta < tb || (ta === tb && BigInt(a.seq) < BigInt(b.seq));
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 2000);
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
