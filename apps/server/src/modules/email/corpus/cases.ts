import { readFileSync } from "node:fs";
import path from "node:path";

/*
 * Bad input the email channel must survive: each case is delivered over SMTP and must get a clear
 * SMTP reply code, or be stored as a conversation message (with a warning where something was
 * guessed or skipped). Static cases are the .eml files beside this one; the rest are built here
 * because of their size. Add to it whenever real mail surprises us.
 */

export interface CorpusCase {
  name: string;
  raw: () => Buffer;
  /** The SMTP reply code expected at the end of DATA. */
  code: 250 | 552 | 554;
  /** For stored messages: a parse warning that must be shown (a regular expression), if any. */
  warning?: RegExp;
  /** Further checks on the stored message, as the API returns it. */
  check?: (message: StoredMessage) => void;
}

interface StoredAttachment {
  id: string;
  filename: string;
  content_type: string;
}

interface StoredMessage {
  body_text: string;
  body_html: string | null;
  metadata: { email: { subject: string | null; from: { name: string; address: string } | null } };
  attachments: StoredAttachment[];
}

/** The SMTP size limit the corpus test runs with. */
export const CORPUS_SIZE_LIMIT = 2 * 1024 * 1024;

const here = path.dirname(new URL(import.meta.url).pathname);
const file = (name: string) => () => readFileSync(path.join(here, name));

