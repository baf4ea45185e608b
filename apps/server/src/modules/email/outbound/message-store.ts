import { type SqlBool, sql } from "kysely";
import type { Db } from "../../../db/database.ts";
import { notFound } from "../../../lib/errors.ts";

/*
 * The few reads and writes of messages the email channel needs beyond what the conversations module
 * exports today: a message with its conversation, its delivery columns and its metadata.
 * TODO(conversations): move these behind conversations service functions (getMessage,
 * setDeliveryState, mergeMessageMetadata) and call those instead.
 */

export interface EmailMessage {
  id: string;
  conversation_id: string;
  kind: "incoming" | "outgoing" | "note" | "activity";
  author_agent_id: string | null;
  body_text: string;
  body_html: string | null;
  sent_by_human: boolean;
  delivery_state: "queued" | "sent" | "failed" | null;
  metadata: Record<string, unknown>;
  created_at: Date;
  channel: "email" | "chat" | "callback" | "api";
  inbox_id: string;
  contact_id: string;
  subject: string | null;
  number: string;
}

/** A message of the workspace with the conversation fields mail needs, or undefined. */
export async function findMessage(
  db: Db,
  workspaceId: string,
  id: string,
): Promise<EmailMessage | undefined> {
  return db
    .selectFrom("messages as m")
    .innerJoin("conversations as c", (join) =>
      join.onRef("c.workspace_id", "=", "m.workspace_id").onRef("c.id", "=", "m.conversation_id"),
    )
    .select([
      "m.id",
      "m.conversation_id",
      "m.kind",
      "m.author_agent_id",
      "m.body_text",
      "m.body_html",
      "m.sent_by_human",
      "m.delivery_state",
      "m.metadata",
      "m.created_at",
      "c.channel",
      "c.inbox_id",
      "c.contact_id",
      "c.subject",
      "c.number",
    ])
    .where("m.workspace_id", "=", workspaceId)
    .where("m.id", "=", id)
    .executeTakeFirst();
}

export async function getMessage(db: Db, workspaceId: string, id: string): Promise<EmailMessage> {
  const message = await findMessage(db, workspaceId, id);
  if (!message) throw notFound("Message");
  return message;
}

/** Sets the delivery state shown on the message; metadata keys given are merged into its metadata. */
export async function setDelivery(
  db: Db,
  workspaceId: string,
  id: string,
  change: {
    state: "queued" | "sent" | "failed";
    error: string | null;
    metadata?: Record<string, unknown>;
  },
): Promise<void> {
  await db
    .updateTable("messages")
    .set({
      delivery_state: change.state,
      delivery_error: change.error,
      metadata: sql`metadata || ${JSON.stringify(change.metadata ?? {})}::jsonb`,
    })
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .execute();
}

export async function mergeMessageMetadata(
  db: Db,
  workspaceId: string,
  id: string,
  patch: Record<string, unknown>,
): Promise<void> {
  await db
    .updateTable("messages")
    .set({ metadata: sql`metadata || ${JSON.stringify(patch)}::jsonb` })
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .execute();
}

/** True when no customer or agent message came before this one in its conversation. */
export async function opensConversation(
  db: Db,
  workspaceId: string,
  message: EmailMessage,
): Promise<boolean> {
  const earlier = await db
    .selectFrom("messages")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("conversation_id", "=", message.conversation_id)
    .where("kind", "in", ["incoming", "outgoing"])
    .where("id", "!=", message.id)
    .where(sql<SqlBool>`created_at <= ${message.created_at}`)
    .limit(1)
    .executeTakeFirst();
  return !earlier;
}
