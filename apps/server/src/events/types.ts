import type { DurableEventType, EventData, EventType } from "../../../../packages/contracts/src/events.ts";

export type { DurableEventType, EventType };

/** An event as listeners, sockets and webhooks see it. */
export interface WorkspaceEvent {
  /** The event's id: the same for every listener and every retry (webhooks' idempotency key). */
  id: string;
  type: string;
  workspace_id: string;
  data: Record<string, unknown>;
  at: string;
  /** Ephemeral events (typing, presence) go to sockets only, never to listeners or webhooks. */
  ephemeral?: boolean;
}

/** An event a write records inside its own transaction, typed by the catalogue in the contracts. */
export type PendingEvent = {
  [T in DurableEventType]: { type: T; data: EventData<T> };
}[DurableEventType];

/** What a conversation.updated event's `changes` may name. */
export type ConversationChange = NonNullable<EventData<"conversation.updated">["changes"]>[number];
