import type { AppContext } from "../../context.ts";
import type { SurveyRating } from "../../db/schema.ts";
import { invalid, notFound } from "../../lib/errors.ts";
import { getConversation } from "../conversations/service.ts";
import { findResponse, findSurvey, type SurveyRow } from "./queries.ts";
import { AnswerRefused, applyComment, applyRating } from "./responses.ts";
import { surveySettingsOf } from "./settings.ts";
import { CHOICES } from "./tokens.ts";

/*
 * Chat surveys: the same survey rows and the same answer path as email (responses.ts), asked inline
 * in the widget. The visitor's socket is the credential (the widget module checks the conversation is
 * theirs), so there are no links or page nonces; a later click changes the rating like a later link.
 */

/** What the widget shows: the question (null: its own translated default) and the answer so far. */
export interface ChatSurvey {
  survey_id: string;
  question: string | null;
  choices: readonly SurveyRating[];
  rating: SurveyRating | null;
  comment: string | null;
}

/** The survey the conversation's visitor is being asked (the latest one sent), while it stays resolved. */
export async function chatSurveyOf(
  ctx: AppContext,
  workspaceId: string,
  conversationId: string,
): Promise<ChatSurvey | null> {
  const conversation = await getConversation(ctx.db, workspaceId, conversationId).catch(() => null);
  if (conversation?.status !== "resolved") return null;
  const row = await ctx.db
    .selectFrom("surveys")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("conversation_id", "=", conversationId)
    .where("channel", "=", "chat")
    .where("state", "=", "sent")
    .orderBy("sent_at", "desc")
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  const survey = await findSurvey(ctx.db, workspaceId, row.id);
  return survey ? present(ctx, workspaceId, survey) : null;
}

async function present(ctx: AppContext, workspaceId: string, survey: SurveyRow): Promise<ChatSurvey> {
  const settings = await surveySettingsOf(ctx.db, workspaceId, survey.inbox_id);
  const response = await findResponse(ctx.db, workspaceId, survey.id);
  return {
    survey_id: survey.id,
    question: settings.question,
    choices: CHOICES,
    rating: response?.rating ?? null,
    comment: response?.comment ?? null,
  };
}

/** The chat survey of this conversation with this id, when it was asked; otherwise a 404. */
async function askedSurvey(ctx: AppContext, workspaceId: string, conversationId: string, surveyId: unknown) {
  if (typeof surveyId !== "string" || !/^[0-9a-f-]{36}$/i.test(surveyId)) {
    throw invalid("survey_id", "Name the survey being answered");
  }
  const survey = await findSurvey(ctx.db, workspaceId, surveyId);
  if (
    !survey ||
    survey.conversation_id !== conversationId ||
    survey.channel !== "chat" ||
    survey.state !== "sent"
  ) {
    throw notFound("survey");
  }
  return survey;
}

function refusedAsProblem(error: unknown): never {
  if (error instanceof AnswerRefused) {
    if (error.reason === "invalid") throw invalid("rating", "Choose a rating before adding a comment");
    throw invalid("survey_id", "The answer could not be saved; try again");
  }
  throw error;
}

/** The visitor clicked a choice: recorded through the one answer path, every answer shown to the agent. */
export async function rateChatSurvey(
  ctx: AppContext,
  workspaceId: string,
  conversationId: string,
  input: { survey_id: unknown; rating: unknown },
): Promise<ChatSurvey> {
  const survey = await askedSurvey(ctx, workspaceId, conversationId, input.survey_id);
  const rating = CHOICES.find((c) => c === input.rating);
  if (!rating) throw invalid("rating", `Choose one of ${CHOICES.join(", ")}`);
  await applyRating(ctx, workspaceId, survey, rating, { announceEvery: true }).catch(refusedAsProblem);
  return present(ctx, workspaceId, survey);
}

/** The visitor's optional comment, after a rating (replacing an earlier comment). */
export async function commentChatSurvey(
  ctx: AppContext,
  workspaceId: string,
  conversationId: string,
  input: { survey_id: unknown; comment: unknown },
): Promise<ChatSurvey> {
  const survey = await askedSurvey(ctx, workspaceId, conversationId, input.survey_id);
  if (typeof input.comment !== "string" || !input.comment.trim()) {
    throw invalid("comment", "Write a comment");
  }
  if (input.comment.length > 2000) throw invalid("comment", "A comment can be at most 2000 characters");
  await applyComment(ctx, workspaceId, survey, input.comment).catch(refusedAsProblem);
  return present(ctx, workspaceId, survey);
}
