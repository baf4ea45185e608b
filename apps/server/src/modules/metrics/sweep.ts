import { sql } from "kysely";
import type { AppContext } from "../../context.ts";
import { recomputeConversation } from "./service.ts";

/*
 * Metrics follow events published after each commit; a process that dies between the two leaves a
 * conversation's figures behind its timeline. This sweep walks conversations in order of their last
 * change, behind a watermark it keeps in the database, and recomputes each one whose metrics row is
 * missing or older than that change. Every change is looked at once, in bounded batches; changes
 * younger than GRACE_MS are left to the event path (and to transactions still committing).
 */

export const METRICS_SWEEP_QUEUE = "metrics-sweep";
const GRACE_MS = 2 * 60_000;
const BATCH = 500;
const MAX_BATCHES_PER_RUN = 20;
const START = { at: "-infinity", id: "00000000-0000-0000-0000-000000000000" };

export interface SweepOutcome {
  examined: number;
  recomputed: number;
}

/** Recomputes stale conversations changed since the last sweep; stops early when rollups are busy. */
export async function sweepStaleMetrics(ctx: Pick<AppContext, "db" | "now">): Promise<SweepOutcome> {
  const upTo = new Date(ctx.now().getTime() - GRACE_MS);
  let mark = await readWatermark(ctx);
  const outcome: SweepOutcome = { examined: 0, recomputed: 0 };
  for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
    const rows = await ctx.db
      .selectFrom("conversations as c")
      .leftJoin("conversation_metrics as m", (join) =>
        join.onRef("m.workspace_id", "=", "c.workspace_id").onRef("m.conversation_id", "=", "c.id"),
      )
      .select(["c.workspace_id", "c.id"])
      // As text, so the watermark keeps the database's microseconds (a JS Date would round them off).
      .select(sql<string>`c.updated_at::text`.as("changed_at"))
      .select(sql<boolean>`m.computed_at is null or m.computed_at < c.updated_at`.as("stale"))
      .where(sql<boolean>`(c.updated_at, c.id) > (${mark.at}::timestamptz, ${mark.id}::uuid)`)
      .where("c.updated_at", "<=", upTo)
      .orderBy("c.updated_at")
      .orderBy("c.id")
      .limit(BATCH)
      .execute();
    for (const row of rows) {
      if (row.stale) {
        // A rollup rebuild holds the lock: stop here, the next run starts from this conversation.
        if ((await recomputeConversation(ctx, row.workspace_id, row.id)) === "busy") {
          await saveWatermark(ctx, mark);
          return outcome;
        }
        outcome.recomputed += 1;
      }
      outcome.examined += 1;
      mark = { at: row.changed_at, id: row.id };
    }
    await saveWatermark(ctx, mark);
    if (rows.length < BATCH) break;
  }
  return outcome;
}

async function readWatermark(ctx: Pick<AppContext, "db">) {
  const row = await ctx.db
    .selectFrom("metrics_sweep_state")
    .select([sql<string>`swept_to::text`.as("at"), "swept_id as id"])
    .executeTakeFirst();
  return row ?? START;
}

async function saveWatermark(ctx: Pick<AppContext, "db">, mark: { at: string; id: string }) {
  await ctx.db
    .insertInto("metrics_sweep_state")
    .values({ singleton: true, swept_to: mark.at, swept_id: mark.id })
    .onConflict((oc) => oc.column("singleton").doUpdateSet({ swept_to: mark.at, swept_id: mark.id }))
    .execute();
}
