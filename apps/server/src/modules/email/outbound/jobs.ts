import type { AppContext } from "../../../context.ts";
import { FIRST_ATTEMPT_BACKSTOP_SECONDS } from "../../../jobs/jobs.ts";
import type { WorkspaceEvent } from "../../../events/types.ts";
import { getInbox } from "../../inboxes/service.ts";
import { acknowledge, AUTO_ACK_QUEUE, type AutoAckJob } from "./auto-ack.ts";
import { ABANDONED_AFTER_MS, deliverMessage, SEND_QUEUE, type SendJob, sendRetry } from "./delivery.ts";
import { findMessage } from "./message-store.ts";

/** The sweep the outbox replaced: a reply's send now follows its durable event. */
const RETIRED_SWEEP_QUEUE = "email-send-sweep";

/**
 * Registers the outbound queues. The send queue is "exclusive": at most one job per message is
 * waiting or running, so a re-enqueue (a listener's retry) never doubles a send.
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
}

/** Listens durably for new messages: sends and acknowledgements follow them. */
export async function startEmailOutbound(ctx: AppContext): Promise<void> {
  ctx.events.consumers.define({
    name: "email-outbound",
    types: ["message.created"],
    handle: async (events) => {
      for (const event of events) await onMessageCreated(ctx, event);
    },
  });
  if (ctx.config.runWorker) await ctx.jobs.boss.unschedule(RETIRED_SWEEP_QUEUE).catch(() => {});
}

/** Queues the send of an agent's email reply, or the acknowledgement of a customer's mail. */
async function onMessageCreated(ctx: AppContext, event: WorkspaceEvent): Promise<void> {
  const id = event.data.id;
  const kind = event.data.kind;
  if (typeof id !== "string" || (kind !== "outgoing" && kind !== "incoming")) return;
  // A chat or API message needs no email work (events that do not say their channel are looked up).
  if (typeof event.data.channel === "string" && event.data.channel !== "email") return;
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
}

/**
 * Sends a reply now, with its job queued behind as the backstop: for a failure (its retries) and
 * for a process that dies mid-attempt. The send-once claim keeps the two from mailing twice.
 */
export async function enqueueSend(ctx: AppContext, workspaceId: string, messageId: string): Promise<void> {
  const job: SendJob = { workspace_id: workspaceId, message_id: messageId };
  const backstop = await ctx.jobs.send<SendJob>(SEND_QUEUE, job, {
    singletonKey: messageId,
    startAfter: FIRST_ATTEMPT_BACKSTOP_SECONDS,
  });
  // No id: a job for this message already waits or runs, and it will send.
  if (backstop) ctx.jobs.runNow(SEND_QUEUE, job, backstop);
}
