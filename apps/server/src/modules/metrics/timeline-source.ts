import { sql } from "kysely";
import type { Db } from "../../db/database.ts";
import { isAutomatedMessage } from "../email/outbound/auto-ack.ts";
import type { TimelineConversation, TimelineMessage } from "./conversation-metrics.ts";

/*
 * The one place where metrics read the conversations module's tables. Metrics are a read model over
 * conversations and messages, and a rebuild reads them by the thousand; the conversations module
 * exports reads of one conversation (with attachments and pagination) but no batch read of the few
 * columns metrics need.
 * TODO(conversations): replace with a batch timeline read exported by the conversations module.
 */

export interface Timeline {
  conversation: TimelineConversation;
  messages: TimelineMessage[];
}

const conversationColumns = [
  "id",
  "inbox_id",
  "channel",
  "status",
  "assignee_id",
  "resolved_at",
  "created_at",
] as const;

/** Timelines of the given conversations of one workspace (missing ids are left out). */
export async function readTimelines(
  db: Db,
  workspaceId: string,
  ids: string[],
): Promise<Map<string, Timeline>> {
  if (ids.length === 0) return new Map();
  const conversations = await db
    .selectFrom("conversations")
    .select(conversationColumns)
    .where("workspace_id", "=", workspaceId)
    .where("id", "in", ids)
    .execute();
  return withMessages(db, workspaceId, conversations, (q) => q.where("conversation_id", "in", ids));
}

/**
 * The next `limit` timelines of a workspace in id order, after `afterId`: the rebuild's batches.
 * Messages are read by the batch's id range, which the messages index serves in one pass.
 */
export async function timelinesAfter(db: Db, workspaceId: string, afterId: string | null, limit: number) {
  let query = db
    .selectFrom("conversations")
    .select(conversationColumns)
    .where("workspace_id", "=", workspaceId)
    .orderBy("id")
    .limit(limit);
  if (afterId) query = query.where("id", ">", afterId);
  const conversations = await query.execute();
  if (conversations.length === 0) return new Map<string, Timeline>();
  const first = conversations[0].id;
  const last = conversations[conversations.length - 1].id;
  return withMessages(db, workspaceId, conversations, (q) =>
    q.where("conversation_id", ">=", first).where("conversation_id", "<=", last),
  );
}

function messageQuery(db: Db, workspaceId: string) {
  return db
    .selectFrom("messages")
    .select([
      "conversation_id",
      "kind",
      "sent_by_human",
      "author_agent_id",
      "created_at",
      // Only customer messages and activity lines need their metadata; notes and replies can be long.
      sql<Record<string, unknown> | null>`case when kind in ('incoming', 'activity') then metadata end`.as(
        "metadata",
      ),
    ])
    .where("workspace_id", "=", workspaceId)
    .where("kind", "!=", "note")
    .orderBy("conversation_id")
    .orderBy("created_at")
    .orderBy("id");
}

type MessageQuery = ReturnType<typeof messageQuery>;

async function withMessages(
  db: Db,
  workspaceId: string,
  conversations: TimelineConversation[],
  scope: (query: MessageQuery) => MessageQuery,
): Promise<Map<string, Timeline>> {
  const result = new Map<string, Timeline>();
  for (const c of conversations) result.set(c.id, { conversation: c, messages: [] });
  if (conversations.length === 0) return result;
  for (const m of await scope(messageQuery(db, workspaceId)).execute()) {
    const metadata = m.metadata ?? {};
    result.get(m.conversation_id)?.messages.push({
      kind: m.kind,
      sent_by_human: m.sent_by_human,
      author_agent_id: m.author_agent_id,
      created_at: m.created_at,
      automated: m.kind === "incoming" && isAutomatedMessage(metadata),
      action: typeof metadata.action === "string" ? metadata.action : null,
    });
  }
  return result;
}

/** Customers waiting for a human answer now (open, a request unanswered), oldest first. */
export async function waitingConversations(db: Db, workspaceId: string, limit: number) {
  return db
    .selectFrom("conversations")
    .select(["id", "number", "subject", "inbox_id", "channel", "contact_id", "assignee_id", "waiting_since"])
    .where("workspace_id", "=", workspaceId)
    .where("status", "=", "open")
    .where("waiting_since", "is not", null)
    .orderBy("waiting_since")
    .orderBy("id")
    .limit(limit)
    .execute();
}

export async function countWaiting(db: Db, workspaceId: string): Promise<number> {
  const row = await db
    .selectFrom("conversations")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("workspace_id", "=", workspaceId)
    .where("status", "=", "open")
    .where("waiting_since", "is not", null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Conversation numbers by id, for lists that show "#123". */
export async function conversationNumbers(
  db: Db,
  workspaceId: string,
  ids: string[],
): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom("conversations")
    .select(["id", "number"])
    .where("workspace_id", "=", workspaceId)
    .where("id", "in", ids)
    .execute();
  return new Map(rows.map((r) => [r.id, Number(r.number)]));
}
