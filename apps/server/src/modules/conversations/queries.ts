import { type RawBuilder, type SqlBool, sql } from "kysely";
import type { Db } from "../../db/database.ts";
import { decodeCursor, encodeCursor } from "../../lib/cursor.ts";
import { newMessageId } from "./message-ids.ts";
import type { Conversation, ConversationUpdate, MessageKind, NewConversation } from "../../db/schema.ts";

export const conversationColumns = [
  "id",
  "number",
  "inbox_id",
  "contact_id",
  "channel",
  "subject",
  "status",
  "priority",
  "assignee_id",
  "snoozed_until",
  "preview",
  "message_count",
  "first_customer_message_at",
  "first_human_response_at",
  "waiting_since",
  "resolved_at",
  "last_activity_at",
  "created_at",
  "updated_at",
] as const;

export type ConversationRow = Omit<Conversation, "workspace_id">;

export async function findConversation(
  db: Db,
  workspaceId: string,
  id: string,
): Promise<ConversationRow | undefined> {
  return db
    .selectFrom("conversations")
    .select(conversationColumns)
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
}

/** Locks the row until the transaction ends, so concurrent messages and updates never lose each other's changes. */
export async function lockConversation(
  trx: Db,
  workspaceId: string,
  id: string,
): Promise<ConversationRow | undefined> {
  return trx
    .selectFrom("conversations")
    .select(conversationColumns)
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirst();
}

/*
 * db/schema.ts declares last_activity_at and updated_at as Generated<Timestamp>, which nests one
 * ColumnType in another, so Kysely will not accept a Date for them. These types say what the columns
 * take; the casts below are the only place that papers over it.
 */
export type ConversationChanges = Omit<ConversationUpdate, "last_activity_at" | "updated_at"> & {
  last_activity_at?: Date;
  updated_at?: Date;
};

export async function insertConversation(
  trx: Db,
  values: Omit<NewConversation, "last_activity_at" | "created_at" | "updated_at"> & { at: Date },
): Promise<ConversationRow> {
  const { at, ...rest } = values;
  return trx
    .insertInto("conversations")
    .values({ ...rest, last_activity_at: at, created_at: at, updated_at: at } as NewConversation)
    .returning(conversationColumns)
    .executeTakeFirstOrThrow();
}

export async function updateConversationRow(
  trx: Db,
  workspaceId: string,
  id: string,
  changes: ConversationChanges,
): Promise<ConversationRow> {
  return trx
    .updateTable("conversations")
    .set(changes as ConversationUpdate)
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .returning(conversationColumns)
    .executeTakeFirstOrThrow();
}

/** The next conversation number of the workspace; the upsert serializes concurrent callers on the counter row. */
export async function nextConversationNumber(trx: Db, workspaceId: string): Promise<number> {
  const row = await trx
    .insertInto("workspace_counters")
    .values({ workspace_id: workspaceId, name: "conversation", value: 1 })
    .onConflict((oc) =>
      oc.columns(["workspace_id", "name"]).doUpdateSet({ value: sql`workspace_counters.value + 1` }),
    )
    .returning("value")
    .executeTakeFirstOrThrow();
  return Number(row.value);
}

export const messageColumns = [
  "id",
  "conversation_id",
  "kind",
  "author_agent_id",
  "author_contact_id",
  "body_text",
  "body_html",
  "delivery_state",
  "delivery_error",
  "sent_by_human",
  "metadata",
  "created_at",
] as const;

export interface NewMessage {
  kind: MessageKind;
  authorAgentId: string | null;
  authorContactId: string | null;
  bodyText: string;
  bodyHtml: string | null;
  sentByHuman: boolean;
  deliveryState: "queued" | null;
  metadata: Record<string, unknown>;
  at: Date;
}

export async function insertMessage(
  trx: Db,
  workspaceId: string,
  conversationId: string,
  message: NewMessage,
) {
  return trx
    .insertInto("messages")
    .values({
      workspace_id: workspaceId,
      id: newMessageId(),
      conversation_id: conversationId,
      kind: message.kind,
      author_agent_id: message.authorAgentId,
      author_contact_id: message.authorContactId,
      body_text: message.bodyText,
      body_html: message.bodyHtml,
      sent_by_human: message.sentByHuman,
      delivery_state: message.deliveryState,
      metadata: JSON.stringify(message.metadata),
      created_at: message.at,
    })
    .returning(messageColumns)
    .executeTakeFirstOrThrow();
}

export type MessageRow = Awaited<ReturnType<typeof insertMessage>>;

/** One message of the workspace by id (the chat widget relays single messages as their events arrive). */
export async function findMessage(db: Db, workspaceId: string, id: string): Promise<MessageRow | undefined> {
  return db
    .selectFrom("messages")
    .select(messageColumns)
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
}

/**
 * Messages oldest first. lib/pagination's keysetPage walks newest first, so this is its ascending twin
 * over the same (workspace_id, conversation_id, created_at, id) index, with the same microsecond cursor.
 */
export async function messagePage(
  db: Db,
  workspaceId: string,
  conversationId: string,
  options: { cursor?: string; limit: number },
): Promise<{ data: MessageRow[]; next_cursor: string | null }> {
  let query = db
    .selectFrom("messages")
    .select(messageColumns)
    .select(
      sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as("sort_key"),
    )
    .where("workspace_id", "=", workspaceId)
    .where("conversation_id", "=", conversationId)
    .orderBy("created_at")
    .orderBy("id")
    .limit(options.limit + 1);
  if (options.cursor) {
    const [at, id] = decodeCursor(options.cursor, ["date", "uuid"]);
    query = query.where(sql<SqlBool>`(created_at, id) > (${at}::timestamptz, ${id}::uuid)`);
  }
  const rows = await query.execute();
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  return {
    data: page.map(({ sort_key: _, ...row }) => row),
    next_cursor: rows.length > options.limit && last ? encodeCursor([last.sort_key, last.id]) : null,
  };
}

/** A timestamp as JavaScript's toISOString writes it (milliseconds, truncated like pg's and PGlite's parsers). */
const isoTime = (column: string) =>
  sql`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The conversation aliased `c` as JSON text, exactly as GET /conversations/{id} presents it (same
 * fields, order and formats; the list test compares the two). The list renders its rows in the
 * database because parsing fifty rows of twenty columns into objects, dates included, and
 * serializing them again cost the server more CPU than the query itself.
 */
export function conversationJson(tags: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`json_build_object(
    'id', c.id, 'number', c.number, 'inbox_id', c.inbox_id, 'contact_id', c.contact_id,
    'channel', c.channel, 'subject', c.subject, 'status', c.status, 'priority', c.priority,
    'assignee_id', c.assignee_id, 'snoozed_until', ${isoTime("c.snoozed_until")}, 'preview', c.preview,
    'message_count', c.message_count, 'tags', ${tags},
    'first_customer_message_at', ${isoTime("c.first_customer_message_at")},
    'first_human_response_at', ${isoTime("c.first_human_response_at")},
    'waiting_since', ${isoTime("c.waiting_since")}, 'resolved_at', ${isoTime("c.resolved_at")},
    'last_activity_at', ${isoTime("c.last_activity_at")}, 'created_at', ${isoTime("c.created_at")},
    'updated_at', ${isoTime("c.updated_at")})::text`;
}
