import libmime from "libmime";
import { type AddressObject, simpleParser } from "mailparser";
import addressparser from "nodemailer/lib/addressparser";
import { decodeHeaderBytes, hasUndeclaredEightBitHeaders, messageIdOf, scanHeaders } from "./header-scan.ts";
import { messageIdsIn } from "./message-id.ts";

export interface MailAddress {
  name: string;
  address: string;
}

export interface ParsedAttachment {
  filename: string | null;
  contentType: string;
  content: Buffer;
  cid: string | null;
  inline: boolean;
}

/** A received message as the rest of the module sees it, whatever state its MIME structure was in. */
export interface ParsedEmail {
  messageId: string | null;
  inReplyTo: string[];
  references: string[];
  from: MailAddress | null;
  replyTo: MailAddress[];
  to: MailAddress[];
  cc: MailAddress[];
  subject: string | null;
  date: Date | null;
  text: string;
  html: string | null;
  /** Top-level headers, names lowercased, straight from the raw bytes. */
  headers: Map<string, string[]>;
  attachments: ParsedAttachment[];
  /** Human-readable notes on anything that was guessed, cut or skipped; shown with the message. */
  warnings: string[];
  /** False when the MIME parser gave up and the body is the raw source text. */
  fullyParsed: boolean;
}

const MAX_TEXT_CHARS = 1_000_000;
const MAX_HTML_CHARS = 2_000_000;
const MAX_ATTACHMENTS = 100;

/**
 * Parses a raw message with mailparser. Never throws: a message the parser cannot read comes back
 * with what the raw headers tell, the raw text as its body and a warning, so it is still stored.
 */
export async function parseEmail(raw: Buffer): Promise<ParsedEmail> {
  const headers = scanHeaders(raw);
  const warnings: string[] = [];
  const prepared = prepareSource(raw, headers, warnings);
  try {
    const mail = await simpleParser(prepared, {
      keepCidLinks: true,
      keepDeliveryStatus: true,
      skipTextToHtml: true,
      skipImageLinks: true,
      maxHtmlLengthToParse: MAX_HTML_CHARS,
      maxHeadSize: 4 * 1024 * 1024,
      checksumAlgo: false,
    });
    if (mail.textConversionError)
      warnings.push("The HTML part was too large or too deep to convert to text.");
    let text = mail.text ?? "";
    let html = typeof mail.html === "string" ? mail.html : null;
    if (text.length > MAX_TEXT_CHARS) {
      text = text.slice(0, MAX_TEXT_CHARS);
      warnings.push("The text was cut at 1,000,000 characters; the raw source has all of it.");
    }
    if (html && html.length > MAX_HTML_CHARS) {
      html = null;
      warnings.push(
        "The HTML part is larger than 2,000,000 characters and is not shown; the raw source has it.",
      );
    }
    if (text.includes("\uFFFD")) warnings.push("Some characters of the text could not be decoded.");
    let attachments = mail.attachments.map(
      (a): ParsedAttachment => ({
        filename: a.filename ?? null,
        contentType: a.contentType || "application/octet-stream",
        content: a.content,
        cid: a.cid ? a.cid.replace(/^<|>$/g, "") : null,
        inline: a.contentDisposition === "inline" || a.related === true,
      }),
    );
    if (attachments.length > MAX_ATTACHMENTS) {
      warnings.push(
        `Only the first ${MAX_ATTACHMENTS} of ${attachments.length} attachments were kept separately.`,
      );
      attachments = attachments.slice(0, MAX_ATTACHMENTS);
    }
    const from = firstMailbox(mail.from);
    if (!from) warnings.push("The message has no usable From address.");
    const messageId = messageIdOf(headers);
    if (!messageId) warnings.push("The message has no Message-ID; duplicates are recognized by its bytes.");
    return {
      messageId,
      inReplyTo: messageIdsIn(headers.get("in-reply-to")),
      references: messageIdsIn(headers.get("references")).slice(-50),
      from,
      replyTo: mailboxes(mail.replyTo),
      to: mailboxes(mail.to),
      cc: mailboxes(mail.cc),
      subject: cleanSubject(mail.subject),
      date: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date : null,
      text,
      html,
      headers,
      attachments,
      warnings,
      fullyParsed: true,
    };
  } catch (error) {
    return fallback(raw, headers, [
      ...warnings,
      `The message could not be fully parsed (${(error as Error).message}); its raw source is shown and can be downloaded.`,
    ]);
  }
}

