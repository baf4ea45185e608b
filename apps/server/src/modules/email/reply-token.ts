import { createHmac, timingSafeEqual } from "node:crypto";

/*
 * A reply token names the conversation a reply belongs to and carries an HMAC, so only Keepwell can
 * make one: email senders are unauthenticated, and a forged or edited token must never thread a
 * message into someone else's conversation or make it count as an agent's.
 *
 * Layout: base32 (lowercase, no padding) of workspace id (16 bytes) + conversation id (16 bytes)
 * + the first 8 bytes of HMAC-SHA256 over both = 64 characters. Lowercase base32 survives mail
 * systems that fold the case of local parts and Message-IDs.
 */

const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
const MAC_BYTES = 8;
const ID_BYTES = 16;
export const REPLY_TOKEN_LENGTH = 64;

export interface ReplyTarget {
  workspaceId: string;
  conversationId: string;
}

/** HMAC under a key derived for one purpose, so the same secret never signs two kinds of data alike. */
export function emailMac(secret: string, purpose: string, data: Buffer | string): Buffer {
  const key = createHmac("sha256", secret).update(`keepwell email ${purpose} v1`).digest();
  return createHmac("sha256", key).update(data).digest();
}

/** Signs a conversation reference for the Message-ID and Reply-To of mail we send. */
export function createReplyToken(secret: string, target: ReplyTarget): string {
  const ids = Buffer.concat([uuidBytes(target.workspaceId), uuidBytes(target.conversationId)]);
  const mac = emailMac(secret, "reply-token", ids).subarray(0, MAC_BYTES);
  return base32Encode(Buffer.concat([ids, mac]));
}

/** The conversation a token names, or null when it is malformed or was not signed with this secret. */
export function verifyReplyToken(secret: string, token: string): ReplyTarget | null {
  if (typeof token !== "string" || token.length !== REPLY_TOKEN_LENGTH) return null;
  const bytes = base32Decode(token.toLowerCase());
  if (!bytes || bytes.length !== 2 * ID_BYTES + MAC_BYTES) return null;
  const ids = bytes.subarray(0, 2 * ID_BYTES);
  const expected = emailMac(secret, "reply-token", ids).subarray(0, MAC_BYTES);
  if (!timingSafeEqual(expected, bytes.subarray(2 * ID_BYTES))) return null;
  return {
    workspaceId: bytesToUuid(ids.subarray(0, ID_BYTES)),
    conversationId: bytesToUuid(ids.subarray(ID_BYTES)),
  };
}

/**
 * Finds a valid token anywhere in a text (a Message-ID, a local part such as "support+<token>"):
 * tokens are runs of exactly 64 base32 characters, so we test each such run.
 */
export function findReplyToken(secret: string, text: string): ReplyTarget | null {
  for (const match of text.toLowerCase().matchAll(/[a-z2-7]{64,}/g)) {
    if (match[0].length !== REPLY_TOKEN_LENGTH) continue;
    const target = verifyReplyToken(secret, match[0]);
    if (target) return target;
  }
  return null;
}

function uuidBytes(uuid: string): Buffer {
  const hex = uuid.replaceAll("-", "");
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`reply token: not a UUID: ${uuid}`);
  return Buffer.from(hex, "hex");
}

function bytesToUuid(bytes: Buffer): string {
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function base32Encode(bytes: Buffer): string {
  let out = "";
  let value = 0;
  let bits = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

function base32Decode(text: string): Buffer | null {
  const out: number[] = [];
  let value = 0;
  let bits = 0;
  for (const char of text) {
    const index = ALPHABET.indexOf(char);
    if (index < 0) return null;
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}
