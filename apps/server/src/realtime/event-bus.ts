import type { Database } from "../db/database.ts";

/** A workspace event as delivered to sockets and webhooks. */
export interface WorkspaceEvent {
  type: string;
  workspace_id: string;
  data: Record<string, unknown>;
  at: string;
  /** Ephemeral events (typing, presence) go to sockets only, never to webhooks. */
  ephemeral?: boolean;
}

export type EventListener = (event: WorkspaceEvent) => void;
export type EventSink = (event: WorkspaceEvent) => Promise<void>;

const CHANNEL = "keepwell_events";
/** NOTIFY payloads are capped at 8000 bytes; events carry ids and small summaries only. */
const MAX_PAYLOAD = 7900;

/**
 * Publishes events through PostgreSQL NOTIFY, so every instance on the database hears every
 * event and hands it to the sockets it holds.
 */
export class EventBus {
  readonly #database: Database;
  readonly #listeners = new Set<EventListener>();
  readonly #sinks: EventSink[] = [];
  #unlisten: (() => Promise<void>) | undefined;

  constructor(database: Database) {
    this.#database = database;
  }

  async start(): Promise<void> {
    this.#unlisten = await this.#database.listen(CHANNEL, (payload) => {
      let event: WorkspaceEvent;
      try {
        event = JSON.parse(payload);
      } catch {
        return;
      }
      for (const listener of this.#listeners) listener(event);
    });
  }

  /**
   * Called once per published event on the publishing instance (webhook fan-out, metrics, outbound
   * mail, cache invalidation), before publish returns, alongside the other sinks.
   */
  addSink(sink: EventSink): void {
    this.#sinks.push(sink);
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async publish(
    workspaceId: string,
    type: string,
    data: Record<string, unknown>,
    ephemeral = false,
  ): Promise<void> {
    const event: WorkspaceEvent = { type, workspace_id: workspaceId, data, at: new Date().toISOString() };
    if (ephemeral) event.ephemeral = true;
    let payload = JSON.stringify(event);
    if (Buffer.byteLength(payload) > MAX_PAYLOAD) {
      payload = JSON.stringify({ ...event, data: { id: data.id, truncated: true } });
    }
    await this.#database.notify(CHANNEL, payload);
    if (!ephemeral) await this.#runSinks(event);
  }

  /**
   * The sinks are independent of each other, so they run side by side: the request that published
   * waits for the slowest one instead of their sum. Every sink runs even when another fails; the
   * first failure is rethrown for the publisher to log. Events still reach the sinks one after the
   * other, because publishers await each publish.
   */
  async #runSinks(event: WorkspaceEvent): Promise<void> {
    const results = await Promise.allSettled(this.#sinks.map(async (sink) => sink(event)));
    for (const result of results) if (result.status === "rejected") throw result.reason;
  }

  async stop(): Promise<void> {
    await this.#unlisten?.();
    this.#listeners.clear();
  }
}
