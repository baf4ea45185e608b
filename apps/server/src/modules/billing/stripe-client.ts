import Stripe from "stripe";
import type { AppContext } from "../../context.ts";

/**
 * Where outgoing Stripe calls go. Stripe itself by default; KEEPWELL_STRIPE_API_BASE (for example
 * a Stripe mock, read by config.ts) or, in tests, a fake Stripe server the test registered.
 */
const apiBases = new WeakMap<AppContext, string>();

export function setStripeApiBase(ctx: AppContext, url: string): void {
  apiBases.set(ctx, url);
}

function apiBaseOf(ctx: AppContext): string | undefined {
  return apiBases.get(ctx) ?? ctx.config.stripeApiBase;
}

/**
 * A Stripe client through the official SDK. The SDK's own retries are off: failed calls are retried
 * by the job queue with backoff, where each attempt and its error stay visible.
 */
export function stripeClient(ctx: AppContext, secretKey: string): Stripe {
  const base = apiBaseOf(ctx);
  const target = base ? new URL(base) : undefined;
  return new Stripe(secretKey, {
    maxNetworkRetries: 0,
    timeout: 20_000,
    telemetry: false,
    ...(target
      ? {
          host: target.hostname,
          port: target.port || (target.protocol === "https:" ? 443 : 80),
          protocol: target.protocol === "https:" ? "https" : "http",
        }
      : {}),
  });
}

/** Signature checks need no account: a client without a key verifies webhooks. */
export const stripeWebhooks = new Stripe("sk_unused_for_signatures").webhooks;
