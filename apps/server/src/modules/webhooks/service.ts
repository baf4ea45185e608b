import { randomUUID } from "node:crypto";
import type { AppContext } from "../../context.ts";
import type { Principal } from "../../http/principal.ts";
import { conflict, notFound } from "../../lib/errors.ts";
import { randomToken } from "../../lib/tokens.ts";
import { recordAudit } from "../audit/service.ts";
import { sendOnce, webhookSecrets } from "./delivery.ts";
import {
  countWebhooks,
  type DeliveryPayload,
  deliveriesPage,
  findWebhook,
  insertDeliveries,
  recordAttempt,
  webhookColumns,
} from "./queries.ts";
import { normalizeWebhookUrl } from "./target-guard.ts";

/** Enough for every integration a team runs; more is usually a loop or a leak. */
const MAX_WEBHOOKS_PER_WORKSPACE = 25;

export interface WebhookInput {
  url: string;
  events: string[];
  active?: boolean;
}

/** Creates a webhook; its signing secret is returned here and never again. */
export async function createWebhook(ctx: AppContext, principal: Principal, input: WebhookInput) {
  const url = normalizeWebhookUrl(input.url, ctx.config.allowPrivateWebhookTargets);
  const secret = randomToken("whsec_");
  return ctx.db.transaction().execute(async (trx) => {
    if ((await countWebhooks(trx, principal.workspaceId)) >= MAX_WEBHOOKS_PER_WORKSPACE) {
      throw conflict(
        "webhook_limit",
        `A workspace may have at most ${MAX_WEBHOOKS_PER_WORKSPACE} webhooks; delete one first`,
      );
    }
    const webhook = await trx
      .insertInto("webhooks")
      .values({
        workspace_id: principal.workspaceId,
        url,
        secret: webhookSecrets(ctx).seal(secret),
        events: input.events,
        active: input.active ?? true,
      })
      .returning(webhookColumns)
      .executeTakeFirstOrThrow();
    await recordAudit(trx, principal, {
      action: "webhook.created",
      targetType: "webhook",
      targetId: webhook.id,
      data: { url, events: input.events },
    });
    return { webhook, secret };
  });
}

export async function listWebhooks(ctx: AppContext, principal: Principal) {
  return ctx.db
    .selectFrom("webhooks")
    .select(webhookColumns)
    .where("workspace_id", "=", principal.workspaceId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}

export async function getWebhook(ctx: AppContext, principal: Principal, id: string) {
  const webhook = await findWebhook(ctx.db, principal.workspaceId, id);
  if (!webhook) throw notFound("Webhook");
  return webhook;
}

export async function updateWebhook(
  ctx: AppContext,
  principal: Principal,
  id: string,
  input: Partial<WebhookInput>,
) {
  const changes: { url?: string; events?: string[]; active?: boolean } = {};
  if (input.url !== undefined)
    changes.url = normalizeWebhookUrl(input.url, ctx.config.allowPrivateWebhookTargets);
  if (input.events !== undefined) changes.events = input.events;
  if (input.active !== undefined) changes.active = input.active;
  return ctx.db.transaction().execute(async (trx) => {
    if (Object.keys(changes).length === 0) {
      const current = await findWebhook(trx, principal.workspaceId, id);
      if (!current) throw notFound("Webhook");
      return current;
    }
    const webhook = await trx
      .updateTable("webhooks")
      .set(changes)
      .where("workspace_id", "=", principal.workspaceId)
      .where("id", "=", id)
      .returning(webhookColumns)
      .executeTakeFirst();
    if (!webhook) throw notFound("Webhook");
    await recordAudit(trx, principal, {
      action: "webhook.updated",
      targetType: "webhook",
      targetId: id,
      data: changes,
    });
    return webhook;
  });
}

/** Deletes a webhook and its delivery log; queued deliveries find nothing to send and stop. */
export async function deleteWebhook(ctx: AppContext, principal: Principal, id: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const deleted = await trx
      .deleteFrom("webhooks")
      .where("workspace_id", "=", principal.workspaceId)
      .where("id", "=", id)
      .returning(["id", "url"])
      .executeTakeFirst();
    if (!deleted) throw notFound("Webhook");
    await recordAudit(trx, principal, {
      action: "webhook.deleted",
      targetType: "webhook",
      targetId: id,
      data: { url: deleted.url },
    });
  });
}

export async function listDeliveries(
  ctx: AppContext,
  principal: Principal,
  webhookId: string,
  page: { cursor?: string; limit?: number },
) {
  await getWebhook(ctx, principal, webhookId);
  return deliveriesPage(ctx.db, principal.workspaceId, webhookId, {
    cursor: page.cursor,
    limit: page.limit ?? 25,
  });
}

/**
 * Sends a `ping` right now, once, whatever the webhook's event list and active flag, and answers
 * with the logged delivery so the caller sees at once whether the receiver answered.
 */
export async function sendTestPing(ctx: AppContext, principal: Principal, webhookId: string) {
  const sealed = await ctx.db
    .selectFrom("webhooks")
    .select(["url", "secret"])
    .where("workspace_id", "=", principal.workspaceId)
    .where("id", "=", webhookId)
    .executeTakeFirst();
  if (!sealed) throw notFound("Webhook");
  const payload: DeliveryPayload = {
    id: randomUUID(),
    type: "ping",
    created_at: ctx.now().toISOString(),
    workspace_id: principal.workspaceId,
    data: { webhook_id: webhookId },
  };
  const [delivery] = await insertDeliveries(ctx.db, principal.workspaceId, [webhookId], payload);
  const outcome = await sendOnce(
    ctx,
    { url: sealed.url, sealedSecret: sealed.secret },
    { id: delivery.id, event_type: "ping", payload },
  );
  return recordAttempt(ctx.db, principal.workspaceId, delivery.id, {
    state: outcome.ok ? "delivered" : "failed",
    responseStatus: outcome.status,
    error: outcome.ok ? null : outcome.error,
    at: ctx.now(),
    counts: true,
  });
}
