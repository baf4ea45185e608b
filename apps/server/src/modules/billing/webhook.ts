import type { FastifyInstance } from "fastify";
import type Stripe from "stripe";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { Problem } from "../../lib/errors.ts";
import { queueDunningTick } from "./dunning.ts";
import { billingConfigOf } from "./settings.ts";
import { applyStripeEvent, type Effects, type Outcome } from "./stripe-apply.ts";
import { stripeWebhooks } from "./stripe-client.ts";

/** Stripe's own default: a signature older than five minutes is a replay. */
const TOLERANCE_SECONDS = 300;

const badSignature = (why: string) =>
  new Problem(400, "invalid_signature", why, { field: "stripe-signature" });

const Params = Type.Object({ workspace_id: Type.String({ format: "uuid" }) });

/**
 * The Stripe webhook endpoint of one workspace. It is public (Stripe holds no Keepwell credential);
 * the signature made with the workspace's endpoint secret is what admits an event. The body is
 * read as raw bytes, since the signature covers them exactly.
 */
export async function stripeWebhookRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await app.register(async (scope) => {
    scope.addContentTypeParser("application/json", { parseAs: "buffer" }, (_request, body, done) =>
      done(null, body),
    );
    scope.post<{ Params: { workspace_id: string }; Body: Buffer }>(
      "/billing/stripe/webhook/:workspace_id",
      {
        config: { permission: "public" },
        schema: {
          tags: ["billing"],
          summary: "Stripe webhook endpoint of a workspace (signed by Stripe; each event is applied once)",
          params: Params,
        },
      },
      async (request) => {
        const signature = request.headers["stripe-signature"];
        if (typeof signature !== "string" || !Buffer.isBuffer(request.body))
          throw badSignature("Missing Stripe-Signature header or body");
        return receiveStripeEvent(ctx, request.params.workspace_id, request.body, signature);
      },
    );
  });
}

export async function receiveStripeEvent(
  ctx: AppContext,
  workspaceId: string,
  body: Buffer,
  signature: string,
): Promise<{ received: true; duplicate: boolean; outcome: Outcome }> {
  const config = await billingConfigOf(ctx, ctx.db, workspaceId);
  if (!config.webhookSecret) throw new Problem(404, "not_found", "No Stripe webhook is set up here");
  let event: Stripe.Event;
  try {
    event = stripeWebhooks.constructEvent(
      body,
      signature,
      config.webhookSecret,
      TOLERANCE_SECONDS,
      undefined,
      ctx.now().getTime(),
    );
  } catch (error) {
    throw badSignature(`Stripe signature refused: ${(error as Error).message}`);
  }
  const now = ctx.now();
  const result = await ctx.db.transaction().execute(async (trx) => {
    const fresh = await trx
      .insertInto("stripe_events")
      .values({
        workspace_id: workspaceId,
        event_id: event.id,
        type: event.type,
        created_at: new Date(event.created * 1000),
        received_at: now,
        outcome: "ignored",
      })
      .onConflict((oc) => oc.columns(["workspace_id", "event_id"]).doNothing())
      .returning("event_id")
      .executeTakeFirst();
    if (!fresh) {
      const seen = await trx
        .selectFrom("stripe_events")
        .select("outcome")
        .where("workspace_id", "=", workspaceId)
        .where("event_id", "=", event.id)
        .executeTakeFirstOrThrow();
      return { duplicate: true, outcome: seen.outcome as Outcome, effects: {} as Effects };
    }
    const applied = await applyStripeEvent(trx, workspaceId, event, config, now);
    if (applied.outcome !== "ignored") {
      await trx
        .updateTable("stripe_events")
        .set({ outcome: applied.outcome })
        .where("workspace_id", "=", workspaceId)
        .where("event_id", "=", event.id)
        .execute();
    }
    return { duplicate: false, ...applied };
  });
  await afterCommit(ctx, workspaceId, result.effects);
  return { received: true, duplicate: result.duplicate, outcome: result.outcome };
}

/** Tells the agents and the health job; a lost publish is caught up by the periodic jobs. */
async function afterCommit(ctx: AppContext, workspaceId: string, effects: Effects): Promise<void> {
  try {
    if (effects.companyId)
      await ctx.events.publish(workspaceId, "billing.updated", { company_id: effects.companyId });
    if (effects.dunningOpened && effects.companyId) {
      await ctx.events.publish(workspaceId, "dunning.opened", {
        id: effects.dunningOpened,
        company_id: effects.companyId,
      });
      await queueDunningTick(ctx, workspaceId);
    }
    if (effects.dunningRecovered && effects.companyId)
      await ctx.events.publish(workspaceId, "dunning.recovered", {
        id: effects.dunningRecovered,
        company_id: effects.companyId,
      });
  } catch (error) {
    ctx.log.error({ err: error, workspaceId }, "after a Stripe event: publishing failed");
  }
}
