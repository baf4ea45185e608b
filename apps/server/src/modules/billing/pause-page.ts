import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { Problem } from "../../lib/errors.ts";
import { constantTimeEqual, hmac } from "../../lib/tokens.ts";
import { companyFacts } from "../companies/records.ts";
import { companyOfContact } from "../contacts/by-company.ts";
import { visitorOfToken } from "../widget/visitors.ts";
import { widgetByKey } from "../widget/settings.ts";
import { billingTexts, fill, isLanguage, type Language, pageLanguage } from "./i18n.ts";
import { liveSubscriptionOf, recordChoice } from "./service.ts";
import { billingConfigOf } from "./settings.ts";

/*
 * The customer-facing pause-or-cancel page, behind a signed link (from an agent, the help center or
 * the widget). A customer who came to cancel is first offered a pause of one to three months, or a
 * cheaper plan when one is configured; the choice and the reason are recorded and the agents told.
 */

const DAY = 86_400_000;

export interface PauseLink {
  workspaceId: string;
  companyId: string;
  expiresAt: Date;
}

export function signPauseLink(secret: string, link: PauseLink): string {
  const payload = Buffer.from(
    JSON.stringify([link.workspaceId, link.companyId, Math.floor(link.expiresAt.getTime() / 1000)]),
  ).toString("base64url");
  return `${payload}.${hmac(secret, `pause-link:${payload}`)}`;
}

/** The link's contents when its signature holds and it has not expired; null for anything else. */
export function verifyPauseLink(secret: string, token: string, now: Date): PauseLink | null {
  const [payload, signature, extra] = token.split(".");
  if (!payload || !signature || extra !== undefined) return null;
  if (!constantTimeEqual(signature, hmac(secret, `pause-link:${payload}`))) return null;
  try {
    const [workspaceId, companyId, expires] = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    if (typeof workspaceId !== "string" || typeof companyId !== "string" || typeof expires !== "number")
      return null;
    const expiresAt = new Date(expires * 1000);
    return expiresAt > now ? { workspaceId, companyId, expiresAt } : null;
  } catch {
    return null;
  }
}

/** The link; with a language, the page opens in it (a mailed link matches its email's language). */
export function pauseLinkFor(
  ctx: AppContext,
  workspaceId: string,
  companyId: string,
  days: number,
  language?: Language,
) {
  const expiresAt = new Date(ctx.now().getTime() + days * DAY);
  const token = signPauseLink(ctx.config.secret, { workspaceId, companyId, expiresAt });
  const query = language ? `?lang=${language}` : "";
  return { url: `${ctx.config.baseUrl}/billing/pause/${token}${query}`, expires_at: expiresAt.toISOString() };
}

/** The page's language: the link's own when it names one we have, else the browser's. */
function languageOf(request: FastifyRequest): Language {
  const asked = (request.query as { lang?: unknown } | undefined)?.lang;
  return isLanguage(asked) ? asked : pageLanguage(request.headers["accept-language"]);
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );

const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors *";

function page(language: Language, title: string, body: string): string {
  return `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1d2433}fieldset{border:0;padding:0}label{display:block;margin:.5rem 0}textarea{width:100%;min-height:5rem}button{font:inherit;padding:.5rem 1rem;margin-right:.5rem}</style></head>
<body><main>${body}</main></body></html>`;
}

function html(reply: FastifyReply, status: number, content: string) {
  return reply
    .status(status)
    .header("content-type", "text/html; charset=utf-8")
    .header("content-security-policy", PAGE_CSP)
    .header("referrer-policy", "no-referrer")
    .header("cache-control", "no-store")
    .send(content);
}

const refused = (language: Language) => {
  const t = billingTexts[language];
  return page(
    language,
    t.refusedTitle,
    `<h1>${escapeHtml(t.refusedTitle)}</h1><p>${escapeHtml(t.refusedBody)}</p>`,
  );
};

