import { sql } from "kysely";
import type { Db } from "../../db/database.ts";

/** What customer health needs to know about one contact's conversations (see modules/health). */
export interface ContactConversationStats {
  contact_id: string;
  /** Conversations started in the last `windowMs` before `now`. */
  recent: number;
  /** Conversations started in the window before that. */
  previous: number;
  /** Recent conversations whose first human answer took longer than `longWaitMs`, or still waits that long. */
  long_waits: number;
  last_activity_at: Date | null;
}

/**
 * Conversation figures per contact, in one grouped query: the health job reads a thousand
 * companies' contacts at a time this way instead of one query per company.
 */
export async function conversationStatsOfContacts(
  db: Db,
  workspaceId: string,
  contactIds: readonly string[],
  options: { now: Date; windowMs: number; longWaitMs: number },
): Promise<ContactConversationStats[]> {
  if (contactIds.length === 0) return [];
  const recentStart = new Date(options.now.getTime() - options.windowMs);
  const previousStart = new Date(options.now.getTime() - 2 * options.windowMs);
  const waitLimit = `${Math.round(options.longWaitMs)} milliseconds`;
  const rows = await db
    .selectFrom("conversations")
    .select([
      "contact_id",
      sql<string>`count(*) filter (where created_at >= ${recentStart})`.as("recent"),
      sql<string>`count(*) filter (where created_at >= ${previousStart} and created_at < ${recentStart})`.as(
        "previous",
      ),
      sql<string>`count(*) filter (where created_at >= ${recentStart} and first_customer_message_at is not null and (
        (first_human_response_at is not null and first_human_response_at - first_customer_message_at > ${waitLimit}::interval)
        or (first_human_response_at is null and status <> 'resolved' and ${options.now}::timestamptz - first_customer_message_at > ${waitLimit}::interval)))`.as(
        "long_waits",
      ),
      sql<Date | null>`max(last_activity_at)`.as("last_activity_at"),
    ])
    .where("workspace_id", "=", workspaceId)
    .where("contact_id", "in", [...contactIds])
    .groupBy("contact_id")
    .execute();
  return rows.map((r) => ({
    contact_id: r.contact_id,
    recent: Number(r.recent),
    previous: Number(r.previous),
    long_waits: Number(r.long_waits),
    last_activity_at: r.last_activity_at ? new Date(r.last_activity_at) : null,
  }));
}

/** The contact a conversation is with, or undefined when the workspace has no such conversation. */
export async function contactOfConversation(
  db: Db,
  workspaceId: string,
  conversationId: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom("conversations")
    .select("contact_id")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", conversationId)
    .executeTakeFirst();
  return row?.contact_id;
}

/** Which of these conversations a human agent has answered. */
export async function answeredConversations(
  db: Db,
  workspaceId: string,
  conversationIds: readonly string[],
): Promise<Set<string>> {
  if (conversationIds.length === 0) return new Set();
  const rows = await db
    .selectFrom("conversations")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("id", "in", [...conversationIds])
    .where("first_human_response_at", "is not", null)
    .execute();
  return new Set(rows.map((r) => r.id));
}
