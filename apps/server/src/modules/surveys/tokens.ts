import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { SurveyRating } from "../../db/schema.ts";

/*
 * Survey links carry everything they are about, signed: the workspace, the conversation, the
 * survey, the answer and an expiry, in 54 bytes followed by a 16-byte HMAC-SHA256 tag under a key
 * derived from the instance secret. The link is 94 URL-safe characters and needs no lookup to be
 * refused when forged, cut or expired.
 */

export const CHOICES = ["great", "good", "okay", "bad"] as const satisfies readonly SurveyRating[];
const VERSION = 1;
const PAYLOAD_BYTES = 1 + 16 * 3 + 1 + 4;
const TAG_BYTES = 16;
/** How long the answer links of an email work. */
export const LINK_DAYS = 30;
/** How long a rendered survey page may wait before its answer is posted (the Confirm button). */
export const NONCE_MINUTES = 24 * 60;

export interface SurveyLink {
  workspaceId: string;
  conversationId: string;
  surveyId: string;
  choice: SurveyRating;
  expiresAt: Date;
}

export type LinkCheck =
  | { ok: true; link: SurveyLink; payload: Buffer }
  | { ok: false; reason: "malformed" | "forged" | "expired" };

function keyFor(secret: string, purpose: string): Buffer {
  return createHmac("sha256", secret).update(`keepwell survey ${purpose}`).digest();
}

function tag(key: Buffer, data: Buffer): Buffer {
  return createHmac("sha256", key).update(data).digest().subarray(0, TAG_BYTES);
}

const uuidBytes = (uuid: string) => Buffer.from(uuid.replaceAll("-", ""), "hex");
const uuidOf = (bytes: Buffer) => {
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

export function signSurveyLink(secret: string, link: SurveyLink): string {
  const payload = Buffer.alloc(PAYLOAD_BYTES);
  payload.writeUInt8(VERSION, 0);
  uuidBytes(link.workspaceId).copy(payload, 1);
  uuidBytes(link.conversationId).copy(payload, 17);
  uuidBytes(link.surveyId).copy(payload, 33);
  payload.writeUInt8(CHOICES.indexOf(link.choice), 49);
  payload.writeUInt32BE(Math.floor(link.expiresAt.getTime() / 1000), 50);
  return Buffer.concat([payload, tag(keyFor(secret, "links"), payload)]).toString("base64url");
}

/** Checks a link in constant time before anything is looked up; the reason is for the friendly page. */
export function verifySurveyLink(secret: string, token: string, now: Date): LinkCheck {
  if (!/^[A-Za-z0-9_-]{94}$/.test(token)) return { ok: false, reason: "malformed" };
  const bytes = Buffer.from(token, "base64url");
  if (bytes.length !== PAYLOAD_BYTES + TAG_BYTES) return { ok: false, reason: "malformed" };
  const payload = bytes.subarray(0, PAYLOAD_BYTES);
  if (!timingSafeEqual(bytes.subarray(PAYLOAD_BYTES), tag(keyFor(secret, "links"), payload))) {
    return { ok: false, reason: "forged" };
  }
  const choice = CHOICES[payload.readUInt8(49)];
  if (payload.readUInt8(0) !== VERSION || !choice) return { ok: false, reason: "malformed" };
  const expiresAt = new Date(payload.readUInt32BE(50) * 1000);
  if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: "expired" };
  return {
    ok: true,
    payload,
    link: {
      workspaceId: uuidOf(payload.subarray(1, 17)),
      conversationId: uuidOf(payload.subarray(17, 33)),
      surveyId: uuidOf(payload.subarray(33, 49)),
      choice,
      expiresAt,
    },
  };
}

/*
 * Page nonces make an answer need a page load: the survey page carries one, bound to its link and
 * to what it may do ("rate", or "comment" after the rating), and the answer is taken only with it.
 * A mail scanner that fetches the link never posts it; one that replays a post finds it used
 * (survey_page_nonces). Nonces are stateless until used, so a GET writes nothing.
 */
const NONCE_BYTES = 4 + 8 + TAG_BYTES;

export function issueNonce(secret: string, purpose: "rate" | "comment", subject: Buffer, now: Date): string {
  const head = Buffer.alloc(12);
  head.writeUInt32BE(Math.floor(now.getTime() / 1000), 0);
  randomBytes(8).copy(head, 4);
  return Buffer.concat([
    head,
    tag(keyFor(secret, `nonce ${purpose}`), Buffer.concat([head, subject])),
  ]).toString("base64url");
}

export function verifyNonce(
  secret: string,
  purpose: "rate" | "comment",
  subject: Buffer,
  nonce: string,
  now: Date,
): boolean {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(nonce)) return false;
  const bytes = Buffer.from(nonce, "base64url");
  if (bytes.length !== NONCE_BYTES) return false;
  const head = bytes.subarray(0, 12);
  const expected = tag(keyFor(secret, `nonce ${purpose}`), Buffer.concat([head, subject]));
  if (!timingSafeEqual(bytes.subarray(12), expected)) return false;
  const age = now.getTime() / 1000 - head.readUInt32BE(0);
  return age >= -60 && age <= NONCE_MINUTES * 60;
}

/** What a comment nonce is bound to: the survey, whatever answer link the page was opened from. */
export function commentSubject(link: SurveyLink): Buffer {
  return Buffer.from(`${link.workspaceId}/${link.surveyId}`);
}
