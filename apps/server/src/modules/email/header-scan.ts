import { createHash } from "node:crypto";
import { messageIdsIn, normalizeMessageId } from "./message-id.ts";

/** The header section we look at before (or instead of) full parsing; real headers are far smaller. */
const HEADER_SCAN_BYTES = 512 * 1024;
const MAX_MESSAGE_ID_LENGTH = 500;

/**
 * Reads the top-level headers straight from the raw bytes: for the dedupe key at SMTP time (before
 * any parsing), and as the fallback when the MIME parser gives up. Header bytes that are not valid
 * UTF-8 are read as Windows-1252, the charset old clients meant when they sent 8-bit headers bare.
 */
export function scanHeaders(raw: Buffer): Map<string, string[]> {
  const window = raw.subarray(0, HEADER_SCAN_BYTES);
  let end = window.indexOf("\r\n\r\n");
  const lfEnd = window.indexOf("\n\n");
  if (end < 0 || (lfEnd >= 0 && lfEnd < end)) end = lfEnd;
  const text = decodeHeaderBytes(end >= 0 ? window.subarray(0, end) : window);
  const headers = new Map<string, string[]>();
  let current: { name: string; value: string } | undefined;
  const flush = () => {
    if (!current) return;
    const list = headers.get(current.name) ?? [];
    list.push(current.value.trim());
    headers.set(current.name, list);
  };
  for (const line of text.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && current) {
      current.value += ` ${line.trim()}`;
      continue;
    }
    flush();
    const colon = line.indexOf(":");
    current =
      colon > 0
        ? { name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1) }
        : undefined;
  }
  flush();
  return headers;
}

export function decodeHeaderBytes(bytes: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder("windows-1252").decode(bytes);
  }
}

/** True when the header section carries 8-bit bytes that are not UTF-8 (so they were guessed). */
export function hasUndeclaredEightBitHeaders(raw: Buffer): boolean {
  const window = raw.subarray(0, HEADER_SCAN_BYTES);
  const end = window.indexOf("\n\n") >= 0 ? window.indexOf("\n\n") : window.indexOf("\r\n\r\n");
  const header = end >= 0 ? window.subarray(0, end) : window;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(header);
    return false;
  } catch {
    return true;
  }
}

/** The message's own Message-ID, normalized, when it has a usable one. */
export function messageIdOf(headers: Map<string, string[]>): string | null {
  const value = headers.get("message-id")?.[0];
  if (!value) return null;
  const id = messageIdsIn(value)[0] ?? normalizeMessageId(value);
  if (!id || id.length > MAX_MESSAGE_ID_LENGTH || /\s/.test(id)) return null;
  return id;
}

export function sha256Hex(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * What makes two deliveries "the same message" for one inbox: its Message-ID, or the hash of its
 * bytes when it has none, so a client retrying an unacknowledged send never creates a duplicate.
 */
export function dedupeKeyOf(messageId: string | null, sha256: string): string {
  return messageId ? `mid:${messageId}` : `sha256:${sha256}`;
}

/** bytea comes back as a Buffer from pg but as a plain Uint8Array from PGlite: view it as a Buffer. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