/**
 * Fixes what old clients leave undeclared before the parser sees it: 8-bit header bytes that are
 * not UTF-8 are read as Windows-1252 and re-encoded, and a bare single-part body in 8-bit bytes
 * that are not UTF-8 gets that charset declared.
 */
function prepareSource(raw: Buffer, headers: Map<string, string[]>, warnings: string[]): Buffer {
  const split = headerEnd(raw);
  if (split < 0) return raw;
  let head = raw.subarray(0, split);
  const body = raw.subarray(split);
  let changed = false;
  if (hasUndeclaredEightBitHeaders(raw)) {
    head = Buffer.from(decodeHeaderBytes(head), "utf8");
    warnings.push(
      "Some headers had 8-bit characters without a declared charset; they were read as Windows-1252.",
    );
    changed = true;
  }
  const contentType = headers.get("content-type")?.[0] ?? "";
  if (!/charset=/i.test(contentType) && /^(text\/|$)/i.test(contentType.trim()) && !isUtf8(body)) {
    head = Buffer.concat([
      Buffer.from(head.toString("utf8").replace(/^content-type:.*(\r?\n[ \t].*)*\r?\n?/gim, "")),
      Buffer.from(`\r\nContent-Type: text/plain; charset=windows-1252`),
    ]);
    warnings.push("The text had 8-bit characters without a declared charset; it was read as Windows-1252.");
    changed = true;
  }
  return changed ? Buffer.concat([head, body]) : raw;
}

function headerEnd(raw: Buffer): number {
  const crlf = raw.indexOf("\r\n\r\n");
  const lf = raw.indexOf("\n\n");
  if (crlf < 0) return lf;
  if (lf < 0) return crlf;
  return Math.min(crlf, lf);
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, 4 * 1024 * 1024));
    return true;
  } catch {
    return false;
  }
}

function fallback(raw: Buffer, headers: Map<string, string[]>, warnings: string[]): ParsedEmail {
  const decode = (value: string | undefined) => {
    if (!value) return "";
    try {
      return libmime.decodeWords(value);
    } catch {
      return value;
    }
  };
  const addresses = (name: string) => mailboxesFromText(decode(headers.get(name)?.join(", ")));
  const split = headerEnd(raw);
  const body = split >= 0 ? raw.subarray(split).toString("utf8").trim() : "";
  return {
    messageId: messageIdOf(headers),
    inReplyTo: messageIdsIn(headers.get("in-reply-to")),
    references: messageIdsIn(headers.get("references")).slice(-50),
    from: addresses("from")[0] ?? null,
    replyTo: addresses("reply-to"),
    to: addresses("to"),
    cc: addresses("cc"),
    subject: cleanSubject(decode(headers.get("subject")?.[0])),
    date: null,
    text: body.slice(0, 200_000),
    html: null,
    headers,
    attachments: [],
    warnings,
    fullyParsed: false,
  };
}

function mailboxesFromText(text: string): MailAddress[] {
  if (!text) return [];
  try {
    return flatten(addressparser(text, { flatten: true }));
  } catch {
    return [];
  }
}

function flatten(list: { name?: string; address?: string; group?: unknown[] }[]): MailAddress[] {
  const out: MailAddress[] = [];
  for (const entry of list) {
    if (entry.group) out.push(...flatten(entry.group as typeof list));
    else if (entry.address && /^[^\s@]+@[^\s@]+$/.test(entry.address))
      out.push({ name: (entry.name ?? "").trim(), address: entry.address.trim() });
  }
  return out;
}

function mailboxes(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  if (!value) return [];
  const objects = Array.isArray(value) ? value : [value];
  return objects.flatMap((o) => flatten(o.value as { name?: string; address?: string; group?: unknown[] }[]));
}

function firstMailbox(value: AddressObject | undefined): MailAddress | null {
  return mailboxes(value)[0] ?? null;
}

function cleanSubject(subject: string | undefined): string | null {
  const cleaned = (subject ?? "")
    .replace(/[\p{Cc}]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  return cleaned ? Array.from(cleaned).slice(0, 500).join("") : null;
}
