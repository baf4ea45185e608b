import type { Db } from "../../db/database.ts";
import { getContact } from "../contacts/service.ts";
import { survivorOf } from "../conversations/merge.ts";
import { findConversation } from "../conversations/queries.ts";
import { parseRecipient } from "./addresses.ts";
import { normalizeMessageId, replyTargetOfMessageId } from "./message-id.ts";
import { addParticipants, findKnownMessageIds, isParticipant } from "./queries.ts";
import { findReplyToken, type ReplyTarget } from "./reply-token.ts";

/*
 * Which conversation a received message belongs to, in this order:
 * 1. our reply token (HMAC-signed): in a +tag of the address it was sent to, or in one of our
 *    Message-IDs it references (In-Reply-To, References, or the original named by a bounce). The
 *    token proves the sender saw mail we sent to that conversation, so it joins whoever sends it.
 * 2. In-Reply-To, then References (newest first), against every Message-ID the workspace stored,
 *    incoming and outgoing. A sender joins that conversation only if it is the conversation's
 *    contact, someone the contact (or an agent writing through Keepwell) addressed in the thread, or
 *    one of our own addresses. Everyone else who answers a broadcast gets a conversation of their own.
 * 3. Otherwise a new conversation. Subjects are never compared.
 */

export type ThreadDecision =
  | { kind: "duplicate"; conversationId: string; messageId: string | null }
  | {
      kind: "existing";
      conversationId: string;
      via: "reply-token" | "references";
      /** A message from one of our addresses that carries our token: the agent wrote it elsewhere. */
      outgoing: boolean;
      agentId: string | null;
    }
  | { kind: "new"; relatedConversationId: string | null };

export interface ThreadInput {
  workspaceId: string;
  messageId: string | null;
  inReplyTo: string[];
  references: string[];
  /** Addresses the message was delivered to (envelope and headers), whose +tags may hold a token. */
  recipients: string[];
  sender: string | null;
  own: { inboxes: Set<string>; agents: Map<string, string> };
}

export async function decideThread(db: Db, secret: string, input: ThreadInput): Promise<ThreadDecision> {
  const { workspaceId } = input;
  if (input.messageId) {
    const [known] = await findKnownMessageIds(db, workspaceId, [input.messageId]);
    if (known)
      return { kind: "duplicate", conversationId: known.conversation_id, messageId: known.message_id };
  }
  const senderIsOwn =
    input.sender !== null && (input.own.inboxes.has(input.sender) || input.own.agents.has(input.sender));
  const token = await tokenTarget(db, secret, input);
  if (token) {
    return {
      kind: "existing",
      // A conversation merged into another since: the reply joins the one it was merged into.
      conversationId: await survivorOf(db, workspaceId, token.conversationId),
      via: "reply-token",
      outgoing: senderIsOwn,
      agentId: input.sender ? (input.own.agents.get(input.sender) ?? null) : null,
    };
  }
  const candidates = [...input.inReplyTo, ...[...input.references].reverse()];
  const known = await findKnownMessageIds(db, workspaceId, candidates);
  const byId = new Map(known.map((k) => [k.message_id_header, k]));
  const match = candidates.map((id) => byId.get(id)).find((k) => k !== undefined);
  if (!match) return { kind: "new", relatedConversationId: null };
  if (senderIsOwn || (await mayJoin(db, workspaceId, match.conversation_id, input.sender))) {
    return {
      kind: "existing",
      conversationId: await survivorOf(db, workspaceId, match.conversation_id),
      via: "references",
      outgoing: false,
      agentId: null,
    };
  }
  return { kind: "new", relatedConversationId: match.conversation_id };
}

async function tokenTarget(db: Db, secret: string, input: ThreadInput): Promise<ReplyTarget | null> {
  const targets: ReplyTarget[] = [];
  for (const address of input.recipients) {
    const tag = parseRecipient(address)?.tag;
    const target = tag ? findReplyToken(secret, tag) : null;
    if (target) targets.push(target);
  }
  for (const id of [...input.inReplyTo, ...[...input.references].reverse()]) {
    const target = replyTargetOfMessageId(secret, id);
    if (target) targets.push(target);
  }
  for (const target of targets) {
    // A genuine token of another workspace (mail forwarded between two Keepwell teams) is no match here.
    if (target.workspaceId !== input.workspaceId) continue;
    if (await findConversation(db, input.workspaceId, target.conversationId)) return target;
  }
  return null;
}

async function mayJoin(
  db: Db,
  workspaceId: string,
  conversationId: string,
  sender: string | null,
): Promise<boolean> {
  if (!sender) return false;
  const conversation = await findConversation(db, workspaceId, conversationId);
  if (!conversation) return false;
  const contact = await getContact(db, workspaceId, conversation.contact_id);
  if (contact.email?.toLowerCase() === sender) return true;
  return isParticipant(db, workspaceId, conversationId, sender);
}

export interface RememberedMessageId {
  workspaceId: string;
  /** The Message-ID header value, with or without angle brackets. */
  messageIdHeader: string;
  conversationId: string;
  messageId: string | null;
  direction: "incoming" | "outgoing";
  /** Addresses this message was sent to: replies from them may join the conversation. */
  participants?: string[];
}

/**
 * Records a Message-ID of the conversation, so replies that reference it thread here. The
 * outbound half calls it for every message it sends; the first conversation to claim an id keeps it.
 */
export async function rememberMessageId(db: Db, input: RememberedMessageId): Promise<void> {
  const id = normalizeMessageId(input.messageIdHeader);
  if (!id || id.length > 500) return;
  await db
    .insertInto("email_message_ids")
    .values({
      workspace_id: input.workspaceId,
      message_id_header: id,
      conversation_id: input.conversationId,
      message_id: input.messageId,
      direction: input.direction,
    })
    .onConflict((oc) => oc.columns(["workspace_id", "message_id_header"]).doNothing())
    .execute();
  if (input.participants?.length) {
    await addParticipants(
      db,
      input.workspaceId,
      input.conversationId,
      input.participants.map((p) => p.trim().toLowerCase()).filter((p) => p.includes("@")),
    );
  }
}