export async function pausePageRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await app.register(async (site) => {
    site.addContentTypeParser(
      "application/x-www-form-urlencoded",
      { parseAs: "string", bodyLimit: 16 * 1024 },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    const params = Type.Object({ token: Type.String({ maxLength: 400 }) });
    const common = { schema: { hide: true, params }, bodyLimit: 16 * 1024 };

    site.get<{ Params: { token: string } }>("/billing/pause/:token", common, async (request, reply) => {
      const language = languageOf(request);
      const t = billingTexts[language];
      const link = verifyPauseLink(ctx.config.secret, request.params.token, ctx.now());
      const company =
        link && (await companyFacts(ctx.db, link.workspaceId, [link.companyId])).get(link.companyId);
      if (!link || !company) return html(reply, 404, refused(language));
      const config = await billingConfigOf(ctx, ctx.db, link.workspaceId);
      const subscription = await liveSubscriptionOf(ctx, link.workspaceId, link.companyId);
      const name = { company: company.name };
      if (subscription?.paused) {
        return html(
          reply,
          200,
          page(
            language,
            t.pausedTitle,
            `<h1>${escapeHtml(fill(t.pausedHeading, name))}</h1><p>${escapeHtml(t.pausedBody)}</p>
<form method="post"><input type="hidden" name="choice" value="resume"><button type="submit">${escapeHtml(t.resumeNow)}</button></form>`,
          ),
        );
      }
      const option = (value: string, label: string, checked = false) =>
        `<label><input type="radio" name="choice" value="${value}"${checked ? " checked" : ""}> ${escapeHtml(label)}</label>`;
      return html(
        reply,
        200,
        page(
          language,
          t.title,
          `<h1>${escapeHtml(t.title)}</h1>
<p>${escapeHtml(fill(t.intro, name))}</p>
<form method="post"><fieldset>
${t.pauseFor.map((label, i) => option(`pause-${i + 1}`, label, i === 0)).join("\n")}
${config.downgrade_plan ? option("downgrade", t.downgrade) : ""}
${option("cancel", t.cancel)}
</fieldset>
<label for="reason">${escapeHtml(t.reasonLabel)}</label>
<textarea id="reason" name="reason" maxlength="2000"></textarea>
<p><button type="submit">${escapeHtml(t.confirm)}</button></p></form>`,
        ),
      );
    });

    site.post<{ Params: { token: string }; Body: Record<string, string> | undefined }>(
      "/billing/pause/:token",
      common,
      async (request, reply) => {
        const language = languageOf(request);
        const t = billingTexts[language];
        const link = verifyPauseLink(ctx.config.secret, request.params.token, ctx.now());
        const company =
          link && (await companyFacts(ctx.db, link.workspaceId, [link.companyId])).get(link.companyId);
        if (!link || !company) return html(reply, 404, refused(language));
        const raw = String(request.body?.choice ?? "");
        const match = /^(pause)-([123])$|^(downgrade|cancel|resume)$/.exec(raw);
        if (!match)
          return html(reply, 400, page(language, t.chooseTitle, `<h1>${escapeHtml(t.chooseBody)}</h1>`));
        const choice = (match[1] ?? match[3]) as "pause" | "downgrade" | "cancel" | "resume";
        const months = match[2] ? Number(match[2]) : undefined;
        const reason = typeof request.body?.reason === "string" ? request.body.reason : null;
        await recordChoice(ctx, link.workspaceId, link.companyId, { choice, months, reason }, null);
        const template = {
          pause: t.donePause[(months ?? 1) - 1] as string,
          downgrade: t.doneDowngrade,
          cancel: t.doneCancel,
          resume: t.doneResume,
        }[choice];
        const words = fill(template, { company: company.name });
        return html(
          reply,
          200,
          page(
            language,
            t.doneTitle,
            `<h1>${escapeHtml(t.doneTitle)}</h1><p id="outcome">${escapeHtml(words)}</p>`,
          ),
        );
      },
    );

    /**
     * The widget's "pause or cancel" entry: a short-lived signed link for a visitor the site signed
     * for (a verified identity) whose company has a live subscription. Anonymous and unverified
     * visitors never get one: anyone can claim a name or an email in a chat.
     */
    site.post<{ Params: { key: string } }>(
      "/billing/widget/:key/pause-link",
      { schema: { hide: true, params: WidgetKeyParams } },
      async (request) => {
        const widget = await widgetByKey(ctx.db, request.params.key);
        if (!widget) throw new Problem(404, "not_found", "No widget has this key");
        const token = /^Visitor\s+(\S+)$/.exec(String(request.headers.authorization ?? ""))?.[1];
        const visitor = await visitorOfToken(ctx.db, widget, token);
        if (!visitor)
          throw new Problem(
            401,
            "unauthorized",
            "Send the visitor token as 'Authorization: Visitor <token>'",
          );
        if (!visitor.externalId)
          throw new Problem(
            403,
            "identity_not_verified",
            "Only a signed-in customer can manage the subscription",
            {
              field: "identity.user_hash",
            },
          );
        const companyId = await companyOfContact(ctx.db, visitor.workspaceId, visitor.contactId);
        const subscription = companyId
          ? await liveSubscriptionOf(ctx, visitor.workspaceId, companyId)
          : undefined;
        if (!companyId || !subscription)
          throw new Problem(
            404,
            "no_subscription",
            "There is no subscription to pause or cancel for this customer",
          );
        return pauseLinkFor(ctx, visitor.workspaceId, companyId, WIDGET_LINK_DAYS);
      },
    );
  });
}

/** A link handed to a chat visitor is for now, not for forwarding: it lasts a day. */
const WIDGET_LINK_DAYS = 1;
const WidgetKeyParams = Type.Object({ key: Type.String({ pattern: "^kwc_[A-Za-z0-9_-]{10,40}$" }) });
