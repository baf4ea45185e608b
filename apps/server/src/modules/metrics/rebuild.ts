import type { AppContext } from "../../context.ts";
import { csatFactsAfter } from "../surveys/queries.ts";
import { computeMetrics } from "./conversation-metrics.ts";
import { replaceRollups } from "./rollup-store.ts";
import { RollupDelta } from "./rollups.ts";
import { contributionsAfter, lockRollupsExclusively, saveMetrics, workspaceClock } from "./service.ts";
import { timelinesAfter } from "./timeline-source.ts";

const TIMELINE_BATCH = 1000;
const READ_BATCH = 10_000;

export interface RebuildResult {
  conversations: number;
  responses: number;
  dailyRows: number;
}

/**
 * Recomputes every conversation's metrics with the current definitions and settings, then replaces
 * the workspace's rollups with the sum of all contributions. Metrics are recomputed in batches, each
 * under the exclusive rollup lock, so the embedded database can serve requests in between; the
 * rollups are then replaced in one transaction from the stored rows, so whatever changed between
 * batches is counted exactly once.
 */
export async function rebuildWorkspaceRollups(
  ctx: Pick<AppContext, "db" | "now">,
  workspaceId: string,
  onProgress: (message: string) => void = () => {},
): Promise<RebuildResult> {
  const clock = await workspaceClock(ctx, workspaceId);
  let after: string | null = null;
  let conversations = 0;
  for (;;) {
    const ids: string[] = await ctx.db.transaction().execute(async (trx) => {
      await lockRollupsExclusively(trx, workspaceId);
      const timelines = await timelinesAfter(trx, workspaceId, after, TIMELINE_BATCH);
      const items = [...timelines.entries()].map(([conversationId, t]) => ({
        conversationId,
        metrics: computeMetrics(t.conversation, t.messages, clock.schedule),
      }));
      await saveMetrics(trx, workspaceId, items, ctx.now());
      return [...timelines.keys()];
    });
    if (ids.length === 0) break;
    conversations += ids.length;
    after = ids[ids.length - 1];
    if (conversations % (TIMELINE_BATCH * 20) === 0) onProgress(`${conversations} conversations recomputed`);
  }

  return ctx.db.transaction().execute(async (trx) => {
    await lockRollupsExclusively(trx, workspaceId);
    const totals = new RollupDelta();
    let last: string | null = null;
    for (;;) {
      const rows = await contributionsAfter(trx, workspaceId, last, READ_BATCH);
      for (const row of rows) totals.addMetrics(row, 1);
      if (rows.length < READ_BATCH) break;
      last = rows[rows.length - 1].conversation_id;
    }
    onProgress(`added up ${conversations} conversations' figures`);
    let responses = 0;
    let lastSurvey: string | null = null;
    for (;;) {
      const facts = await csatFactsAfter(trx, workspaceId, lastSurvey, READ_BATCH);
      for (const fact of facts) totals.addCsat(fact, clock.schedule.timeZone, 1);
      responses += facts.length;
      if (facts.length < READ_BATCH) break;
      lastSurvey = facts[facts.length - 1].survey_id;
    }
    await replaceRollups(trx, workspaceId, totals);
    onProgress(`wrote ${totals.changed("agent").length} daily rollup rows`);
    const state = { settings_fingerprint: clock.fingerprint, rebuilt_at: ctx.now() };
    await trx
      .insertInto("report_rollup_state")
      .values({ workspace_id: workspaceId, ...state })
      .onConflict((oc) => oc.column("workspace_id").doUpdateSet(state))
      .execute();
    return { conversations, responses, dailyRows: totals.changed("agent").length };
  });
}

/** The fingerprint the workspace's rollups were last rebuilt with, if ever. */
export async function rebuiltFingerprint(ctx: Pick<AppContext, "db">, workspaceId: string) {
  const row = await ctx.db
    .selectFrom("report_rollup_state")
    .select("settings_fingerprint")
    .where("workspace_id", "=", workspaceId)
    .executeTakeFirst();
  return row?.settings_fingerprint ?? null;
}

/**
 * Rebuilds the rollups of one workspace (by slug) or of all of them: what `keepwell rebuild-rollups`
 * runs after a change of metric definitions.
 */
export async function rebuildAllRollups(
  ctx: Pick<AppContext, "db" | "now">,
  options: { slug?: string; onProgress?: (message: string) => void } = {},
): Promise<{ workspaces: number; conversations: number }> {
  const progress = options.onProgress ?? (() => {});
  // TODO(workspaces): use a workspace listing exported by the workspaces module once there is one.
  let query = ctx.db.selectFrom("workspaces").select(["id", "slug"]).orderBy("slug");
  if (options.slug) query = query.where("slug", "=", options.slug);
  const workspaces = await query.execute();
  if (options.slug && workspaces.length === 0)
    throw new Error(`no workspace with the slug "${options.slug}"`);
  let conversations = 0;
  for (const workspace of workspaces) {
    const result = await rebuildWorkspaceRollups(ctx, workspace.id, progress);
    conversations += result.conversations;
    progress(
      `${workspace.slug}: ${result.conversations} conversations, ${result.responses} survey responses, ${result.dailyRows} daily rollup rows`,
    );
  }
  return { workspaces: workspaces.length, conversations };
}
