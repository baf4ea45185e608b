import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { ATTACHMENT_MAX_BYTES } from "../attachments/service.ts";
import { displayFilename, storedContentType } from "../attachments/filename.ts";
import { storeStream } from "../attachments/storage.ts";
import type { StoredAttachment } from "./conversation-port.ts";
import type { ParsedAttachment } from "./parse.ts";

export interface IncomingFiles {
  stored: StoredAttachment[];
  /** Content-ID → attachment id, for rewriting cid: links in the HTML. */
  byCid: Map<string, string>;
  warnings: string[];
}

const EXTENSIONS: Record<string, string> = {
  "message/rfc822": "eml",
  "message/global": "eml",
  "text/rfc822-headers": "txt",
  "message/delivery-status": "txt",
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/gif": "gif",
  "image/webp": "webp",
  "text/calendar": "ics",
};

/**
 * Puts a message's attachments into content-addressed storage (a file's name never reaches the file
 * system) before the database transaction, so the transaction stays short. Storing is idempotent:
 * a retried job writes the same files at the same addresses.
 */
export async function storeIncomingFiles(
  dataDir: string,
  attachments: ParsedAttachment[],
): Promise<IncomingFiles> {
  const result: IncomingFiles = { stored: [], byCid: new Map(), warnings: [] };
  for (const [index, attachment] of attachments.entries()) {
    const contentType = storedContentType(attachment.contentType);
    const filename = displayFilename(attachment.filename ?? defaultName(contentType, index));
    if (attachment.content.length === 0) {
      result.warnings.push(`The attachment "${filename}" is empty and was skipped.`);
      continue;
    }
    if (attachment.content.length > ATTACHMENT_MAX_BYTES) {
      result.warnings.push(
        `The attachment "${filename}" is larger than ${ATTACHMENT_MAX_BYTES / 1024 / 1024} MB; it is only in the raw source.`,
      );
      continue;
    }
    const file = await storeStream(dataDir, Readable.from([attachment.content]));
    const stored = { id: randomUUID(), filename, contentType, size: file.size, sha256: file.sha256 };
    result.stored.push(stored);
    if (attachment.cid) result.byCid.set(attachment.cid.toLowerCase(), stored.id);
  }
  return result;
}

function defaultName(contentType: string, index: number): string {
  const base = contentType === "message/rfc822" ? "forwarded-message" : `attachment-${index + 1}`;
  const extension = EXTENSIONS[contentType];
  return extension ? `${base}.${extension}` : base;
}

/** Points inline images (`cid:` links) at the served attachments. */
export function rewriteCidLinks(
  html: string,
  byCid: Map<string, string>,
  urlOf: (id: string) => string,
): string {
  if (byCid.size === 0) return html;
  return html.replace(/cid:([^"'\s>)]+)/gi, (whole, raw: string) => {
    let cid = raw;
    try {
      cid = decodeURIComponent(raw);
    } catch {
      // keep it as written
    }
    const id = byCid.get(cid.replace(/^<|>$/g, "").toLowerCase());
    return id ? urlOf(id) : whole;
  });
}
