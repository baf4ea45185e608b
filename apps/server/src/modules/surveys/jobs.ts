import type { AppContext } from "../../context.ts";
import { SEND_QUEUE, type SendJob, scheduleOnResolve, sendSurvey, surveyRetry } from "./delivery.ts";
import { type FollowUpJob, openFollowUp } from "./follow-up.ts";
import { FOLLOW_UP_QUEUE } from "./responses.ts";

/** Registered through modules/index.ts moduleJobs. */
export function defineSurveyJobs(ctx: AppContext): void {
  const send = {
    policy: "stately",
    retryLimit: surveyRetry.limit,
    retryDelay: surveyRetry.delaySeconds,
    retryBackoff: surveyRetry.delaySeconds > 0,
  };
  ctx.jobs.define<SendJob>(SEND_QUEUE, send, (data, meta) => sendSurvey(ctx, data, meta));
  const followUp = { policy: "stately", retryLimit: 10, retryDelay: 30, retryBackoff: true };
  ctx.jobs.define<FollowUpJob>(FOLLOW_UP_QUEUE, followUp, (data) => openFollowUp(ctx, data));
}

/** Schedules a survey when a conversation is resolved (a durable listener of the resolution). */
export async function startSurveys(ctx: AppContext): Promise<void> {
  ctx.events.consumers.define({
    name: "surveys",
    types: ["conversation.updated"],
    handle: async (events) => {
      for (const event of events) if (event.data.status === "resolved") await scheduleOnResolve(ctx, event);
    },
  });
}
