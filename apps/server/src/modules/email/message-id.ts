import { base32Encode, createReplyToken, emailMac, findReplyToken, type ReplyTarget } from "./reply-token.ts";

export interface OutgoingMessageRef extends ReplyTarget {
  /** Our messages.id of the reply being sent. */
  messageId: string;
}

/**
 * The Message-ID header of a message we send: `<token.suffix@host>`. The reply token lets a reply
 * thread back even when only its In-Reply-To or References survive; the suffix is derived from our
 * message id (not random), so a retried send keeps the same Message-ID and the recipient's mail
 * system can recognize the duplicate.
 *
 * @example
 * outgoingMessageId(ctx.config.secret, { workspaceId, conversationId, messageId }, "support.example.com")
 * // "<k3j…(64 chars).q8…(16 chars)@support.example.com>"
 */
export function outgoingMessageId(secret: string, ref: OutgoingMessageRef, host: string): string {
  const token = createReplyToken(secret, ref);
  const suffix = base32Encode(emailMac(secret, "message-id", ref.messageId).subarray(0, 10));
  return `<${token}.${suffix}@${host}>`;
}

/** The conversation named by a Message-ID we generated, or null for anyone else's (or a forged one). */
export function replyTargetOfMessageId(secret: string, messageId: string): ReplyTarget | null {
  const local = messageId.replace(/^\s*</, "").split("@")[0] ?? "";
  return findReplyToken(secret, local);
}

/**
 * Message-IDs compared the way mail systems treat them: without angle brackets and surrounding
 * space. Case is kept (RFC 5322 ids are case-sensitive), except that our own tokens are lowercase.
 */
export function normalizeMessageId(value: string): string {
  return value.trim().replace(/^<+/, "").replace(/>+$/, "").trim();
}

/** The ids of an In-Reply-To or References header value, in order, without duplicates. */
export function messageIdsIn(header: string | string[] | undefined): string[] {
  const raw = Array.isArray(header) ? header.join(" ") : (header ?? "");
  const ids: string[] = [];
  for (const match of raw.matchAll(/<([^<>\s]+)>/g)) if (!ids.includes(match[1])) ids.push(match[1]);
  // Some clients drop the brackets; accept a lone bare id rather than nothing.
  if (ids.length === 0 && /^\s*[^\s<>@]+@[^\s<>]+\s*$/.test(raw)) ids.push(raw.trim());
  return ids;
}
