import type { AppContext } from "../../context.ts";
import { onBounce } from "../email/service.ts";
import { onSequenceBounce } from "./bounces.ts";
import { onConversationEvents } from "./interruptions.ts";
import { sendStep, STEP_QUEUE, type StepJob, TICK_QUEUE, tick } from "./scheduler.ts";

/** Step sends retry a temporary failure with backoff (about an hour in all); the tick never retries, the next one runs in a minute. */
export function defineSequenceJobs(ctx: AppContext): void {
  // Registered with the queues, before any stored bounce can be processed.
  onBounce(ctx, onSequenceBounce);
  ctx.jobs.define<StepJob>(STEP_QUEUE, { retryLimit: 6, retryDelay: 60, retryBackoff: true }, (data) =>
    sendStep(ctx, data),
  );
  ctx.jobs.define(TICK_QUEUE, { retryLimit: 0, expireInSeconds: 600 }, async () => {
    await tick(ctx);
  });
}

/** Listens durably for human conversations and ticks every minute. */
export async function startSequences(ctx: AppContext): Promise<void> {
  ctx.events.consumers.define({
    name: "sequences",
    types: ["conversation.created", "conversation.updated", "message.created", "message.updated"],
    handle: (events) => onConversationEvents(ctx, events),
  });
  await ctx.jobs.boss.schedule(TICK_QUEUE, "* * * * *", {});
}
