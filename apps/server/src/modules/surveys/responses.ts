import { CompiledQuery } from "kysely";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { SurveyRating } from "../../db/schema.ts";
import { type Activity, type PendingEvent, } from "../conversations/activity.ts";
import { writeActivity } from "../conversations/message-service.ts";
import { lockConversation } from "../conversations/queries.ts";
import type { CsatFact } from "../metrics/rollups.ts";
import { applyCsatChange, workspaceClock } from "../metrics/service.ts";
import { findSurvey, lockResponse, type ResponseRow, type SurveyRow, useNonce } from "./queries.ts";
import { commentSubject, issueNonce, type SurveyLink, verifyNonce } from "./tokens.ts";

export const FOLLOW_UP_QUEUE = "survey-follow-up";
/** A bad rating's follow-up waits this long, so that the comment usually arrives first; tests shorten it. */
export const followUpDelay = { seconds: 120 };

/** Why an answer was not taken; each has its own friendly page. */
export type AnswerRefusal = "invalid" | "replayed" | "busy";

export class AnswerRefused extends Error {
  readonly reason: AnswerRefusal;
  constructor(reason: AnswerRefusal) {
    super(`survey answer refused: ${reason}`);
    this.reason = reason;
  }
}

/** The survey a verified link names, only when it belongs to the link's workspace and conversation. */
export async function surveyOfLink(db: Db, link: SurveyLink): Promise<SurveyRow | null> {
  const survey = await findSurvey(db, link.workspaceId, link.surveyId);
  return survey && survey.conversation_id === link.conversationId ? survey : null;
}

const negative = (rating: SurveyRating | undefined) => rating === "okay" || rating === "bad";

function factOf(
  survey: SurveyRow,
  response: Pick<ResponseRow, "rating" | "comment" | "responded_at">,
): CsatFact {
  return {
    responded_at: new Date(response.responded_at),
    inbox_id: survey.inbox_id,
    channel: survey.channel,
    agent_id: survey.agent_id,
    rating: response.rating,
    has_comment: response.comment !== null,
  };
}

export const activities = {
  rated: (rating: SurveyRating, previous: SurveyRating | undefined, surveyId: string): Activity => ({
    text: previous
      ? `The customer changed their survey answer from “${previous}” to “${rating}”`
      : `The customer answered the survey: “${rating}”`,
    metadata: { action: "survey_response", survey_id: surveyId, rating, previous_rating: previous ?? null },
  }),
  commented: (rating: SurveyRating, comment: string, surveyId: string): Activity => ({
    text: `Survey comment (${rating}): “${comment}”`,
    metadata: { action: "survey_comment", survey_id: surveyId, rating, comment },
  }),
};

/**
 * Records the answer of a link, once per page load (the page nonce): the first answer creates the
 * survey's one response, a later one changes its rating. Okay and bad answers go on the conversation
 * as an activity line; a bad one queues the follow-up. The CSAT rollups move in the same transaction.
 */
export async function recordRating(
  ctx: AppContext,
  link: SurveyLink,
  payload: Buffer,
  nonce: string,
): Promise<{ rating: SurveyRating; commentNonce: string }> {
  const now = ctx.now();
  if (!verifyNonce(ctx.config.secret, "rate", payload, nonce, now)) throw new AnswerRefused("invalid");
  const survey = await surveyOfLink(ctx.db, link);
  if (!survey) throw new AnswerRefused("invalid");
  await applyRating(ctx, link.workspaceId, survey, link.choice, {
    guard: async (trx) => {
      if (!(await useNonce(trx, link.workspaceId, survey.id, nonce, now)))
        throw new AnswerRefused("replayed");
    },
  });
  return {
    rating: link.choice,
    commentNonce: issueNonce(ctx.config.secret, "comment", commentSubject(link), now),
  };
}

/**
 * The one path every answer takes, whatever asked it (an email link's page or the chat widget):
 * the first answer creates the survey's one response, a later one changes its rating. Okay and bad
 * answers go on the conversation as an activity line; a bad one queues the follow-up; the CSAT
 * rollups move in the same transaction. `guard` runs first in it (the email page spends its nonce).
 */
