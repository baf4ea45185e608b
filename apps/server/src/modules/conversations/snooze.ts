import { CompiledQuery } from "kysely";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import { activities, type PendingEvent, } from "./activity.ts";
import { writeActivity } from "./message-service.ts";
import { lockConversation, updateConversationRow } from "./queries.ts";

export const SNOOZE_QUEUE = "conversation-snooze-wake";

interface WakeUp {
  workspace_id: string;
  conversation_id: string;
  /** The snoozed_until this job was scheduled for (ISO). */
  until: string;
}

/** Registered through modules/index.ts moduleJobs, before the job runner starts. */
export function defineSnoozeJobs(ctx: AppContext): void {
  ctx.jobs.define<WakeUp>(
    SNOOZE_QUEUE,
    { retryLimit: 10, retryDelay: 30, retryBackoff: true },
    async (data) => {
      await wakeConversation(ctx, data);
    },
  );
}

/**
 * Schedules the wake-up inside the snoozing transaction (pg-boss writes its job through `trx`), so a
 * snooze is never committed without its wake-up, nor a wake-up without its snooze.
 */
export async function scheduleWakeUp(ctx: AppContext, trx: Db, job: WakeUp): Promise<void> {
  await ctx.jobs.send(SNOOZE_QUEUE, job, {
    startAfter: new Date(job.until),
    db: { executeSql: (text, values) => trx.executeQuery(CompiledQuery.raw(text, values ?? [])) },
  });
}

/**
 * Reopens the conversation if it is still snoozed and due. Every snooze schedules its own job, so a
 * job made stale by a re-snooze (later snoozed_until) or a manual reopen (no longer snoozed) does
 * nothing. The job's own time counts as due, so small clock differences between the database (which
 * started the job) and this process cannot strand a conversation.
 */
export async function wakeConversation(ctx: AppContext, job: WakeUp): Promise<boolean> {
  const now = ctx.now();
  const due = Math.max(now.getTime(), Date.parse(job.until));
  const events: PendingEvent[] = [];
  const woke = await ctx.events.transaction(job.workspace_id, events, async (trx) => {
    const conversation = await lockConversation(trx, job.workspace_id, job.conversation_id);
    if (conversation?.status !== "snoozed" || !conversation.snoozed_until) return false;
    if (new Date(conversation.snoozed_until).getTime() > due) return false;
    const updated = await updateConversationRow(trx, job.workspace_id, conversation.id, {
      status: "open",
      snoozed_until: null,
      updated_at: now,
    });
    await writeActivity(trx, job.workspace_id, updated, null, activities.snoozeEnded(), now, events);
    events.push({
      type: "conversation.updated",
      data: {
        id: conversation.id,
        status: "open",
        changes: ["status", "snoozed_until"],
        cause: "snooze_ended",
      },
    });
    return true;
  });
  return woke;
}
