import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { Channel } from "../../db/schema.ts";
import type { Principal } from "../../http/principal.ts";
import { invalid, notFound } from "../../lib/errors.ts";
import { type AttachmentInfo, attachmentsOfMessages, claimAttachments } from "../attachments/service.ts";
import { type Activity, activities, type PendingEvent, } from "./activity.ts";
import { changesForMessage } from "./metrics.ts";
import {
  type ConversationRow,
  findConversation,
  insertMessage,
  lockConversation,
  type MessageRow,
  messagePage,
  type NewMessage,
  updateConversationRow,
} from "./queries.ts";

export interface MessageInput {
  kind: "incoming" | "outgoing" | "note";
  body_text: string;
  body_html?: string;
  attachment_ids?: string[];
}

export function presentMessage(row: MessageRow, attachments: AttachmentInfo[] = []) {
  return { ...row, attachments };
}

export type PresentedMessage = ReturnType<typeof presentMessage>;

/**
 * What a message posted by an agent (or recorded by the API for a customer) is made of. Incoming
 * messages are the customer's: the conversation's contact is their author.
 */
export function messageFrom(
  principal: Principal,
  conversation: { contact_id: string; channel: Channel },
  input: MessageInput,
  at: Date,
): NewMessage {
  if (!input.body_text.trim() && !input.attachment_ids?.length) {
    throw invalid("body_text", "Write a message or attach a file");
  }
  const common = { bodyText: input.body_text, bodyHtml: input.body_html ?? null, at };
  if (input.kind === "incoming") {
    return {
      ...common,
      kind: "incoming",
      authorAgentId: null,
      authorContactId: conversation.contact_id,
      sentByHuman: false,
      deliveryState: null,
      metadata: { recorded_by_agent_id: principal.agentId },
    };
  }
  return {
    ...common,
    kind: input.kind,
    authorAgentId: principal.agentId,
    authorContactId: null,
    sentByHuman: input.kind === "outgoing",
    // Email replies wait in the outbox for the email channel to send them; other channels deliver live.
    deliveryState: input.kind === "outgoing" && conversation.channel === "email" ? "queued" : null,
    metadata: {},
  };
}

/**
 * Adds a message to a conversation the caller has locked, and moves the conversation's clock and
 * status with it, all inside the caller's transaction. Events to publish after commit are appended.
 */
export async function writeMessage(
  trx: Db,
  workspaceId: string,
  conversation: ConversationRow,
  message: NewMessage,
  attachmentIds: string[],
  events: PendingEvent[],
): Promise<{ message: PresentedMessage; conversation: ConversationRow }> {
  const row = await insertMessage(trx, workspaceId, conversation.id, message);
  const attachments = await claimAttachments(trx, workspaceId, row.id, attachmentIds);
  // The channel and contact ride along, so that listeners need not look the conversation up again.
  events.push({
    type: "message.created",
    data: {
      id: row.id,
      conversation_id: conversation.id,
      kind: row.kind,
      channel: conversation.channel,
      contact_id: conversation.contact_id,
    },
  });
  const { changes, reopened } = changesForMessage(conversation, message);
  let updated = conversation;
  if (Object.keys(changes).length > 0) {
    updated = await updateConversationRow(trx, workspaceId, conversation.id, changes);
  }
  if (reopened)
    await writeActivity(trx, workspaceId, updated, null, activities.reopenedByCustomer(), message.at, events);
  return { message: presentMessage(row, attachments), conversation: updated };
}

/** Writes an activity line (authored by the acting agent, or by no one for the system). */
export async function writeActivity(
  trx: Db,
  workspaceId: string,
  conversation: ConversationRow,
  actorId: string | null,
  activity: Activity,
  at: Date,
  events: PendingEvent[],
): Promise<void> {
  const row = await insertMessage(trx, workspaceId, conversation.id, {
    kind: "activity",
    authorAgentId: actorId,
    authorContactId: null,
    bodyText: activity.text,
    bodyHtml: null,
    sentByHuman: false,
    deliveryState: null,
    metadata: activity.metadata,
    at,
  });
  events.push({
    type: "message.created",
    data: { id: row.id, conversation_id: conversation.id, kind: "activity" },
  });
}

/** Posts a message to a conversation: customer message, agent reply or internal note. */
export async function postMessage(
  ctx: AppContext,
  principal: Principal,
  conversationId: string,
  input: MessageInput,
  options: { at?: Date } = {},
): Promise<PresentedMessage> {
  const at = options.at ?? ctx.now();
  const workspaceId = principal.workspaceId;
  const events: PendingEvent[] = [];
  const message = await ctx.events.transaction(workspaceId, events, async (trx) => {
    const conversation = await lockConversation(trx, workspaceId, conversationId);
    if (!conversation) throw notFound("Conversation");
    const written = await writeMessage(
      trx,
      workspaceId,
      conversation,
      messageFrom(principal, conversation, input, at),
      input.attachment_ids ?? [],
      events,
    );
    events.push({
      type: "conversation.updated",
      data: { id: conversationId, status: written.conversation.status, cause: "message" },
    });
    return written.message;
  });
  return message;
}

/** A conversation's messages, oldest first, with their attachments (one extra query per page). */
export async function listMessages(
  ctx: AppContext,
  workspaceId: string,
  conversationId: string,
  query: { cursor?: string; limit?: number },
) {
  if (!(await findConversation(ctx.db, workspaceId, conversationId))) throw notFound("Conversation");
  const page = await messagePage(ctx.db, workspaceId, conversationId, {
    cursor: query.cursor,
    limit: query.limit ?? 50,
  });
  const attachments = await attachmentsOfMessages(
    ctx.db,
    workspaceId,
    page.data.map((m) => m.id),
  );
  return {
    data: page.data.map((m) => presentMessage(m, attachments.get(m.id))),
    next_cursor: page.next_cursor,
  };
}
