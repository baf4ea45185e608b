import { CompiledQuery, sql } from "kysely";
import type { AppContext } from "../../context.ts";
import type { SurveyRating } from "../../db/schema.ts";
import type { WorkspaceEvent } from "../../events/types.ts";
import { getContact } from "../contacts/service.ts";
import { getConversation } from "../conversations/service.ts";
import { normalizeAddress } from "../email/addresses.ts";
import { getEmailInbox, smtpTargetOf } from "../email/outbound/smtp-settings.ts";
import { outboxDirectory, sendMail } from "../email/outbound/transport.ts";
import { findMetrics, recomputeConversation } from "../metrics/service.ts";
import { tagsOfConversations } from "../tags/service.ts";
import { composeSurveyMail } from "./email.ts";
import { isLanguage, type Language } from "./i18n.ts";
import { findSurvey, isFollowUp, setSurveyState, type SurveyRow, surveysSentTo } from "./queries.ts";
import { surveySettingsOf } from "./settings.ts";
import { CHOICES, LINK_DAYS, signSurveyLink } from "./tokens.ts";

export const SEND_QUEUE = "survey-send";
const DAY = 86_400_000;
/** Retries of a send that failed for a reason that may pass; tests shorten them. */
export const surveyRetry = { limit: 8, delaySeconds: 120 };
/** Customer addresses that belong to robots: never surveyed. */
const ROBOT_LOCAL_PART =
  /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?|notifications?)([+._-]|$)/i;

export interface SendJob {
  workspace_id: string;
  survey_id: string;
}

/**
 * On resolve: when the inbox asks for surveys, records a scheduled survey for this resolve and its
 * send job, in one transaction (pg-boss writes the job through it). A resolve is surveyed at most
 * once, however often its event is seen; a later resolve (after a reopen) is a new one.
 */
export async function scheduleOnResolve(ctx: AppContext, event: WorkspaceEvent): Promise<void> {
  const data = event.data;
  const changes = Array.isArray(data.changes) ? data.changes : [];
  if (event.type !== "conversation.updated" || data.status !== "resolved" || !changes.includes("status"))
    return;
  if (typeof data.id !== "string") return;
  const workspaceId = event.workspace_id;
  const conversation = await getConversation(ctx.db, workspaceId, data.id);
  if (conversation.status !== "resolved" || !conversation.resolved_at) return;
  const settings = await surveySettingsOf(ctx.db, workspaceId, conversation.inbox_id);
  if (!settings.enabled) return;
  const resolvedAt = new Date(conversation.resolved_at);
  const startAfter = new Date(resolvedAt.getTime() + settings.delay_minutes * 60_000);
  await ctx.db.transaction().execute(async (trx) => {
    const survey = await trx
      .insertInto("surveys")
      .values({
        workspace_id: workspaceId,
        conversation_id: conversation.id,
        contact_id: conversation.contact_id,
        inbox_id: conversation.inbox_id,
        channel: conversation.channel,
        agent_id: conversation.assignee_id,
        resolved_at: resolvedAt,
        state: "scheduled",
        scheduled_for: startAfter,
      })
      .onConflict((oc) => oc.doNothing())
      .returning("id")
      .executeTakeFirst();
    if (!survey) return;
    await ctx.jobs.send<SendJob>(
      SEND_QUEUE,
      { workspace_id: workspaceId, survey_id: survey.id },
      {
        startAfter,
        singletonKey: survey.id,
        db: { executeSql: (text, values) => trx.executeQuery(CompiledQuery.raw(text, values ?? [])) },
      },
    );
  });
}

type Verdict = { send: true; language: Language; agentId: string | null } | { send: false; reason: string };

/** Every condition, checked again when the survey is due: much can change during the delay. */
async function checkConditions(ctx: AppContext, survey: SurveyRow, workspaceId: string): Promise<Verdict> {
  const settings = await surveySettingsOf(ctx.db, workspaceId, survey.inbox_id);
  if (!settings.enabled) return { send: false, reason: "surveys_disabled" };
  const conversation = await getConversation(ctx.db, workspaceId, survey.conversation_id).catch(() => null);
  if (!conversation) return { send: false, reason: "conversation_gone" };
  const resolvedAt = conversation.resolved_at ? new Date(conversation.resolved_at).getTime() : null;
  if (conversation.status !== "resolved" || resolvedAt !== new Date(survey.resolved_at).getTime()) {
    return { send: false, reason: "reopened" };
  }
  // Email sends a message, the chat widget asks inline; callbacks and API conversations are not asked.
  if (conversation.channel !== "email" && conversation.channel !== "chat")
    return { send: false, reason: "channel_without_surveys" };
  const tags = (await tagsOfConversations(ctx.db, workspaceId, [conversation.id])).get(conversation.id) ?? [];
  if (tags.some((t) => t.name.toLowerCase() === "spam")) return { send: false, reason: "spam" };
  if (await isFollowUp(ctx.db, workspaceId, conversation.id))
    return { send: false, reason: "follow_up_of_a_rating" };
  await recomputeConversation(ctx, workspaceId, conversation.id);
  const metrics = await findMetrics(ctx.db, workspaceId, conversation.id);
  if (!metrics?.requested_at) return { send: false, reason: "no_customer_request" };
  if (metrics.replies === 0) return { send: false, reason: "no_human_reply" };
  const contact = await getContact(ctx.db, workspaceId, survey.contact_id).catch(() => null);
  if (!contact) return { send: false, reason: "contact_gone" };
  if (conversation.channel === "email") {
    const address = normalizeAddress(contact.email ?? null);
    if (!address) return { send: false, reason: "no_email_address" };
    if (ROBOT_LOCAL_PART.test(address.split("@")[0])) return { send: false, reason: "automated_address" };
  }
  const attributes = (contact.attributes ?? {}) as Record<string, unknown>;
  const wanted = String(attributes.language ?? attributes.locale ?? "")
    .toLowerCase()
    .split(/[-_]/)[0];
  return {
    send: true,
    language: isLanguage(wanted) ? wanted : "en",
    agentId: survey.agent_id ?? metrics.agent_id,
  };
}

