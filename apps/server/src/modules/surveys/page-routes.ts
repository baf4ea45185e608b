import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import type { SurveyRating } from "../../db/schema.ts";
import { isLanguage, type Language, negotiateLanguage } from "./i18n.ts";
import {
  answerPage,
  type FriendlyReason,
  friendlyMessage,
  friendlyPage,
  recordedMessage,
  recordedPage,
  SURVEY_CSP,
  thanksPage,
} from "./page.ts";
import { AnswerRefused, recordComment, recordRating, surveyOfLink } from "./responses.ts";
import { surveySettingsOf } from "./settings.ts";
import { CHOICES, issueNonce, type SurveyLink, signSurveyLink, verifySurveyLink } from "./tokens.ts";

type TokenRequest = FastifyRequest<{ Params: { token: string }; Body: Record<string, unknown> | undefined }>;

/**
 * The survey links of emails, outside /api/v1: public pages that need no account and set no cookie.
 * A GET only shows the page (mail scanners fetch links); the answer is recorded by the POST the page
 * makes once a browser has loaded it.
 */
export async function surveyPageRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await app.register(async (site) => {
    // Forms post urlencoded; parsed here only, for these few short fields.
    site.addContentTypeParser(
      "application/x-www-form-urlencoded",
      { parseAs: "string", bodyLimit: 16 * 1024 },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    const params = Type.Object({ token: Type.String({ maxLength: 200 }) });
    const common = { schema: { hide: true, params }, bodyLimit: 16 * 1024 };

    site.get("/survey/:token", common, async (request: TokenRequest, reply) => {
      const check = verifySurveyLink(ctx.config.secret, request.params.token, ctx.now());
      if (!check.ok) return friendly(reply, request, check.reason === "expired" ? "expired" : "invalid");
      const survey = await surveyOfLink(ctx.db, check.link);
      if (!survey) return friendly(reply, request, "invalid");
      const language = languageOf(request, survey.language);
      const settings = await surveySettingsOf(ctx.db, check.link.workspaceId, survey.inbox_id);
      const page = answerPage({
        ...pageLinks(ctx, check.link, request.params.token),
        language,
        question: settings.question,
        choice: check.link.choice,
        nonce: issueNonce(ctx.config.secret, "rate", check.payload, ctx.now()),
      });
      return html(reply, 200, page);
    });

    site.post("/survey/:token", common, async (request: TokenRequest, reply) => {
      const check = verifySurveyLink(ctx.config.secret, request.params.token, ctx.now());
      if (!check.ok) return friendly(reply, request, check.reason === "expired" ? "expired" : "invalid");
      const nonce = typeof request.body?.nonce === "string" ? request.body.nonce : "";
      let result: Awaited<ReturnType<typeof recordRating>>;
      try {
        result = await recordRating(ctx, check.link, check.payload, nonce);
      } catch (error) {
        if (error instanceof AnswerRefused) return friendly(reply, request, error.reason);
        throw error;
      }
      const survey = await surveyOfLink(ctx.db, check.link);
      const language = languageOf(request, survey?.language);
      if (wantsJson(request)) {
        return reply
          .status(200)
          .headers(pageHeaders)
          .send({
            status: "recorded",
            rating: result.rating,
            message: recordedMessage(language, result.rating),
            comment_nonce: result.commentNonce,
          });
      }
      const page = recordedPage({
        ...pageLinks(ctx, check.link, request.params.token),
        language,
        question: null,
        choice: result.rating,
        commentNonce: result.commentNonce,
      });
      return html(reply, 200, page);
    });

    site.post("/survey/:token/comment", common, async (request: TokenRequest, reply) => {
      const check = verifySurveyLink(ctx.config.secret, request.params.token, ctx.now());
      if (!check.ok) return friendly(reply, request, check.reason === "expired" ? "expired" : "invalid");
      const nonce = typeof request.body?.nonce === "string" ? request.body.nonce : "";
      const comment = typeof request.body?.comment === "string" ? request.body.comment : "";
      try {
        await recordComment(ctx, check.link, nonce, comment);
      } catch (error) {
        if (error instanceof AnswerRefused) return friendly(reply, request, error.reason);
        throw error;
      }
      const survey = await surveyOfLink(ctx.db, check.link);
      const language = languageOf(request, survey?.language);
      if (wantsJson(request)) return reply.status(200).headers(pageHeaders).send({ status: "recorded" });
      return html(reply, 200, thanksPage(language));
    });
  });
}

/** The links of the four answers, with the expiry of the link that was opened. */
function pageLinks(ctx: AppContext, link: SurveyLink, token: string) {
  const links = Object.fromEntries(
    CHOICES.map((choice) => [choice, `/survey/${signSurveyLink(ctx.config.secret, { ...link, choice })}`]),
  ) as Record<SurveyRating, string>;
  return { links, action: `/survey/${token}`, commentAction: `/survey/${token}/comment` };
}

const pageHeaders = {
  "content-security-policy": SURVEY_CSP,
  "cache-control": "no-store",
  // The token is in the URL: it must not leave in a Referer header.
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-robots-tag": "noindex, nofollow",
};

function html(reply: FastifyReply, status: number, body: string) {
  return reply.status(status).headers(pageHeaders).type("text/html; charset=utf-8").send(body);
}

const STATUS: Record<FriendlyReason, number> = { invalid: 404, expired: 410, replayed: 409, busy: 503 };

function friendly(reply: FastifyReply, request: FastifyRequest, reason: FriendlyReason) {
  const language = languageOf(request, undefined);
  if (wantsJson(request)) {
    return reply
      .status(STATUS[reason])
      .headers(pageHeaders)
      .send({ status: reason, message: friendlyMessage(language, reason) });
  }
  return html(reply, STATUS[reason], friendlyPage(language, reason));
}

function languageOf(request: FastifyRequest, fallback: string | undefined): Language {
  return negotiateLanguage(request.headers["accept-language"], isLanguage(fallback) ? fallback : "en");
}

function wantsJson(request: FastifyRequest): boolean {
  return /application\/json/.test(request.headers.accept ?? "");
}
