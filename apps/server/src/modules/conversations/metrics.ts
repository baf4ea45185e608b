import type { ConversationStatus, MessageKind } from "../../db/schema.ts";
import type { ConversationChanges } from "./queries.ts";

/** The conversation fields a new message can move: the inputs of first response time, ASA and waiting lists. */
export interface ConversationClock {
  status: ConversationStatus;
  message_count: number;
  first_customer_message_at: Date | null;
  first_human_response_at: Date | null;
  waiting_since: Date | null;
}

const PREVIEW_LENGTH = 160;

/**
 * How a new message changes its conversation, following the metric definitions (metrics/conversation-metrics.ts):
 * - first_customer_message_at: the first incoming message;
 * - first_human_response_at: the first outgoing message by a human after the first incoming one
 *   (notes, activity and automated messages never count);
 * - waiting_since: set by an incoming message unless already waiting, cleared by a human reply;
 * - an incoming message reopens a resolved or snoozed conversation.
 * Activity entries (system lines such as "Resolved by Dana") change nothing here.
 */
export function changesForMessage(
  conversation: ConversationClock,
  message: { kind: MessageKind; sentByHuman: boolean; bodyText: string; at: Date },
): { changes: ConversationChanges; reopened: boolean } {
  const { kind, at } = message;
  if (kind === "activity") return { changes: {}, reopened: false };
  const changes: ConversationChanges = {
    last_activity_at: at,
    message_count: conversation.message_count + 1,
    updated_at: at,
  };
  // Internal notes never reach the customer, so they do not become the preview.
  if (kind !== "note") changes.preview = previewOf(message.bodyText);
  let reopened = false;
  if (kind === "incoming") {
    if (!conversation.first_customer_message_at) changes.first_customer_message_at = at;
    if (!conversation.waiting_since) changes.waiting_since = at;
    if (conversation.status === "resolved" || conversation.status === "snoozed") {
      Object.assign(changes, { status: "open", snoozed_until: null, resolved_at: null });
      reopened = true;
    }
  }
  if (kind === "outgoing" && message.sentByHuman) {
    if (conversation.first_customer_message_at && !conversation.first_human_response_at) {
      changes.first_human_response_at = at;
    }
    changes.waiting_since = null;
  }
  return { changes, reopened };
}

/** One line of text for conversation lists: whitespace collapsed, cut at a word where possible. */
export function previewOf(text: string): string | null {
  const flat = text.replace(/\s+/g, " ").trim();
  if (!flat) return null;
  // By code point, so an emoji or other astral character is never cut in half.
  const chars = Array.from(flat);
  if (chars.length <= PREVIEW_LENGTH) return flat;
  const cut = chars.slice(0, PREVIEW_LENGTH).join("");
  const space = cut.lastIndexOf(" ");
  return `${(space > cut.length / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
