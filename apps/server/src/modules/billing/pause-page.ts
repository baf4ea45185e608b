import type { FastifyInstance, FastifyReply } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { constantTimeEqual, hmac } from "../../lib/tokens.ts";
import { companyFacts } from "../companies/records.ts";
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

export function pauseLinkFor(ctx: AppContext, workspaceId: string, companyId: string, days: number) {
  const expiresAt = new Date(ctx.now().getTime() + days * DAY);
  const token = signPauseLink(ctx.config.secret, { workspaceId, companyId, expiresAt });
  return { url: `${ctx.config.baseUrl}/billing/pause/${token}`, expires_at: expiresAt.toISOString() };
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );

const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors *";

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
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

const refused = () =>
  page(
    "This link does not work",
    "<h1>This link does not work</h1><p>It may have expired. Reply to our last email and we will sort it out with you.</p>",
  );

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
      const link = verifyPauseLink(ctx.config.secret, request.params.token, ctx.now());
      const company =
        link && (await companyFacts(ctx.db, link.workspaceId, [link.companyId])).get(link.companyId);
      if (!link || !company) return html(reply, 404, refused());
      const config = await billingConfigOf(ctx, ctx.db, link.workspaceId);
      const subscription = await liveSubscriptionOf(ctx, link.workspaceId, link.companyId);
      if (subscription?.paused) {
        return html(
          reply,
          200,
          page(
            "Your account is paused",
            `<h1>${escapeHtml(company.name)} is paused</h1><p>Everything is kept as you left it.</p>
<form method="post"><input type="hidden" name="choice" value="resume"><button type="submit">Resume now</button></form>`,
          ),
        );
      }
      const downgrade = config.downgrade_plan
        ? `<label><input type="radio" name="choice" value="downgrade"> Move to a cheaper plan instead</label>`
        : "";
      return html(
        reply,
        200,
        page(
          "Before you go",
          `<h1>Before you go</h1>
<p>If now is not the right time, you can pause ${escapeHtml(company.name)} instead of cancelling: nothing is charged while paused, and everything is kept for when you come back.</p>
<form method="post"><fieldset>
<label><input type="radio" name="choice" value="pause-1" checked> Pause for 1 month</label>
<label><input type="radio" name="choice" value="pause-2"> Pause for 2 months</label>
<label><input type="radio" name="choice" value="pause-3"> Pause for 3 months</label>
${downgrade}
<label><input type="radio" name="choice" value="cancel"> Cancel my subscription</label>
</fieldset>
<label for="reason">Would you tell us why? (optional, it goes to the team)</label>
<textarea id="reason" name="reason" maxlength="2000"></textarea>
<p><button type="submit">Confirm</button></p></form>`,
        ),
      );
    });

    site.post<{ Params: { token: string }; Body: Record<string, string> | undefined }>(
      "/billing/pause/:token",
      common,
      async (request, reply) => {
        const link = verifyPauseLink(ctx.config.secret, request.params.token, ctx.now());
        const company =
          link && (await companyFacts(ctx.db, link.workspaceId, [link.companyId])).get(link.companyId);
        if (!link || !company) return html(reply, 404, refused());
        const raw = String(request.body?.choice ?? "");
        const match = /^(pause)-([123])$|^(downgrade|cancel|resume)$/.exec(raw);
        if (!match)
          return html(reply, 400, page("Please choose", "<h1>Please choose one of the options</h1>"));
        const choice = (match[1] ?? match[3]) as "pause" | "downgrade" | "cancel" | "resume";
        const months = match[2] ? Number(match[2]) : undefined;
        const reason = typeof request.body?.reason === "string" ? request.body.reason : null;
        await recordChoice(ctx, link.workspaceId, link.companyId, { choice, months, reason }, null);
        const words = {
          pause: `${company.name} is paused for ${months} month${months === 1 ? "" : "s"}. Nothing is charged meanwhile, and everything is kept.`,
          downgrade: `${company.name} moves to the cheaper plan from the next invoice.`,
          cancel: `${company.name} is cancelled. Thank you for the time you spent with us; you are welcome back any time.`,
          resume: `${company.name} is running again. Welcome back!`,
        }[choice];
        return html(reply, 200, page("Done", `<h1>Done</h1><p id="outcome">${escapeHtml(words)}</p>`));
      },
    );
  });
}
