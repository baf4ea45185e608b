import type { Db } from "../../db/database.ts";
import type { SurveyRating } from "../../db/schema.ts";

export interface ContactRating {
  contact_id: string;
  rating: SurveyRating;
  comment: string | null;
  responded_at: Date;
  follow_up_conversation_id: string | null;
}

/** Survey answers of these contacts since a moment, for customer health (see modules/health). */
export async function ratingsOfContacts(
  db: Db,
  workspaceId: string,
  contactIds: readonly string[],
  since: Date,
): Promise<ContactRating[]> {
  if (contactIds.length === 0) return [];
  const rows = await db
    .selectFrom("survey_responses as r")
    .innerJoin("surveys as s", (join) =>
      join.onRef("s.workspace_id", "=", "r.workspace_id").onRef("s.id", "=", "r.survey_id"),
    )
    .select(["s.contact_id", "r.rating", "r.comment", "r.responded_at", "r.follow_up_conversation_id"])
    .where("r.workspace_id", "=", workspaceId)
    .where("s.contact_id", "in", [...contactIds])
    .where("r.responded_at", ">=", since)
    .execute();
  return rows.map((r) => ({ ...r, responded_at: new Date(r.responded_at) }));
}

/** The contact who answered a survey (survey events name the survey, health needs the customer). */
export async function contactOfSurvey(db: Db, workspaceId: string, surveyId: string) {
  const row = await db
    .selectFrom("surveys")
    .select("contact_id")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", surveyId)
    .executeTakeFirst();
  return row?.contact_id;
}
