import { createHmac } from "node:crypto";
import type { AppContext } from "../../context.ts";
import { FIRST_ATTEMPT_BACKSTOP_SECONDS } from "../../jobs/jobs.ts";
import { secretBox } from "../../lib/secret-box.ts";
import type { WorkspaceEvent } from "../../events/types.ts";
import { postJson } from "./outbound-post.ts";
import {
  activeWebhooks,
  type DeliveryPayload,
  findDeliveryToSend,
  insertDeliveries,
  recordAttempt,
} from "./queries.ts";
import { TargetRefused } from "./target-guard.ts";

export const DELIVERY_QUEUE = "webhook-delivery";
/** pg-boss retries a failed delivery this many times, with exponential backoff from 5 s. */
export const RETRY_LIMIT = 8;

export interface DeliveryJob {
  workspace_id: string;
  delivery_id: string;
}

/** Webhook secrets are sealed under their own purpose key. */
export function webhookSecrets(ctx: AppContext) {
  return secretBox(ctx.config.secret, "webhook-signing-secret");
}

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. The timestamp is signed with the body so a
 * receiver can refuse replays of an old delivery.
 */
export function signatureHeader(secret: string, unixSeconds: number, body: string): string {
  const digest = createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex");
  return `t=${unixSeconds},v1=${digest}`;
}

/**
 * For each workspace event, one delivery row per subscribed active webhook, each sent by its own job
 * so one slow receiver never holds up another. The payload's id is the event's: a retry of the
 * listener finds the rows already there, and a receiver can use it as an idempotency key.
 */
export async function fanOutEvent(
  ctx: AppContext,
  event: WorkspaceEvent,
  hooks: { id: string; events: string[] }[],
): Promise<void> {
  const targets = hooks.filter((hook) => hook.events.includes(event.type) || hook.events.includes("*"));
  if (targets.length === 0) return;
  const payload: DeliveryPayload = {
    id: event.id,
    type: event.type,
    created_at: event.at,
    workspace_id: event.workspace_id,
    data: event.data,
  };
  // The rows and their jobs commit together: a delivery never waits for a job that was not queued.
  // Each job waits behind a first attempt made at once, as the backstop for a failure or a crash.
  const deliveries = await ctx.db.transaction().execute(async (trx) => {
    const inserted = await insertDeliveries(
      trx,
      event.workspace_id,
      targets.map((h) => h.id),
      payload,
    );
    const queued: { job: DeliveryJob; backstop: string | null }[] = [];
    for (const delivery of inserted) {
      const job = { workspace_id: event.workspace_id, delivery_id: delivery.id };
      const backstop = await ctx.jobs.send<DeliveryJob>(DELIVERY_QUEUE, job, {
        transaction: trx,
        startAfter: FIRST_ATTEMPT_BACKSTOP_SECONDS,
      });
      queued.push({ job, backstop });
    }
    return queued;
  });
  for (const { job, backstop } of deliveries) ctx.jobs.runNow<DeliveryJob>(DELIVERY_QUEUE, job, backstop);
}

export type AttemptOutcome =
  | { ok: true; status: number }
  | { ok: false; status: number | null; error: string; permanent: boolean };

/** Sends one delivery once and says how it went; never throws. */
export async function sendOnce(
  ctx: AppContext,
  target: { url: string; sealedSecret: string },
  delivery: { id: string; event_type: string; payload: unknown },
): Promise<AttemptOutcome> {
  const stored = delivery.payload as DeliveryPayload;
  // jsonb does not keep key order; rebuild the documented order for receivers reading it raw.
  const body = JSON.stringify({
    id: stored.id,
    type: stored.type,
    created_at: stored.created_at,
    workspace_id: stored.workspace_id,
    data: stored.data,
  });
  let secret: string;
  try {
    secret = webhookSecrets(ctx).open(target.sealedSecret);
  } catch {
    return { ok: false, status: null, error: "the signing secret cannot be read", permanent: true };
  }
  const headers = {
    "keepwell-signature": signatureHeader(secret, Math.floor(ctx.now().getTime() / 1000), body),
    "keepwell-event": delivery.event_type,
    "keepwell-delivery": delivery.id,
  };
  try {
    const response = await postJson(target.url, body, headers, {
      allowPrivate: ctx.config.allowPrivateWebhookTargets,
    });
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
    const error =
      response.status >= 300 && response.status < 400
        ? `redirect to ${response.location ?? "(no location)"} not followed (HTTP ${response.status}); update the webhook URL`
        : `HTTP ${response.status}${response.bodySnippet ? `: ${response.bodySnippet.slice(0, 200)}` : ""}`;
    return { ok: false, status: response.status, error, permanent: false };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, status: null, error: message, permanent: error instanceof TargetRefused };
  }
}

/**
 * The job: sends a pending delivery and records the attempt. A failure throws so pg-boss retries it
 * later; the last attempt, or a target the guard refuses, marks the delivery failed for good.
 */
export async function deliverWebhook(
  ctx: AppContext,
  job: DeliveryJob,
  meta: { retryCount: number },
): Promise<void> {
  const row = await findDeliveryToSend(ctx.db, job.workspace_id, job.delivery_id);
  // Deleted with its webhook, or already settled by an earlier run of this job.
  if (row?.state !== "pending") return;
  if (!row.active) {
    await recordAttempt(ctx.db, job.workspace_id, row.id, {
      state: "failed",
      responseStatus: null,
      error: "the webhook was deactivated before this delivery was sent",
      at: ctx.now(),
      counts: false,
    });
    return;
  }
  const outcome = await sendOnce(ctx, { url: row.url, sealedSecret: row.secret }, row);
  if (outcome.ok) {
    await recordAttempt(ctx.db, job.workspace_id, row.id, {
      state: "delivered",
      responseStatus: outcome.status,
      error: null,
      at: ctx.now(),
      counts: true,
    });
    return;
  }
  const last = outcome.permanent || meta.retryCount >= RETRY_LIMIT;
  await recordAttempt(ctx.db, job.workspace_id, row.id, {
    state: last ? "failed" : "pending",
    responseStatus: outcome.status,
    error: outcome.error,
    at: ctx.now(),
    counts: true,
  });
  if (!last) throw new Error(`webhook delivery ${row.id}: ${outcome.error}`);
}

/** Wires webhooks into the running instance: the delivery queue, then the EventBus sink. */
export function defineWebhookJobs(ctx: AppContext): void {
  ctx.jobs.define<DeliveryJob>(
    DELIVERY_QUEUE,
    { retryLimit: RETRY_LIMIT, retryDelay: 5, retryBackoff: true },
    (data, meta) => deliverWebhook(ctx, data, meta),
  );
}

/** The durable listener that turns every event into deliveries. */
export async function startWebhookFanOut(ctx: AppContext): Promise<void> {
  ctx.events.consumers.define({
    name: "webhooks",
    types: "*",
    handle: async (events) => {
      // One look at a workspace's webhooks per batch: most workspaces have none.
      const hooksOf = new Map<string, { id: string; events: string[] }[]>();
      for (const event of events) {
        let hooks = hooksOf.get(event.workspace_id);
        if (!hooks) {
          hooks = await activeWebhooks(ctx.db, event.workspace_id);
          hooksOf.set(event.workspace_id, hooks);
        }
        if (hooks.length > 0) await fanOutEvent(ctx, event, hooks);
      }
    },
  });
}
