import { type SqlBool, sql } from "kysely";
import type { Db } from "../../db/database.ts";
import type { Channel, SurveyRating } from "../../db/schema.ts";

export const surveyColumns = [
  "id",
  "conversation_id",
  "contact_id",
  "inbox_id",
  "channel",
  "agent_id",
  "resolved_at",
  "state",
  "skip_reason",
  "language",
  "scheduled_for",
  "sent_at",
  "last_error",
  "created_at",
] as const;

export async function findSurvey(db: Db, workspaceId: string, id: string) {
  return db
    .selectFrom("surveys")
    .select(surveyColumns)
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
}

export type SurveyRow = NonNullable<Awaited<ReturnType<typeof findSurvey>>>;

export async function lockSurvey(trx: Db, workspaceId: string, id: string) {
  return trx
    .selectFrom("surveys")
    .select(surveyColumns)
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirst();
}

export async function setSurveyState(
  db: Db,
  workspaceId: string,
  id: string,
  changes: Partial<
    Pick<SurveyRow, "state" | "skip_reason" | "sent_at" | "last_error" | "language" | "agent_id">
  >,
): Promise<void> {
  await db
    .updateTable("surveys")
    .set(changes)
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .execute();
}

/** Surveys that reached (or are reaching) a contact since `since`, other than `exceptId`. */
export async function surveysSentTo(
  db: Db,
  workspaceId: string,
  contactId: string,
  since: Date,
  exceptId: string,
) {
  const row = await db
    .selectFrom("surveys")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("workspace_id", "=", workspaceId)
    .where("contact_id", "=", contactId)
    .where("state", "in", ["sending", "sent"])
    .where("sent_at", ">", since)
    .where("id", "!=", exceptId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export const responseColumns = [
  "survey_id",
  "rating",
  "comment",
  "responded_at",
  "updated_at",
  "follow_up_conversation_id",
] as const;

export async function lockResponse(trx: Db, workspaceId: string, surveyId: string) {
  return trx
    .selectFrom("survey_responses")
    .select(responseColumns)
    .where("workspace_id", "=", workspaceId)
    .where("survey_id", "=", surveyId)
    .forUpdate()
    .executeTakeFirst();
}

export async function findResponse(db: Db, workspaceId: string, surveyId: string) {
  return db
    .selectFrom("survey_responses")
    .select(responseColumns)
    .where("workspace_id", "=", workspaceId)
    .where("survey_id", "=", surveyId)
    .executeTakeFirst();
}

export type ResponseRow = NonNullable<Awaited<ReturnType<typeof findResponse>>>;

/** Marks a page nonce used; false when it was used before (a replayed request). */
export async function useNonce(trx: Db, workspaceId: string, surveyId: string, nonce: string, at: Date) {
  const row = await trx
    .insertInto("survey_page_nonces")
    .values({ workspace_id: workspaceId, survey_id: surveyId, nonce, used_at: at })
    .onConflict((oc) => oc.doNothing())
    .returning("nonce")
    .executeTakeFirst();
  return row !== undefined;
}

/** True when the conversation is the follow-up of a bad rating: its customer was just surveyed. */
export async function isFollowUp(db: Db, workspaceId: string, conversationId: string): Promise<boolean> {
  const row = await db
    .selectFrom("survey_responses")
    .select("survey_id")
    .where("workspace_id", "=", workspaceId)
    .where("follow_up_conversation_id", "=", conversationId)
    .executeTakeFirst();
  return row !== undefined;
}

export interface CsatFactRow {
  survey_id: string;
  responded_at: Date;
  inbox_id: string;
  channel: Channel;
  agent_id: string | null;
  rating: SurveyRating;
  has_comment: boolean;
}

/** Every response of a workspace as a CSAT fact, in survey id order: what a rollup rebuild adds up. */
export async function csatFactsAfter(
  db: Db,
  workspaceId: string,
  afterSurveyId: string | null,
  limit: number,
): Promise<CsatFactRow[]> {
  let query = db
    .selectFrom("survey_responses as r")
    .innerJoin("surveys as s", (join) =>
      join.onRef("s.workspace_id", "=", "r.workspace_id").onRef("s.id", "=", "r.survey_id"),
    )
    .select([
      "r.survey_id",
      "r.responded_at",
      "s.inbox_id",
      "s.channel",
      "s.agent_id",
      "r.rating",
      sql<boolean>`r.comment is not null`.as("has_comment"),
    ])
    .where("r.workspace_id", "=", workspaceId)
    .orderBy("r.survey_id")
    .limit(limit);
  if (afterSurveyId) query = query.where("r.survey_id", ">", afterSurveyId);
  return query.execute();
}

export interface CommentFilter {
  from: Date;
  to: Date;
  badOnly: boolean;
  agentId?: string;
  inboxId?: string;
  cursor?: [string, string];
  limit: number;
}

/** Survey responses with a comment, or rated okay/bad, newest first (the reports' comments feed). */
export async function commentsPage(db: Db, workspaceId: string, filter: CommentFilter) {
  let query = db
    .selectFrom("survey_responses as r")
    .innerJoin("surveys as s", (join) =>
      join.onRef("s.workspace_id", "=", "r.workspace_id").onRef("s.id", "=", "r.survey_id"),
    )
    .select([
      "r.survey_id",
      "s.conversation_id",
      "s.contact_id",
      "s.inbox_id",
      "s.channel",
      "s.agent_id",
      "r.rating",
      "r.comment",
      "r.responded_at",
      "r.updated_at",
      "r.follow_up_conversation_id",
      sql<string>`to_char(r.responded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as("sort_key"),
    ])
    .where("r.workspace_id", "=", workspaceId)
    .where("r.responded_at", ">=", filter.from)
    .where("r.responded_at", "<", filter.to)
    .where(sql<SqlBool>`(r.comment is not null or r.rating in ('okay', 'bad'))`)
    .orderBy("r.responded_at", "desc")
    .orderBy("r.survey_id", "desc")
    .limit(filter.limit + 1);
  if (filter.badOnly) query = query.where("r.rating", "=", "bad");
  if (filter.agentId) query = query.where("s.agent_id", "=", filter.agentId);
  if (filter.inboxId) query = query.where("s.inbox_id", "=", filter.inboxId);
  if (filter.cursor) {
    const [at, id] = filter.cursor;
    query = query.where(sql<SqlBool>`(r.responded_at, r.survey_id) < (${at}::timestamptz, ${id}::uuid)`);
  }
  return query.execute();
}
