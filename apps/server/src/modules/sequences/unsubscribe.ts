import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { isDatabaseError, PG_FOREIGN_KEY_VIOLATION } from "../../lib/errors.ts";
import { escapeHtml } from "../email/display/document.ts";
import { emailMac } from "../email/reply-token.ts";
import { stopAutomationFor } from "./service.ts";
import { suppress } from "./suppressions.ts";

/*
 * One-click unsubscribe (RFC 8058). Every automated mail carries
 *   List-Unsubscribe: <https://…/unsubscribe/TOKEN>
 *   List-Unsubscribe-Post: List-Unsubscribe=One-Click
 * The mail client POSTs to the link and the contact is suppressed for all automation of the
 * workspace. A GET (a person clicking, or a scanner prefetching) only shows a page with a button.
 * The token is the workspace and contact ids with an HMAC, so nobody can unsubscribe someone else.
 */

const MAC_BYTES = 12;

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replaceAll("-", ""), "hex");
}

function toUuid(bytes: Buffer): string {
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function unsubscribeToken(secret: string, workspaceId: string, contactId: string): string {
  const ids = Buffer.concat([uuidBytes(workspaceId), uuidBytes(contactId)]);
  return Buffer.concat([ids, emailMac(secret, "unsubscribe", ids).subarray(0, MAC_BYTES)]).toString(
    "base64url",
  );
}

export function verifyUnsubscribeToken(
  secret: string,
  token: string,
): { workspaceId: string; contactId: string } | null {
  const bytes = Buffer.from(token, "base64url");
  if (bytes.length !== 32 + MAC_BYTES) return null;
  const ids = bytes.subarray(0, 32);
  const expected = emailMac(secret, "unsubscribe", ids).subarray(0, MAC_BYTES);
  if (!timingSafeEqual(expected, bytes.subarray(32))) return null;
  return { workspaceId: toUuid(ids.subarray(0, 16)), contactId: toUuid(ids.subarray(16)) };
}

export function unsubscribeUrl(baseUrl: string, token: string): string {
  return new URL(`/unsubscribe/${token}`, baseUrl).toString();
}

/** The headers of RFC 2369 and RFC 8058 for one automated mail. */
export function unsubscribeHeaders(
  ctx: AppContext,
  workspaceId: string,
  contactId: string,
): Record<string, string> {
  const url = unsubscribeUrl(ctx.config.baseUrl, unsubscribeToken(ctx.config.secret, workspaceId, contactId));
  return { "List-Unsubscribe": `<${url}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

function page(reply: FastifyReply, status: number, title: string, body: string) {
  return reply
    .status(status)
    .header("content-type", "text/html; charset=utf-8")
    .header("content-security-policy", CSP)
    .header("cache-control", "no-store")
    .header("referrer-policy", "no-referrer")
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title></head><body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem"><h1 style="font-size:1.4rem">${escapeHtml(title)}</h1>${body}</body></html>`,
    );
}

/** The public unsubscribe page, outside /api/v1: no account, no cookie. */
export async function unsubscribeRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await app.register(async (site) => {
    // Mail clients post urlencoded or multipart bodies; the POST itself is the request, so bodies are ignored.
    site.removeAllContentTypeParsers();
    site.addContentTypeParser("*", { bodyLimit: 16 * 1024 }, (_request, payload, done) => {
      payload.resume();
      payload.on("end", () => done(null, undefined));
      payload.on("error", done);
    });
    const params = Type.Object({ token: Type.String({ maxLength: 200 }) });
    const common = { schema: { hide: true, params }, bodyLimit: 16 * 1024 };
    type Req = { Params: { token: string } };

    site.get<Req>("/unsubscribe/:token", common, async (request, reply) => {
      if (!verifyUnsubscribeToken(ctx.config.secret, request.params.token)) {
        return page(reply, 404, "This link does not work", "<p>It may have been copied incompletely.</p>");
      }
      return page(
        reply,
        200,
        "Stop these emails?",
        `<p>You will no longer receive automated emails from us. Replies from our team still reach you.</p><form method="post"><button type="submit" style="font-size:1rem;padding:.5rem 1rem">Unsubscribe</button></form>`,
      );
    });

    site.post<Req>("/unsubscribe/:token", common, async (request, reply) => {
      const target = verifyUnsubscribeToken(ctx.config.secret, request.params.token);
      if (!target)
        return page(reply, 404, "This link does not work", "<p>It may have been copied incompletely.</p>");
      await suppress(ctx.db, {
        ...target,
        reason: "unsubscribed",
        detail: "one-click unsubscribe",
        at: ctx.now(),
      }).catch((error) => {
        // A contact deleted since the mail was sent: nothing left to unsubscribe.
        if (!isDatabaseError(error, PG_FOREIGN_KEY_VIOLATION)) throw error;
      });
      await stopAutomationFor(ctx, target.workspaceId, target.contactId, "unsubscribed");
      return page(
        reply,
        200,
        "You are unsubscribed",
        "<p>You will not receive automated emails from us again.</p>",
      );
    });
  });
}
