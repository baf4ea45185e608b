import { randomUUID } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import type { Database, Db } from "../db/database.ts";
import { EventConsumers } from "./consumers.ts";
import { EVENTS_CHANNEL, recordEvents } from "./outbox.ts";
import type { DurableEventType, PendingEvent, WorkspaceEvent } from "./types.ts";
import type { EphemeralEventType, EventData } from "../../../../packages/contracts/src/events.ts";

export type EventListener = (event: WorkspaceEvent) => void;

/**
 * Workspace events, three ways:
 * - `record` writes durable events in the caller's transaction (the outbox); they reach every
 *   instance's sockets at commit and every durable listener after it. No listener runs inside the
 *   request that wrote them.
 * - `publish` does the same for a write that has no transaction of its own to join.
 * - `broadcast` sends an ephemeral event (typing, presence) to sockets only; nothing is stored.
 */
export class EventBus {
  readonly consumers: EventConsumers;
  readonly #database: Database;
  readonly #listeners = new Set<EventListener>();
  #unlisten: (() => Promise<void>) | undefined;

  constructor(database: Database, log: FastifyBaseLogger) {
    this.#database = database;
    this.consumers = new EventConsumers(database, log);
  }

  async start(): Promise<void> {
    this.#unlisten = await this.#database.listen(EVENTS_CHANNEL, (payload) => {
      let event: WorkspaceEvent;
      try {
        event = JSON.parse(payload);
      } catch {
        return;
      }
      if (!event.ephemeral) this.consumers.nudge();
      for (const listener of this.#listeners) listener(event);
    });
  }

  /** Hears every event on every instance as it commits: sockets and per-instance caches. */
  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Records events inside `db`, the caller's transaction. */
  async record(db: Db, workspaceId: string, events: readonly PendingEvent[]): Promise<void> {
    await recordEvents(db, workspaceId, events);
  }

  /**
   * Runs `work` in a transaction and, before it commits, records the events `work` pushed into
   * `events`: the write and its events commit together or not at all.
   */
  async transaction<T>(
    workspaceId: string,
    events: PendingEvent[],
    work: (trx: Db) => Promise<T>,
  ): Promise<T> {
    return this.#database.db.transaction().execute(async (trx) => {
      const result = await work(trx);
      await recordEvents(trx, workspaceId, events);
      return result;
    });
  }

  /** Records one event on its own, for a write that committed without a transaction to join. */
  async publish<T extends DurableEventType>(workspaceId: string, type: T, data: EventData<T>): Promise<void> {
    await recordEvents(this.#database.db, workspaceId, [{ type, data } as PendingEvent]);
  }

  /** An ephemeral event: sockets only, at once, never stored, never to listeners or webhooks. */
  async broadcast<T extends EphemeralEventType>(
    workspaceId: string,
    type: T,
    data: EventData<T>,
  ): Promise<void> {
    const event: WorkspaceEvent = {
      id: randomUUID(),
      type,
      workspace_id: workspaceId,
      data,
      at: new Date().toISOString(),
      ephemeral: true,
    };
    await this.#database.notify(EVENTS_CHANNEL, JSON.stringify(event));
  }

  async stop(): Promise<void> {
    await this.consumers.stop();
    await this.#unlisten?.();
    this.#listeners.clear();
  }
}
