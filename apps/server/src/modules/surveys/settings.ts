import type { Static } from "typebox";
import type { UpdateSurveySettingsBody } from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { Principal } from "../../http/principal.ts";
import { recordAudit } from "../audit/service.ts";
import { getInbox } from "../inboxes/service.ts";

export type SurveySettingsInput = Static<typeof UpdateSurveySettingsBody>;

export interface SurveySettings {
  enabled: boolean;
  delay_minutes: number;
  question: string | null;
  min_days_between: number;
}

/** A new inbox sends no surveys until someone switches them on. */
export const DEFAULT_SURVEY_SETTINGS: SurveySettings = {
  enabled: false,
  delay_minutes: 60,
  question: null,
  min_days_between: 30,
};

const columns = ["enabled", "delay_minutes", "question", "min_days_between", "updated_at"] as const;

/** The inbox's survey settings, the defaults when never set. */
export async function surveySettingsOf(db: Db, workspaceId: string, inboxId: string) {
  const row = await db
    .selectFrom("survey_settings")
    .select(columns)
    .where("workspace_id", "=", workspaceId)
    .where("inbox_id", "=", inboxId)
    .executeTakeFirst();
  return row ?? { ...DEFAULT_SURVEY_SETTINGS, updated_at: null };
}

export async function showSurveySettings(ctx: AppContext, principal: Principal, inboxId: string) {
  await getInbox(ctx.db, principal.workspaceId, inboxId);
  return { inbox_id: inboxId, ...(await surveySettingsOf(ctx.db, principal.workspaceId, inboxId)) };
}

/** Replaces the inbox's settings; fields left out keep their current value. */
export async function saveSurveySettings(
  ctx: AppContext,
  principal: Principal,
  inboxId: string,
  input: SurveySettingsInput,
) {
  const saved = await ctx.db.transaction().execute(async (trx) => {
    await getInbox(trx, principal.workspaceId, inboxId);
    const current = await surveySettingsOf(trx, principal.workspaceId, inboxId);
    const question = input.question === undefined ? current.question : input.question?.trim() || null;
    const values = {
      enabled: input.enabled,
      delay_minutes: input.delay_minutes ?? current.delay_minutes,
      question,
      min_days_between: input.min_days_between ?? current.min_days_between,
      updated_at: ctx.now(),
    };
    const row = await trx
      .insertInto("survey_settings")
      .values({ workspace_id: principal.workspaceId, inbox_id: inboxId, ...values })
      .onConflict((oc) => oc.columns(["workspace_id", "inbox_id"]).doUpdateSet(values))
      .returning(columns)
      .executeTakeFirstOrThrow();
    await recordAudit(trx, principal, {
      action: "inbox.survey_settings_updated",
      targetType: "inbox",
      targetId: inboxId,
      data: {
        enabled: row.enabled,
        delay_minutes: row.delay_minutes,
        min_days_between: row.min_days_between,
      },
    });
    await ctx.events.record(trx, principal.workspaceId, [{ type: "inbox.updated", data: { id: inboxId } }]);
    return row;
  });
  return { inbox_id: inboxId, ...saved };
}
