import type { AppContext } from "../../context.ts";
import type { WorkspaceEvent } from "../../events/types.ts";
import { rebuildWorkspaceRollups, rebuiltFingerprint } from "./rebuild.ts";
import { recomputeConversation, recomputeConversations, workspaceClock } from "./service.ts";

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
}

/**
 * Keeps each conversation's metrics current: a durable listener, in batches, so a burst of messages
 * in one conversation costs one recompute. Notes never move a metric; a status or assignee change
 * does; a message's own conversation.updated is covered by its message.created. A change of the
 * workspace's time zone or opening hours rebuilds its rollups in the background.
 */
export async function startMetrics(ctx: AppContext): Promise<void> {
  ctx.events.consumers.define({
    name: "metrics",
    types: ["message.created", "conversation.updated", "workspace.updated"],
    handle: (events) => applyEvents(ctx, events),
  });
  // The outbox replaced the sweep for lost events; installations from before still have its schedule.
  if (ctx.config.runWorker) await ctx.jobs.boss.unschedule("metrics-sweep").catch(() => {});
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

async function applyEvents(ctx: AppContext, events: WorkspaceEvent[]): Promise<void> {
  const rebuilds = new Set<string>();
  const conversations = new Map<string, Set<string>>();
  for (const event of events) {
    if (event.type === "workspace.updated") rebuilds.add(event.workspace_id);
    const conversationId = conversationOf(event);
    if (!conversationId) continue;
    const ids = conversations.get(event.workspace_id) ?? new Set<string>();
    conversations.set(event.workspace_id, ids);
    ids.add(conversationId);
  }
  for (const workspaceId of rebuilds) {
    await ctx.jobs.send<RebuildJob>(
      REBUILD_QUEUE,
      { workspace_id: workspaceId },
      { singletonKey: workspaceId },
    );
  }
  for (const [workspaceId, ids] of conversations) {
    if ((await recomputeConversations(ctx, workspaceId, [...ids])) !== "busy") continue;
    // A rebuild holds the rollups: each conversation is recomputed by a job once it is done.
    for (const conversationId of ids) {
      await ctx.jobs.send<RecomputeJob>(
        RECOMPUTE_QUEUE,
        { workspace_id: workspaceId, conversation_id: conversationId },
        { singletonKey: `${workspaceId}:${conversationId}`, startAfter: 2 },
      );
    }
  }
}
