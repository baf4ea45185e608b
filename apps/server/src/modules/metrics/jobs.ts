import type { AppContext } from "../../context.ts";
import type { WorkspaceEvent } from "../../realtime/event-bus.ts";
import { rebuildWorkspaceRollups, rebuiltFingerprint } from "./rebuild.ts";
import { recomputeConversation, workspaceClock } from "./service.ts";
import { METRICS_SWEEP_QUEUE, sweepStaleMetrics } from "./sweep.ts";

export const RECOMPUTE_QUEUE = "metrics-recompute";
export const REBUILD_QUEUE = "metrics-rebuild";

interface RecomputeJob {
  workspace_id: string;
  conversation_id: string;
}

interface RebuildJob {
  workspace_id: string;
}

/** Registered through modules/index.ts moduleJobs. */
export function defineMetricsJobs(ctx: AppContext): void {
  // "stately": per key, one job waiting and one running, so a change made during a run is not lost.
  const recompute = { policy: "stately", retryLimit: 50, retryDelay: 5, retryBackoff: true };
  const rebuild = { policy: "stately", retryLimit: 5, retryDelay: 60, expireInSeconds: 3600 };
  ctx.jobs.define<RecomputeJob>(RECOMPUTE_QUEUE, recompute, async (job) => {
    const outcome = await recomputeConversation(ctx, job.workspace_id, job.conversation_id);
    // A rebuild holds the rollups: try again later rather than wait inside the worker.
    if (outcome === "busy") throw new Error("rollups are being rebuilt; retrying");
  });
  ctx.jobs.define<RebuildJob>(REBUILD_QUEUE, rebuild, async (job) => {
    const clock = await workspaceClock(ctx, job.workspace_id);
    if ((await rebuiltFingerprint(ctx, job.workspace_id)) === clock.fingerprint) return;
    await rebuildWorkspaceRollups(ctx, job.workspace_id);
  });
  ctx.jobs.define(METRICS_SWEEP_QUEUE, { retryLimit: 0 }, async () => {
    await sweepStaleMetrics(ctx);
  });
}

/**
 * Keeps each conversation's metrics current: once per event, on the instance that published it,
 * right after the write committed. Notes never move a metric; a status or assignee change does; a
 * message's own conversation.updated is covered by its message.created. A change of the workspace's
 * time zone or opening hours rebuilds its rollups in the background.
 */
export async function startMetrics(ctx: AppContext): Promise<void> {
  ctx.events.addSink((event) => onEvent(ctx, event));
  // The safety net for events lost to a crash between a commit and its sink (see sweep.ts).
  if (ctx.config.runWorker) await ctx.jobs.boss.schedule(METRICS_SWEEP_QUEUE, "*/5 * * * *", {});
}

function conversationOf(event: WorkspaceEvent): string | null {
  const data = event.data;
  if (event.type === "message.created" && data.kind !== "note" && typeof data.conversation_id === "string") {
    return data.conversation_id;
  }
  if (event.type === "conversation.updated" && data.cause !== "message" && typeof data.id === "string") {
    return data.id;
  }
  return null;
}

async function onEvent(ctx: AppContext, event: WorkspaceEvent): Promise<void> {
  if (event.type === "workspace.updated") {
    await ctx.jobs
      .send<RebuildJob>(
        REBUILD_QUEUE,
        { workspace_id: event.workspace_id },
        { singletonKey: event.workspace_id },
      )
      .catch((error) => ctx.log.error({ err: error }, "could not queue a rollup rebuild"));
    return;
  }
  const conversationId = conversationOf(event);
  if (!conversationId) return;
  let outcome: string;
  try {
    outcome = await recomputeConversation(ctx, event.workspace_id, conversationId);
  } catch (error) {
    ctx.log.error({ err: error, conversationId }, "metrics recompute failed; queued a retry");
    outcome = "busy";
  }
  if (outcome !== "busy") return;
  await ctx.jobs
    .send<RecomputeJob>(
      RECOMPUTE_QUEUE,
      { workspace_id: event.workspace_id, conversation_id: conversationId },
      { singletonKey: `${event.workspace_id}:${conversationId}`, startAfter: 2 },
    )
    .catch((error) => ctx.log.error({ err: error, conversationId }, "could not queue a metrics recompute"));
}
