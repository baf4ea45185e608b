import type { AppContext } from "../../context.ts";
import { defineStripeActionJobs } from "./actions.ts";
import {
  advanceDunning,
  DUNNING_SWEEP_QUEUE,
  DUNNING_TICK_QUEUE,
  workspacesWithDueDunning,
} from "./dunning.ts";
import { definePauseMailJobs } from "./pause-by-email.ts";

/** Registered through modules/index.ts moduleJobs. */
export function defineBillingJobs(ctx: AppContext): void {
  defineStripeActionJobs(ctx);
  definePauseMailJobs(ctx);
  const tick = { policy: "stately", retryLimit: 10, retryDelay: 30, retryBackoff: true };
  ctx.jobs.define<{ workspace_id: string }>(DUNNING_TICK_QUEUE, tick, (job) =>
    advanceDunning(ctx, job.workspace_id),
  );
  ctx.jobs.define(DUNNING_SWEEP_QUEUE, { retryLimit: 0 }, async () => {
    for (const workspaceId of await workspacesWithDueDunning(ctx)) await advanceDunning(ctx, workspaceId);
  });
}

/** Reminders and grace periods fall due with time alone: a sweep every ten minutes moves them on. */
export async function startBilling(ctx: AppContext): Promise<void> {
  if (ctx.config.runWorker) await ctx.jobs.boss.schedule(DUNNING_SWEEP_QUEUE, "*/10 * * * *", {});
}
