import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import { invalid } from "../../lib/errors.ts";
import {
  type AttachmentInfo,
  attachmentsOfMessages,
  claimVisitorUploads,
  getAttachment,
  openAttachment,
} from "../attachments/service.ts";
import { type PendingEvent, } from "../conversations/activity.ts";
import { listMessages, writeMessage } from "../conversations/message-service.ts";
import {
  findMessage,
  insertConversation,
  lockConversation,
  type MessageRow,
  nextConversationNumber,
} from "../conversations/queries.ts";
import { getMember } from "../workspaces/service.ts";
import type { Visitor } from "./visitors.ts";

/** The longest chat message a visitor may send, in characters. */
export const MAX_VISITOR_MESSAGE = 5000;

/** A message as a visitor sees it: their own words and agents' replies, never notes or system lines. */
export interface VisitorMessage {
  id: string;
  from: "visitor" | "agent";
  body: string;
  created_at: string;
  agent: { name: string } | null;
  attachments: { id: string; filename: string; content_type: string; size_bytes: number }[];
  client_id?: string;
}

/** Only what a customer may read leaves for the widget. */
export function visibleToVisitor(row: Pick<MessageRow, "kind">): boolean {
  return row.kind === "incoming" || row.kind === "outgoing";
}

/** Agents' display names, looked up once per name a process sees; nothing else about agents leaves. */
export class AgentNames {
  readonly #names = new Map<string, { name: string; at: number }>();

