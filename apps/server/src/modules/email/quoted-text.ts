import EmailReplyParser from "email-reply-parser";

/*
 * The new text of a reply, without the quoted thread and signature, so the agent reads what the
 * customer just wrote first. email-reply-parser knows the quote headers of the common clients in
 * many languages ("On … wrote:", "Le … a écrit :", Outlook's "From: … Sent:", "-----Original
 * Message-----", "> " lines, the "-- " signature delimiter).
 *
 * Its regular expressions backtrack badly on very long lines, and customers' mail is untrusted
 * input: the parser only ever sees the first 20,000 characters, with each line cut at 1,000 and runs
 * of spaces collapsed. The full text is always kept in the message body.
 */

const SCAN_CHARS = 20_000;
const LINE_CHARS = 1_000;

export interface FoldedText {
  /** What to show first; equals the whole text when nothing was folded. */
  visibleText: string;
  /** True when a quote or signature was found and left out of visibleText. */
  folded: boolean;
}

const parser = new EmailReplyParser();

export function foldQuotedText(text: string): FoldedText {
  const normalized = text.replace(/\r\n?/g, "\n");
  const prepared = normalized
    .slice(0, SCAN_CHARS)
    .split("\n")
    .map((line) => line.replace(/[ \t]{2,}/g, " ").slice(0, LINE_CHARS))
    .join("\n");
  let reply: string;
  try {
    reply = parser.parseReply(prepared).trim();
  } catch {
    return { visibleText: normalized.trim(), folded: false };
  }
  const whole = prepared.trim();
  // Nothing new found (a forward, or a quote-only message): show everything rather than nothing.
  if (!reply || reply.length >= whole.length) return { visibleText: normalized.trim(), folded: false };
  return { visibleText: reply, folded: true };
}
