import type { AppContext } from "../../context.ts";
import { billingConfigOf } from "./settings.ts";
import { stripeClient } from "./stripe-client.ts";

export const STRIPE_ACTION_QUEUE = "billing-stripe-action";

/** Retries of a Stripe call that failed: with backoff, each attempt's error kept on the record. */
export const stripeRetry = { limit: 8, delaySeconds: 10 };

export interface StripeActionJob {
  workspace_id: string;
  kind: "pause" | "resume" | "cancel" | "downgrade";
  subscription_id: string;
  months?: number;
  /** The record the outcome is written back to: a customer's choice or a dunning case. */
  choice_id?: string;
  case_id?: string;
}

export async function queueStripeAction(ctx: AppContext, job: StripeActionJob): Promise<void> {
  await ctx.jobs.send<StripeActionJob>(STRIPE_ACTION_QUEUE, job, {
    singletonKey: job.choice_id ?? job.case_id ?? `${job.kind}:${job.subscription_id}`,
  });
}

export function defineStripeActionJobs(ctx: AppContext): void {
  const options = {
    policy: "stately",
    retryLimit: stripeRetry.limit,
    retryDelay: stripeRetry.delaySeconds,
    retryBackoff: true,
  };
  ctx.jobs.define<StripeActionJob>(STRIPE_ACTION_QUEUE, options, (job) => runStripeAction(ctx, job));
}

/**
 * Pauses, resumes, cancels or downgrades a subscription through the Stripe SDK. The idempotency
 * key is the record's id, so a retry after a lost answer does not act twice at Stripe either.
 * The state the webhook then reports is what the company shows.
 */
export async function runStripeAction(ctx: AppContext, job: StripeActionJob): Promise<void> {
  const ws = job.workspace_id;
  const config = await billingConfigOf(ctx, ctx.db, ws);
  if (!config.secretKey) {
    await record(ctx, job, "skipped", "Stripe is not connected");
    return;
  }
  const stripe = stripeClient(ctx, config.secretKey);
  const idempotencyKey = `keepwell-${job.kind}-${job.choice_id ?? job.case_id ?? job.subscription_id}`;
  try {
    if (job.kind === "pause") {
      const resumesAt = Math.floor(ctx.now().getTime() / 1000) + (job.months ?? 1) * 30 * 86_400;
      await stripe.subscriptions.update(
        job.subscription_id,
        { pause_collection: { behavior: "void", resumes_at: resumesAt } },
        { idempotencyKey },
      );
    } else if (job.kind === "resume") {
      await stripe.subscriptions.update(job.subscription_id, { pause_collection: "" }, { idempotencyKey });
    } else if (job.kind === "cancel") {
      await stripe.subscriptions.cancel(job.subscription_id, {}, { idempotencyKey });
    } else {
      if (!config.downgrade_plan) throw new Error("No cheaper plan is configured");
      const subscription = await stripe.subscriptions.retrieve(job.subscription_id);
      const item = subscription.items.data[0];
      await stripe.subscriptions.update(
        job.subscription_id,
        { items: [{ id: item.id, price: config.downgrade_plan }], proration_behavior: "none" },
        { idempotencyKey },
      );
    }
  } catch (error) {
    await record(ctx, job, "failed", (error as Error).message.slice(0, 500));
    throw error; // the queue retries with backoff
  }
  await record(ctx, job, "done", null);
}

async function record(
  ctx: AppContext,
  job: StripeActionJob,
  state: "done" | "failed" | "skipped",
  error: string | null,
): Promise<void> {
  if (job.choice_id) {
    await ctx.db
      .updateTable("cancellation_choices")
      .set({ stripe_state: state, stripe_error: error })
      .where("workspace_id", "=", job.workspace_id)
      .where("id", "=", job.choice_id)
      .execute();
  }
  if (job.case_id) {
    await ctx.db
      .updateTable("dunning_cases")
      .set({ action_error: state === "done" ? null : error })
      .where("workspace_id", "=", job.workspace_id)
      .where("id", "=", job.case_id)
      .execute();
  }
}