  async of(db: Db, workspaceId: string, agentId: string | null): Promise<string> {
    if (!agentId) return "Support";
    const key = `${workspaceId}:${agentId}`;
    const cached = this.#names.get(key);
    if (cached && Date.now() - cached.at < 300_000) return cached.name;
    const member = await getMember(db, workspaceId, agentId);
    const name = member?.name.split(/\s+/)[0] || "Support";
    if (this.#names.size > 10_000) this.#names.clear();
    this.#names.set(key, { name, at: Date.now() });
    return name;
  }
}

export async function presentForVisitor(
  db: Db,
  names: AgentNames,
  workspaceId: string,
  row: MessageRow,
  attachments: AttachmentInfo[] = [],
): Promise<VisitorMessage> {
  const metadata = (row.metadata ?? {}) as Record<string, unknown>;
  return {
    id: row.id,
    from: row.kind === "incoming" ? "visitor" : "agent",
    // A reply the visitor sent by email shows without the quoted chat below it.
    body: typeof metadata.visible_text === "string" ? metadata.visible_text : row.body_text,
    created_at: new Date(row.created_at).toISOString(),
    agent: row.kind === "outgoing" ? { name: await names.of(db, workspaceId, row.author_agent_id) } : null,
    attachments: attachments.map((a) => ({
      id: a.id,
      filename: a.filename,
      content_type: a.content_type,
      size_bytes: a.size_bytes,
    })),
    ...(typeof metadata.client_id === "string" ? { client_id: metadata.client_id } : {}),
  };
}

/** The visitor's conversation in this widget: the latest one they started. */
export async function conversationOfVisitor(db: Db, visitor: Visitor): Promise<string | null> {
  const row = await db
    .selectFrom("widget_conversations")
    .select("conversation_id")
    .where("workspace_id", "=", visitor.workspaceId)
    .where("visitor_id", "=", visitor.id)
    .orderBy("created_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return row?.conversation_id ?? null;
}

/** Whether this conversation belongs to this visitor (a visitor sees only their own). */
export async function visitorOwns(db: Db, visitor: Visitor, conversationId: string): Promise<boolean> {
  const row = await db
    .selectFrom("widget_conversations")
    .select("conversation_id")
    .where("workspace_id", "=", visitor.workspaceId)
    .where("conversation_id", "=", conversationId)
    .where("visitor_id", "=", visitor.id)
    .executeTakeFirst();
  return row !== undefined;
}

/** Files per visitor message. */
export const MAX_VISITOR_FILES = 5;

export interface VisitorSend {
  body: string;
  /** Files the visitor uploaded for this message (POST /widget/v1/{key}/uploads). */
  attachment_ids?: string[];
  client_id?: string;
  /** The visitor's conversation when the caller already knows it (saves a lookup per message). */
  conversation_id?: string | null;
}

/**
 * Records a visitor's message: into their conversation (reopened if it was resolved), or a new
 * conversation in the widget's inbox. One transaction, so a failure leaves nothing half-written.
 */
export async function sendVisitorMessage(
  ctx: AppContext,
  names: AgentNames,
  visitor: Visitor,
  input: VisitorSend,
): Promise<{ message: VisitorMessage; conversationId: string; created: boolean }> {
  const body = input.body.trim();
  const files = input.attachment_ids ?? [];
  if (files.length > MAX_VISITOR_FILES) {
    throw invalid("attachment_ids", `Send at most ${MAX_VISITOR_FILES} files with one message`);
  }
  if (!body && files.length === 0) throw invalid("body", "Write a message");
  if (body.length > MAX_VISITOR_MESSAGE) {
    throw invalid("body", `A message can be at most ${MAX_VISITOR_MESSAGE} characters`);
  }
  const at = ctx.now();
  const workspaceId = visitor.workspaceId;
  const events: PendingEvent[] = [];
  const result = await ctx.events.transaction(workspaceId, events, async (trx) => {
    const existingId = input.conversation_id ?? (await conversationOfVisitor(trx, visitor));
    let conversation = existingId ? await lockConversation(trx, workspaceId, existingId) : undefined;
    let created = false;
    if (!conversation) {
      const number = await nextConversationNumber(trx, workspaceId);
      conversation = await insertConversation(trx, {
        workspace_id: workspaceId,
        number,
        inbox_id: visitor.inboxId,
        contact_id: visitor.contactId,
        channel: "chat",
        subject: null,
        at,
      });
      await trx
        .insertInto("widget_conversations")
        .values({ workspace_id: workspaceId, conversation_id: conversation.id, visitor_id: visitor.id })
        .execute();
      events.push({
        type: "conversation.created",
        data: { id: conversation.id, number, inbox_id: visitor.inboxId, contact_id: visitor.contactId },
      });
      created = true;
    }
    const written = await writeMessage(
      trx,
      workspaceId,
      conversation,
      {
        kind: "incoming",
        authorAgentId: null,
        authorContactId: visitor.contactId,
        bodyText: body,
        bodyHtml: null,
        sentByHuman: false,
        deliveryState: null,
        metadata: {
          source: "widget",
          visitor_id: visitor.id,
          verified: visitor.externalId !== null,
          ...(input.client_id ? { client_id: input.client_id } : {}),
        },
        at,
      },
      [],
      events,
    );
    // The visitor's own uploads only: claimed here, so that another visitor's (or an agent's) file id
    // fails the whole message and nothing is stored.
    const attachments = await claimVisitorUploads(trx, workspaceId, written.message.id, visitor.id, files);
    events.push({
      type: "conversation.updated",
      data: { id: conversation.id, status: written.conversation.status, cause: "message" },
    });
    return { row: written.message, attachments, conversationId: conversation.id, created };
  });
  const message = await presentForVisitor(ctx.db, names, workspaceId, result.row, result.attachments);
  return { message, conversationId: result.conversationId, created: result.created };
}

/** One message for a visitor, or null when it is not theirs to see. */
export async function visitorMessage(
  ctx: AppContext,
  names: AgentNames,
  workspaceId: string,
  messageId: string,
): Promise<{ message: VisitorMessage; conversationId: string } | null> {
  const row = await findMessage(ctx.db, workspaceId, messageId);
  if (!row || !visibleToVisitor(row)) return null;
  const attachments = await attachmentsOfMessages(ctx.db, workspaceId, [row.id]);
  return {
    message: await presentForVisitor(ctx.db, names, workspaceId, row, attachments.get(row.id)),
    conversationId: row.conversation_id,
  };
}

/** The visitor's history (up to the last 500 messages), optionally only what came after a message they have. */
export async function visitorHistory(
  ctx: AppContext,
  names: AgentNames,
  visitor: Visitor,
  afterId?: string,
): Promise<{ conversationId: string | null; messages: VisitorMessage[] }> {
  const conversationId = await conversationOfVisitor(ctx.db, visitor);
  if (!conversationId) return { conversationId: null, messages: [] };
  const rows: Awaited<ReturnType<typeof listMessages>>["data"] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 5; page++) {
    const result = await listMessages(ctx, visitor.workspaceId, conversationId, { cursor, limit: 100 });
    rows.push(...result.data);
    if (!result.next_cursor) break;
    cursor = result.next_cursor;
  }
  let visible = rows.filter(visibleToVisitor);
  if (afterId) {
    const index = visible.findIndex((m) => m.id === afterId);
    if (index >= 0) visible = visible.slice(index + 1);
  }
  const messages: VisitorMessage[] = [];
  for (const row of visible) {
    messages.push(await presentForVisitor(ctx.db, names, visitor.workspaceId, row, row.attachments));
  }
  return { conversationId, messages };
}

/** The visitor has read everything up to now; agents hear it as an ephemeral event. */
export async function markReadByVisitor(ctx: AppContext, visitor: Visitor, conversationId: string) {
  const at = ctx.now();
  await ctx.db
    .updateTable("widget_conversations")
    .set({ visitor_read_at: at })
    .where("workspace_id", "=", visitor.workspaceId)
    .where("conversation_id", "=", conversationId)
    .where("visitor_id", "=", visitor.id)
    .execute();
  await ctx.events.broadcast(visitor.workspaceId, "widget.read", {
    conversation_id: conversationId,
    read_at: at.toISOString(),
  });
}

/** A file of a message the visitor may read in their own conversation, opened; null otherwise. */
export async function visitorAttachment(ctx: AppContext, visitor: Visitor, attachmentId: string) {
  const attachment = await getAttachment(ctx.db, visitor.workspaceId, attachmentId).catch(() => null);
  if (!attachment?.message_id) return null;
  const message = await findMessage(ctx.db, visitor.workspaceId, attachment.message_id);
  if (!message || !visibleToVisitor(message)) return null;
  if (!(await visitorOwns(ctx.db, visitor, message.conversation_id))) return null;
  return openAttachment(ctx, visitor.workspaceId, attachmentId);
}