export async function applyRating(
  ctx: AppContext,
  ws: string,
  survey: SurveyRow,
  choice: SurveyRating,
  options: { guard?: (trx: Db) => Promise<void>; announceEvery?: boolean } = {},
): Promise<void> {
  const now = ctx.now();
  const { schedule } = await workspaceClock(ctx, ws);
  const events: PendingEvent[] = [];
  await ctx.events.transaction(ws, events, async (trx) => {
    await options.guard?.(trx);
    const previous = await lockResponse(trx, ws, survey.id);
    if (previous?.rating === choice) return;
    const next = {
      rating: choice,
      comment: previous?.comment ?? null,
      responded_at: previous?.responded_at ?? now,
    };
    if (previous) {
      await trx
        .updateTable("survey_responses")
        .set({ rating: choice, updated_at: now })
        .where("workspace_id", "=", ws)
        .where("survey_id", "=", survey.id)
        .execute();
    } else {
      await trx
        .insertInto("survey_responses")
        .values({ workspace_id: ws, survey_id: survey.id, ...next, updated_at: now })
        .execute();
    }
    const csat = await applyCsatChange(
      trx,
      ws,
      schedule.timeZone,
      previous ? factOf(survey, previous) : null,
      factOf(survey, next),
    );
    if (!csat) throw new AnswerRefused("busy");
    // Email keeps good news off the thread; a chat shows every answer, since the agent was just there.
    if (options.announceEvery || negative(choice) || negative(previous?.rating)) {
      await addActivity(
        trx,
        ws,
        survey.conversation_id,
        activities.rated(choice, previous?.rating, survey.id),
        now,
        events,
      );
    }
    if (choice === "bad" && !previous?.follow_up_conversation_id) {
      await ctx.jobs.send(
        FOLLOW_UP_QUEUE,
        { workspace_id: ws, survey_id: survey.id },
        {
          startAfter: followUpDelay.seconds,
          singletonKey: survey.id,
          db: { executeSql: (text, values) => trx.executeQuery(CompiledQuery.raw(text, values ?? [])) },
        },
      );
    }
    events.push({
      type: "survey.responded",
      data: { survey_id: survey.id, conversation_id: survey.conversation_id, rating: choice },
    });
  });
}

/**
 * Records the optional comment (replacing an earlier one): on the conversation as an activity line,
 * and on the follow-up conversation when a bad rating already opened one.
 */
export async function recordComment(
  ctx: AppContext,
  link: SurveyLink,
  nonce: string,
  text: string,
): Promise<void> {
  const now = ctx.now();
  if (!verifyNonce(ctx.config.secret, "comment", commentSubject(link), nonce, now))
    throw new AnswerRefused("invalid");
  const survey = await surveyOfLink(ctx.db, link);
  if (!survey) throw new AnswerRefused("invalid");
  await applyComment(ctx, link.workspaceId, survey, text, async (trx) => {
    if (!(await useNonce(trx, link.workspaceId, survey.id, nonce, now))) throw new AnswerRefused("replayed");
  });
}

/** The comment half of the one answer path (see applyRating); refused before any rating. */
export async function applyComment(
  ctx: AppContext,
  ws: string,
  survey: SurveyRow,
  text: string,
  guard?: (trx: Db) => Promise<void>,
): Promise<void> {
  const now = ctx.now();
  const comment = text.replace(/\r\n?/g, "\n").trim().slice(0, 2000);
  const { schedule } = await workspaceClock(ctx, ws);
  const events: PendingEvent[] = [];
  await ctx.events.transaction(ws, events, async (trx) => {
    await guard?.(trx);
    const previous = await lockResponse(trx, ws, survey.id);
    if (!previous) throw new AnswerRefused("invalid");
    if (!comment || comment === previous.comment) return;
    await trx
      .updateTable("survey_responses")
      .set({ comment, updated_at: now })
      .where("workspace_id", "=", ws)
      .where("survey_id", "=", survey.id)
      .execute();
    const csat = await applyCsatChange(
      trx,
      ws,
      schedule.timeZone,
      factOf(survey, previous),
      factOf(survey, { ...previous, comment }),
    );
    if (!csat) throw new AnswerRefused("busy");
    const line = activities.commented(previous.rating, comment, survey.id);
    await addActivity(trx, ws, survey.conversation_id, line, now, events);
    if (previous.follow_up_conversation_id) {
      await addActivity(trx, ws, previous.follow_up_conversation_id, line, now, events);
    }
    events.push({
      type: "survey.commented",
      data: { survey_id: survey.id, conversation_id: survey.conversation_id, rating: previous.rating },
    });
  });
}

/** Writes a system activity line on a conversation (which is locked, like every writer of messages). */
export async function addActivity(
  trx: Db,
  workspaceId: string,
  conversationId: string,
  activity: Activity,
  at: Date,
  events: PendingEvent[],
): Promise<void> {
  const conversation = await lockConversation(trx, workspaceId, conversationId);
  if (!conversation) return;
  await writeActivity(trx, workspaceId, conversation, null, activity, at, events);
}
