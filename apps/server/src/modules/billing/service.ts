import type { AppContext } from "../../context.ts";
import type { Principal } from "../../http/principal.ts";
import { conflict, notFound } from "../../lib/errors.ts";
import { recordAudit } from "../audit/service.ts";
import { companyExists } from "../companies/service.ts";
import { queueStripeAction } from "./actions.ts";

/** The billing side of a company: subscriptions, dunning cases with their notices, pause choices. */
export async function companyBilling(ctx: AppContext, workspaceId: string, companyId: string) {
  if (!(await companyExists(ctx.db, workspaceId, companyId))) throw notFound("Company");
  const [subscriptions, cases, notices, choices] = await Promise.all([
    ctx.db
      .selectFrom("billing_subscriptions")
      .select(["stripe_subscription_id", "status", "plan", "mrr_cents", "paused", "current_period_end"])
      .where("workspace_id", "=", workspaceId)
      .where("company_id", "=", companyId)
      .orderBy("last_event_at", "desc")
      .execute(),
    ctx.db
      .selectFrom("dunning_cases")
      .select([
        "id",
        "company_id",
        "reason",
        "state",
        "outcome",
        "stripe_invoice_id",
        "opened_at",
        "grace_ends_at",
        "closed_at",
        "action_error",
      ])
      .where("workspace_id", "=", workspaceId)
      .where("company_id", "=", companyId)
      .orderBy("opened_at", "desc")
      .limit(20)
      .execute(),
    ctx.db
      .selectFrom("dunning_notices as n")
      .innerJoin("dunning_cases as c", (join) =>
        join.onRef("c.workspace_id", "=", "n.workspace_id").onRef("c.id", "=", "n.case_id"),
      )
      .select(["n.case_id", "n.step", "n.to_email", "n.subject", "n.conversation_id", "n.sent_at"])
      .where("n.workspace_id", "=", workspaceId)
      .where("c.company_id", "=", companyId)
      .orderBy("n.step")
      .execute(),
    ctx.db
      .selectFrom("cancellation_choices")
      .select(["id", "choice", "months", "reason", "stripe_state", "stripe_error", "created_at"])
      .where("workspace_id", "=", workspaceId)
      .where("company_id", "=", companyId)
      .orderBy("created_at", "desc")
      .limit(20)
      .execute(),
  ]);
  return {
    company_id: companyId,
    subscriptions: subscriptions.map((s) => ({ ...s, mrr_cents: Number(s.mrr_cents) })),
    dunning: cases.map((c) => ({
      ...c,
      notices: notices.filter((n) => n.case_id === c.id).map(({ case_id: _, ...n }) => n),
    })),
    choices,
  };
}

/** The subscription a pause, resume or cancel acts on: the company's most recent live one. */
export async function liveSubscriptionOf(ctx: AppContext, workspaceId: string, companyId: string) {
  const row = await ctx.db
    .selectFrom("billing_subscriptions")
    .select(["stripe_subscription_id", "status", "paused"])
    .where("workspace_id", "=", workspaceId)
    .where("company_id", "=", companyId)
    .where("status", "!=", "canceled")
    .orderBy("last_event_at", "desc")
    .executeTakeFirst();
  return row;
}

/** Records a choice (the customer's, or an agent's one-click resume) and asks Stripe to carry it out. */
export async function recordChoice(
  ctx: AppContext,
  workspaceId: string,
  companyId: string,
  input: { choice: "pause" | "downgrade" | "cancel" | "resume"; months?: number; reason?: string | null },
  actor: Principal | null,
) {
  const subscription = await liveSubscriptionOf(ctx, workspaceId, companyId);
  // A page submitted twice (a double click, a reload) records one choice and acts once.
  const months = input.choice === "pause" ? (input.months ?? 1) : null;
  const repeated = await ctx.db
    .selectFrom("cancellation_choices")
    .select(["id", "choice", "months", "reason", "stripe_state", "stripe_error", "created_at"])
    .where("workspace_id", "=", workspaceId)
    .where("company_id", "=", companyId)
    .where("choice", "=", input.choice)
    .where("created_at", ">", new Date(ctx.now().getTime() - 10 * 60_000))
    .orderBy("created_at", "desc")
    .executeTakeFirst();
  if (repeated && repeated.months === months) return repeated;
  const choice = await ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto("cancellation_choices")
      .values({
        workspace_id: workspaceId,
        company_id: companyId,
        choice: input.choice,
        months,
        reason: input.reason?.trim().slice(0, 2000) || null,
        stripe_state: subscription ? "pending" : "skipped",
        stripe_error: subscription ? null : "No Stripe subscription on record",
        created_at: ctx.now(),
      })
      .returning(["id", "choice", "months", "reason", "stripe_state", "stripe_error", "created_at"])
      .executeTakeFirstOrThrow();
    if (actor)
      await recordAudit(trx, actor, {
        action: `billing.${input.choice}`,
        targetType: "company",
        targetId: companyId,
        data: { choice_id: row.id },
      });
    return row;
  });
  if (subscription)
    await queueStripeAction(ctx, {
      workspace_id: workspaceId,
      kind: input.choice,
      subscription_id: subscription.stripe_subscription_id,
      months: choice.months ?? undefined,
      choice_id: choice.id,
    });
  // The agent team hears of it at once, in the app and through webhooks.
  await ctx.events.publish(workspaceId, "billing.choice", {
    company_id: companyId,
    choice: input.choice,
    months: choice.months,
    reason: choice.reason,
    by: actor ? "agent" : "customer",
  });
  return choice;
}

export async function resumeCompany(ctx: AppContext, principal: Principal, companyId: string) {
  if (!(await companyExists(ctx.db, principal.workspaceId, companyId))) throw notFound("Company");
  const subscription = await liveSubscriptionOf(ctx, principal.workspaceId, companyId);
  if (!subscription?.paused) throw conflict("not_paused", "This company has no paused subscription");
  return recordChoice(ctx, principal.workspaceId, companyId, { choice: "resume" }, principal);
}