/**
 * The send job. The survey is claimed ("sending") in a transaction that also enforces "one survey
 * per contact per N days" under a per-contact lock, so two due surveys cannot both pass; a mail that
 * certainly failed puts it back for a retry, and one whose fate is unknown (a crash mid-send) is
 * never sent twice.
 */
export async function sendSurvey(ctx: AppContext, job: SendJob, meta: { retryCount: number }): Promise<void> {
  const workspaceId = job.workspace_id;
  const survey = await findSurvey(ctx.db, workspaceId, job.survey_id);
  if (survey?.state !== "scheduled") return;
  const verdict = await checkConditions(ctx, survey, workspaceId);
  if (!verdict.send) {
    await setSurveyState(ctx.db, workspaceId, survey.id, { state: "skipped", skip_reason: verdict.reason });
    return;
  }
  const settings = await surveySettingsOf(ctx.db, workspaceId, survey.inbox_id);
  const now = ctx.now();
  const claimed = await ctx.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`survey-contact:${survey.contact_id}`}, 0))`.execute(
      trx,
    );
    const current = await findSurvey(trx, workspaceId, survey.id);
    if (current?.state !== "scheduled") return "gone";
    const since = new Date(now.getTime() - settings.min_days_between * DAY);
    if (
      settings.min_days_between > 0 &&
      (await surveysSentTo(trx, workspaceId, survey.contact_id, since, survey.id)) > 0
    ) {
      await setSurveyState(trx, workspaceId, survey.id, {
        state: "skipped",
        skip_reason: "recently_surveyed",
      });
      return "skipped";
    }
    await setSurveyState(trx, workspaceId, survey.id, {
      state: "sending",
      sent_at: now,
      language: verdict.language,
      agent_id: verdict.agentId,
    });
    return "claimed";
  });
  if (claimed !== "claimed") return;
  if (survey.channel === "chat") {
    // Nothing to deliver: the widget shows the question to the visitor's open sockets (and on connect).
    await setSurveyState(ctx.db, workspaceId, survey.id, { state: "sent", last_error: null });
    await ctx.events.publish(workspaceId, "survey.sent", {
      survey_id: survey.id,
      conversation_id: survey.conversation_id,
      channel: "chat",
    });
    return;
  }

  try {
    const { target, fromName } = await smtpTargetOf(ctx, workspaceId, survey.inbox_id);
    const mail = await buildMail(ctx, workspaceId, survey, {
      language: verdict.language,
      question: settings.question,
      fromName,
      now,
    });
    await sendMail(target, outboxDirectory(ctx.config.dataDir), mail);
    await setSurveyState(ctx.db, workspaceId, survey.id, { state: "sent", last_error: null });
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error))
      .replace(/\s+/g, " ")
      .slice(0, 500);
    const last = meta.retryCount >= surveyRetry.limit;
    await setSurveyState(ctx.db, workspaceId, survey.id, {
      state: last ? "failed" : "scheduled",
      last_error: reason,
      ...(last ? {} : { sent_at: null }),
    });
    if (!last) throw error;
  }
}

async function buildMail(
  ctx: AppContext,
  workspaceId: string,
  survey: SurveyRow,
  options: { language: Language; question: string | null; fromName: string | null; now: Date },
) {
  const { language, question, now } = options;
  const inbox = await getEmailInbox(ctx.db, workspaceId, survey.inbox_id);
  const contact = await getContact(ctx.db, workspaceId, survey.contact_id);
  const conversation = await getConversation(ctx.db, workspaceId, survey.conversation_id);
  const expiresAt = new Date(now.getTime() + LINK_DAYS * DAY);
  const links = Object.fromEntries(
    CHOICES.map((choice) => [choice, surveyUrl(ctx, { workspaceId, survey, choice, expiresAt })]),
  ) as Record<SurveyRating, string>;
  return composeSurveyMail({
    language,
    question,
    contactName: contact.name,
    conversationNumber: conversation.number,
    conversationSubject: conversation.subject,
    links,
    from: { name: options.fromName ?? inbox.name, address: inbox.address },
    to: { name: contact.name, address: contact.email! },
  });
}

export function surveyUrl(
  ctx: Pick<AppContext, "config">,
  input: {
    workspaceId: string;
    survey: Pick<SurveyRow, "id" | "conversation_id">;
    choice: SurveyRating;
    expiresAt: Date;
  },
): string {
  const token = signSurveyLink(ctx.config.secret, {
    workspaceId: input.workspaceId,
    conversationId: input.survey.conversation_id,
    surveyId: input.survey.id,
    choice: input.choice,
    expiresAt: input.expiresAt,
  });
  return `${ctx.config.baseUrl}/survey/${token}`;
}
