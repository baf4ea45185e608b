import type { Readable } from "node:stream";
import type { SendMailOptions } from "nodemailer";
import { escapeHtml } from "../display/document.ts";
import { sanitizeEmailHtml } from "../display/sanitize.ts";

/** References beyond this many keep the first (the thread's root) and the most recent ones. */
const MAX_REFERENCES = 20;

export interface OutgoingMail {
  from: { name: string; address: string };
  to: { name: string | null; address: string };
  /** The conversation's subject, or what an automatic message sets. */
  subject: string;
  /** True when the mail answers earlier mail of the thread: the subject gets "Re: ". */
  isReply: boolean;
  /** `<…>` from outgoingMessageId. */
  messageId: string;
  /** Earlier Message-IDs of the conversation, oldest first, with or without angle brackets. */
  threadIds: string[];
  replyTo: string;
  text: string;
  html: string | null;
  signature: string;
  attachments: { filename: string; contentType: string; content: Readable | Buffer }[];
  /** Auto-acknowledgements and other automation: RFC 3834 headers so no robot answers them back. */
  automatic: boolean;
}

/** Builds the nodemailer message: multipart text + HTML, threading headers, attachments. */
export function composeMail(mail: OutgoingMail): SendMailOptions {
  const ids = mail.threadIds.map(bracketed);
  const references = ids.length > MAX_REFERENCES ? [ids[0], ...ids.slice(-(MAX_REFERENCES - 1))] : ids;
  const headers: Record<string, string> = {};
  if (mail.automatic) {
    headers["Auto-Submitted"] = "auto-replied";
    headers["X-Auto-Response-Suppress"] = "All";
  }
  return {
    from: { name: mail.from.name, address: mail.from.address },
    to: mail.to.name ? { name: mail.to.name, address: mail.to.address } : mail.to.address,
    replyTo: mail.replyTo,
    subject: replySubject(mail.subject, mail.isReply),
    messageId: mail.messageId,
    inReplyTo: ids.at(-1),
    references: references.length > 0 ? references : undefined,
    text: withTextSignature(mail.text, mail.signature),
    html: htmlBody(mail.html, mail.text, mail.signature),
    attachments: mail.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: a.content,
      contentDisposition: "attachment" as const,
    })),
    headers,
  };
}

/** "Re: " once, never "Re: Re: ", and no subject at all becomes "(no subject)". */
export function replySubject(subject: string, isReply: boolean): string {
  const clean = subject.replace(/[\r\n]+/g, " ").trim() || "(no subject)";
  if (!isReply || /^re\s*:/i.test(clean)) return clean;
  return `Re: ${clean}`;
}

function bracketed(id: string): string {
  const bare = id.trim().replace(/^<+/, "").replace(/>+$/, "");
  return `<${bare}>`;
}

/** The usual "-- " delimiter, so mail clients recognize and fold the signature. */
function withTextSignature(text: string, signature: string): string {
  const body = text.replace(/\s+$/, "");
  return signature.trim() ? `${body}\n\n-- \n${signature.trim()}\n` : `${body}\n`;
}

/**
 * The HTML part: the agent's HTML, sanitized like anything we display (so a pasted script or
 * tracking trick never leaves in our name), or the text with its line breaks; then the signature.
 */
function htmlBody(html: string | null, text: string, signature: string): string {
  const body = html?.trim()
    ? sanitizeEmailHtml(html, {
        allowRemoteImages: true,
        resolveCid: () => null,
        ownAttachmentUrl: () => null,
      }).html
    : textToHtml(text);
  const sign = signature.trim()
    ? `<div class="signature" style="color:#6b7280">-- <br>${textToHtml(signature.trim())}</div>`
    : "";
  return `<!doctype html><html><head><meta charset="utf-8"></head><body><div>${body}</div>${sign}</body></html>`;
}

function textToHtml(text: string): string {
  return escapeHtml(text.replace(/\s+$/, "")).replace(/\r?\n/g, "<br>\n");
}
