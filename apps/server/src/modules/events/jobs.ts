import { sql } from "kysely";
import type { AppContext } from "../../context.ts";

export const RETRY_PARKED_QUEUE = "events-retry-parked";
const PRUNE_QUEUE = "events-prune";
/** Handled events stay this long: to read what happened, and for a listener added later. */
const KEEP_HANDLED = "3 days";

export interface RetryParkedJob {
  workspace_id: string;
  consumer: string;
  event_id: string;
}

/** Registered through modules/index.ts moduleJobs. */
export function defineEventJobs(ctx: AppContext): void {
  ctx.jobs.define<RetryParkedJob>(RETRY_PARKED_QUEUE, { retryLimit: 0 }, async (job) => {
    await ctx.events.consumers.retryParked(job.workspace_id, job.consumer, job.event_id);
  });
  ctx.jobs.define(PRUNE_QUEUE, { retryLimit: 0 }, async () => {
    await pruneHandledEvents(ctx);
  });
}

export async function startEvents(ctx: AppContext): Promise<void> {
  if (ctx.config.runWorker) await ctx.jobs.boss.schedule(PRUNE_QUEUE, "23 * * * *", {});
}

/** Deletes old events every listener has read past; returns how many went. */
export async function pruneHandledEvents(ctx: AppContext): Promise<number> {
  const names = ctx.events.consumers.names();
  if (names.length === 0) return 0;
  const result = await sql`
    delete from event_outbox
    where created_at < now() - ${KEEP_HANDLED}::interval
      and (tx, seq) <= (
        select pos_tx, pos_seq from event_consumers where name in (${sql.join(names)})
        order by pos_tx, pos_seq limit 1
      )
      and (select count(*) from event_consumers where name in (${sql.join(names)})) = ${names.length}`.execute(
    ctx.db,
  );
  return Number(result.numAffectedRows ?? 0);
}
