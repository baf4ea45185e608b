import { randomBytes } from "node:crypto";

let lastMs = 0;
let sequence = 0;

/**
 * Message ids are UUIDv7 (RFC 9562): time-ordered and, within this process, strictly increasing. Lines
 * written in one transaction share a created_at (a reply and the "Reopened" line it causes, or the
 * activity lines of one change), so the id is what keeps them in the order they were written when
 * messages are listed by (created_at, id).
 */
export function newMessageId(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    ms = lastMs;
    sequence += 1;
    if (sequence > 0xfff) {
      ms += 1;
      sequence = 0;
    }
  } else {
    // A random start within the millisecond, leaving room to count up.
    sequence = randomBytes(2).readUInt16BE() & 0x7ff;
  }
  lastMs = ms;
  const bytes = randomBytes(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
