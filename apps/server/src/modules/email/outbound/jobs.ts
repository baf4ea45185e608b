import type { AppContext } from "../../../context.ts";
import type { WorkspaceEvent } from "../../../realtime/event-bus.ts";
import { getInbox } from "../../inboxes/service.ts";
import { acknowledge, AUTO_ACK_QUEUE, type AutoAckJob } from "./auto-ack.ts";
import { ABANDONED_AFTER_MS, deliverMessage, SEND_QUEUE, type SendJob, sendRetry } from "./delivery.ts";
import { findMessage, strandedQueuedMessages } from "./message-store.ts";

const SWEEP_QUEUE = "email-send-sweep";
/** A queued reply this old with no job behind it was stranded by a stop between commit and enqueue. */
const STRANDED_AFTER_MS = 2 * 60_000;

/**
 * Registers the outbound queues. The send queue is "exclusive": at most one job per message is
 * waiting or running, so a re-enqueue (the sweep, a duplicate event) never doubles a send.
 */
export function defineEmailOutboundJobs(ctx: AppContext): void {
  // pg-boss takes these straight to createQueue; policy and retryDelayMax go beyond Jobs' own type.
  const sendQueue = {
    policy: "exclusive",
    retryLimit: sendRetry.limit,
    retryDelay: sendRetry.delaySeconds,
    retryBackoff: sendRetry.delaySeconds > 0,
    ...(sendRetry.delaySeconds > 0 ? { retryDelayMax: sendRetry.maxDelaySeconds } : {}),
    expireInSeconds: Math.ceil(ABANDONED_AFTER_MS / 1000),
  };
  ctx.jobs.define<SendJob>(SEND_QUEUE, sendQueue, (data, meta) => deliverMessage(ctx, data, meta));
  const ackQueue = { policy: "exclusive", retryLimit: 5, retryDelay: 30, retryBackoff: true };
  ctx.jobs.define<AutoAckJob>(AUTO_ACK_QUEUE, ackQueue, (data) => acknowledge(ctx, data));
  ctx.jobs.define(SWEEP_QUEUE, { retryLimit: 0 }, async () => {
    await sweepStranded(ctx);
  });
}

/** Listens for new messages (once, on the instance that wrote them) and schedules the sweep. */
export async function startEmailOutbound(ctx: AppContext): Promise<void> {
  ctx.events.addSink((event) => onWorkspaceEvent(ctx, event));
  await ctx.jobs.boss.schedule(SWEEP_QUEUE, "*/5 * * * *", {});
}

async function onWorkspaceEvent(ctx: AppContext, event: WorkspaceEvent): Promise<void> {
  if (event.type !== "message.created") return;
  const id = event.data.id;
  const kind = event.data.kind;
  if (typeof id !== "string" || (kind !== "outgoing" && kind !== "incoming")) return;
  // A chat or API message needs no email work (events that do not say their channel are looked up).
  if (typeof event.data.channel === "string" && event.data.channel !== "email") return;
  try {
    const message = await findMessage(ctx.db, event.workspace_id, id);
    if (message?.channel !== "email") return;
    if (kind === "outgoing" && message.delivery_state === "queued") {
      await enqueueSend(ctx, event.workspace_id, id);
    } else if (kind === "incoming") {
      const inbox = await getInbox(ctx.db, event.workspace_id, message.inbox_id);
      if ((inbox.settings as { auto_ack_enabled?: boolean }).auto_ack_enabled !== true) return;
      await ctx.jobs.send<AutoAckJob>(
        AUTO_ACK_QUEUE,
        { workspace_id: event.workspace_id, message_id: id },
        { singletonKey: id },
      );
    }
  } catch (error) {
    // The request that wrote the message has already committed; the sweep picks up a lost send.
    ctx.log.error({ err: error, messageId: id }, "could not enqueue email work");
  }
}

export async function enqueueSend(ctx: AppContext, workspaceId: string, messageId: string): Promise<void> {
  await ctx.jobs.send<SendJob>(
    SEND_QUEUE,
    { workspace_id: workspaceId, message_id: messageId },
    { singletonKey: messageId },
  );
}

/** Enqueues queued replies that have no job (the exclusive queue ignores those that do). */
export async function sweepStranded(ctx: AppContext): Promise<number> {
  const stranded = await strandedQueuedMessages(
    ctx.db,
    new Date(ctx.now().getTime() - STRANDED_AFTER_MS),
    500,
  );
  for (const message of stranded) await enqueueSend(ctx, message.workspace_id, message.id);
  return stranded.length;
}
