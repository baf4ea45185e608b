import type { Static } from "typebox";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { Principal } from "../../http/principal.ts";
import { invalid } from "../../lib/errors.ts";
import { secretBox } from "../../lib/secret-box.ts";
import { recordAudit } from "../audit/service.ts";
import { getInbox } from "../inboxes/service.ts";
import { getMember } from "../workspaces/service.ts";
import type { BillingSettingsBody } from "./schemas.ts";

const box = (ctx: AppContext) => secretBox(ctx.config.secret, "stripe");

export interface BillingConfig {
  secretKey: string | null;
  webhookSecret: string | null;
  grace_days: number;
  reminder_days: number[];
  after_grace: "pause" | "cancel" | "none";
  sender_agent_id: string | null;
  inbox_id: string | null;
  update_card_url: string | null;
  downgrade_plan: string | null;
}

const DEFAULTS: BillingConfig = {
  secretKey: null,
  webhookSecret: null,
  grace_days: 14,
  reminder_days: [0, 3, 7],
  after_grace: "pause",
  sender_agent_id: null,
  inbox_id: null,
  update_card_url: null,
  downgrade_plan: null,
};

/** The workspace's billing configuration with its Stripe credentials opened; defaults when unset. */
export async function billingConfigOf(ctx: AppContext, db: Db, workspaceId: string): Promise<BillingConfig> {
  const row = await db
    .selectFrom("billing_settings")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .executeTakeFirst();
  if (!row) return { ...DEFAULTS };
  return {
    secretKey: row.stripe_secret_key ? box(ctx).open(row.stripe_secret_key) : null,
    webhookSecret: row.stripe_webhook_secret ? box(ctx).open(row.stripe_webhook_secret) : null,
    grace_days: row.grace_days,
    reminder_days: [...row.reminder_days].sort((a, b) => a - b),
    after_grace: row.after_grace,
    sender_agent_id: row.sender_agent_id,
    inbox_id: row.inbox_id,
    update_card_url: row.update_card_url,
    downgrade_plan: row.downgrade_plan,
  };
}

export function webhookUrlOf(ctx: AppContext, workspaceId: string): string {
  return `${ctx.config.baseUrl}/api/v1/billing/stripe/webhook/${workspaceId}`;
}

/** What the API shows: never the credentials themselves. */
export function presentSettings(ctx: AppContext, workspaceId: string, config: BillingConfig) {
  const { secretKey, webhookSecret, ...rest } = config;
  return {
    stripe_connected: secretKey !== null,
    stripe_key_hint: secretKey ? secretKey.slice(-4) : null,
    webhook_secret_set: webhookSecret !== null,
    webhook_url: webhookUrlOf(ctx, workspaceId),
    ...rest,
  };
}

export async function saveBillingSettings(
  ctx: AppContext,
  principal: Principal,
  input: Static<typeof BillingSettingsBody>,
) {
  const ws = principal.workspaceId;
  const saved = await ctx.db.transaction().execute(async (trx) => {
    if (input.inbox_id) {
      const inbox = await getInbox(trx, ws, input.inbox_id).catch(() => undefined);
      if (!inbox) throw invalid("inbox_id", "No inbox with this id in this workspace");
    }
    if (input.sender_agent_id && !(await getMember(trx, ws, input.sender_agent_id)))
      throw invalid("sender_agent_id", "No agent with this id in this workspace");
    const current = await billingConfigOf(ctx, trx, ws);
    const pick = <K extends keyof BillingConfig>(key: K, value: BillingConfig[K] | undefined) =>
      value === undefined ? current[key] : value;
    const next: BillingConfig = {
      secretKey: pick("secretKey", input.stripe_secret_key),
      webhookSecret: pick("webhookSecret", input.stripe_webhook_secret),
      grace_days: pick("grace_days", input.grace_days),
      reminder_days: pick("reminder_days", input.reminder_days)
        .slice()
        .sort((a, b) => a - b),
      after_grace: pick("after_grace", input.after_grace),
      sender_agent_id: pick("sender_agent_id", input.sender_agent_id),
      inbox_id: pick("inbox_id", input.inbox_id),
      update_card_url: pick("update_card_url", input.update_card_url),
      downgrade_plan: pick("downgrade_plan", input.downgrade_plan),
    };
    const values = {
      stripe_secret_key: next.secretKey ? box(ctx).seal(next.secretKey) : null,
      stripe_webhook_secret: next.webhookSecret ? box(ctx).seal(next.webhookSecret) : null,
      grace_days: next.grace_days,
      reminder_days: next.reminder_days,
      after_grace: next.after_grace,
      sender_agent_id: next.sender_agent_id,
      inbox_id: next.inbox_id,
      update_card_url: next.update_card_url,
      downgrade_plan: next.downgrade_plan,
      updated_at: ctx.now(),
    };
    await trx
      .insertInto("billing_settings")
      .values({ workspace_id: ws, ...values })
      .onConflict((oc) => oc.column("workspace_id").doUpdateSet(values))
      .execute();
    await recordAudit(trx, principal, {
      action: "billing.settings_updated",
      targetType: "workspace",
      targetId: ws,
      // Which fields changed, never the credentials' values.
      data: { changed: Object.keys(input) },
    });
    return next;
  });
  return presentSettings(ctx, ws, saved);
}