function expectThat(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function deepMultipart(depth: number): Buffer {
  let raw = `From: ada@customer.example\r\nTo: support@acme.example\r\nSubject: Nested ${depth} deep\r\nMessage-ID: <nested-${depth}@customer.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n`;
  for (let i = 0; i < depth; i++)
    raw += `--b${i}\r\nContent-Type: multipart/mixed; boundary=b${i + 1}\r\n\r\n`;
  raw += `--b${depth}\r\nContent-Type: text/plain\r\n\r\nThe innermost text.\r\n`;
  for (let i = depth; i >= 0; i--) raw += `--b${i}--\r\n`;
  return Buffer.from(raw);
}

function manyHeaders(count: number): Buffer {
  const lines = ["From: ada@customer.example", "To: support@acme.example", `Subject: ${count} headers`];
  lines.push(`Message-ID: <headers-${count}@customer.example>`);
  for (let i = 0; i < count; i++) lines.push(`X-Filler-${i}: value ${i}`);
  return Buffer.from(`${lines.join("\r\n")}\r\n\r\nBody after many headers.\r\n`);
}

function withAttachmentOf(bytes: number): Buffer {
  const content = Buffer.alloc(bytes, 7).toString("base64").replace(/.{76}/g, "$&\r\n");
  return Buffer.from(
    `From: ada@customer.example\r\nTo: support@acme.example\r\nSubject: Big attachment\r\nMessage-ID: <big-${bytes}@customer.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nA large file.\r\n--b\r\nContent-Type: application/octet-stream; name=big.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n${content}\r\n--b--\r\n`,
  );
}

function loop(hops: number): Buffer {
  const received = Array.from(
    { length: hops },
    (_, i) => `Received: from relay${i}.example by relay${i + 1}.example; Thu, 27 Nov 2026 10:00:00 +0000`,
  );
  return Buffer.from(
    `${received.join("\r\n")}\r\nFrom: ada@customer.example\r\nTo: support@acme.example\r\nSubject: Looping\r\nMessage-ID: <loop-${hops}@customer.example>\r\n\r\nRound and round.\r\n`,
  );
}

export const corpus: CorpusCase[] = [
  {
    name: "a multipart whose boundary is never closed",
    raw: file("malformed-unclosed-multipart.eml"),
    code: 250,
  },
  { name: "a multipart without a boundary parameter", raw: file("malformed-no-boundary.eml"), code: 250 },
  { name: "a message without From", raw: file("missing-from.eml"), code: 250, warning: /no usable From/ },
  {
    name: "a message without Message-ID",
    raw: file("missing-message-id.eml"),
    code: 250,
    warning: /no Message-ID/,
  },
  {
    name: "8-bit headers and body without a charset",
    raw: file("eight-bit-headers-without-charset.eml"),
    code: 250,
    warning: /8-bit characters without a declared charset/,
    check: (m) => {
      expectThat(
        m.metadata.email.subject === "Grüße aus Köln",
        `subject read as ${m.metadata.email.subject}`,
      );
      expectThat(
        m.metadata.email.from?.name === "Jürgen Müller",
        `name read as ${m.metadata.email.from?.name}`,
      );
      expectThat(m.body_text.includes("Körper"), `body read as ${m.body_text}`);
    },
  },
  { name: "broken base64 in the text and an attachment", raw: file("broken-base64.eml"), code: 250 },
  {
    name: "a zero-byte attachment",
    raw: file("zero-byte-attachment.eml"),
    code: 250,
    warning: /empty and was skipped/,
    check: (m) => expectThat(m.attachments.length === 0, "the empty file was stored"),
  },
  {
    name: "a forwarded message/rfc822 part",
    raw: file("forwarded-message-rfc822.eml"),
    code: 250,
    check: (m) => {
      const kept = m.attachments.find((a) => a.content_type === "message/rfc822");
      expectThat(kept !== undefined, "the forwarded message was not kept as an attachment");
      expectThat(kept.filename === "forwarded-message.eml", `named ${kept.filename}`);
    },
  },
  {
    name: "an inline cid: image",
    raw: file("inline-cid-image.eml"),
    code: 250,
    check: (m) => {
      const image = m.attachments.find((a) => a.content_type === "image/png");
      expectThat(image !== undefined, "the inline image was not stored");
      const html = m.body_html ?? "";
      expectThat(html.includes(`/api/v1/attachments/${image.id}`), "the cid: link was not rewritten");
      expectThat(!html.includes("cid:"), "a cid: link is left");
    },
  },
  {
    name: "an attachment name with a right-to-left override",
    raw: file("bidi-override-filename.eml"),
    code: 250,
    check: (m) => {
      const [attachment] = m.attachments;
      expectThat(attachment?.filename === "invoicefdp.exe", `named ${JSON.stringify(attachment?.filename)}`);
    },
  },
  {
    name: "binary garbage without headers",
    raw: file("binary-garbage.eml"),
    code: 250,
    warning: /no usable From/,
  },
  { name: "headers without a body", raw: file("headers-only.eml"), code: 250 },
  {
    name: "legacy charsets in encoded words and the body",
    raw: file("legacy-charsets.eml"),
    code: 250,
    check: (m) => {
      expectThat(m.metadata.email.from?.name === "Привет", `name read as ${m.metadata.email.from?.name}`);
      expectThat(m.metadata.email.subject === "こんにちは", `subject read as ${m.metadata.email.subject}`);
      expectThat(m.body_text.includes("Привет"), `body read as ${m.body_text}`);
    },
  },
  {
    name: "an unknown charset and transfer encoding",
    raw: file("unknown-charset-and-encoding.eml"),
    code: 250,
  },
  { name: "thousands of headers", raw: () => manyHeaders(5000), code: 250 },
  { name: "multiparts nested 300 deep", raw: () => deepMultipart(300), code: 250 },
  {
    name: "multiparts nested 3000 deep",
    raw: () => deepMultipart(3000),
    code: 250,
    warning: /could not be fully parsed/,
  },
  { name: "an attachment just under the size limit", raw: () => withAttachmentOf(1024 * 1024), code: 250 },
  { name: "an attachment over the size limit", raw: () => withAttachmentOf(CORPUS_SIZE_LIMIT), code: 552 },
  { name: "a mail loop (60 Received headers)", raw: () => loop(60), code: 554 },
  { name: "an empty message", raw: () => Buffer.from("\r\n"), code: 554 },
];
