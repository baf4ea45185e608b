import type Stripe from "stripe";
import type { Db } from "../../db/database.ts";
import type { BillingStatus } from "../../db/schema.ts";
import { linkStripeCustomer, setCompanyBilling } from "../companies/records.ts";
import { attachContactToCompany } from "../contacts/by-company.ts";
import { findOrCreateContactByEmail } from "../contacts/service.ts";
import { recordMrrChange } from "./retention-history.ts";
import type { BillingConfig } from "./settings.ts";

/*
 * Applies one verified Stripe event to the mirror, inside the transaction that recorded its id.
 * Stripe may deliver events late, twice or out of order: each subscription and invoice keeps the
 * creation time of the last event applied to it, and an older event is recorded as stale instead
 * of winding the state back.
 */

export type Outcome = "applied" | "stale" | "ignored";

/** What the caller does after commit: tell the agents, recompute health, advance dunning. */
export interface Effects {
  companyId?: string;
  dunningOpened?: string;
  dunningRecovered?: string;
}

// biome-ignore lint/suspicious/noExplicitAny: Stripe payloads differ by API version; fields are read defensively.
type Loose = Record<string, any>;

const idOf = (value: unknown): string | null =>
  typeof value === "string"
    ? value
    : value && typeof value === "object"
      ? ((value as Loose).id ?? null)
      : null;

const fromUnix = (seconds: unknown): Date | null =>
  typeof seconds === "number" && Number.isFinite(seconds) ? new Date(seconds * 1000) : null;

export async function applyStripeEvent(
  trx: Db,
  workspaceId: string,
  event: Stripe.Event,
  config: BillingConfig,
  now: Date,
): Promise<{ outcome: Outcome; effects: Effects }> {
  const object = event.data.object as Loose;
  const at = new Date(event.created * 1000);
  switch (event.type) {
    case "customer.created":
    case "customer.updated": {
      const companyId = await linkCustomer(trx, workspaceId, object);
      return { outcome: "applied", effects: { companyId } };
    }
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted":
    case "customer.subscription.paused":
    case "customer.subscription.resumed":
      return applySubscription(trx, workspaceId, object, at, event.type === "customer.subscription.deleted");
    case "invoice.payment_failed":
      return applyInvoice(trx, workspaceId, object, at, "failed", config, now);
    case "invoice.paid":
    case "invoice.payment_succeeded":
      return applyInvoice(trx, workspaceId, object, at, "paid", config, now);
    case "customer.source.expiring":
      return applyCardExpiring(trx, workspaceId, object, config, now);
    case "payment_method.attached":
    case "customer.source.created":
      return applyNewCard(trx, workspaceId, object, now);
    default:
      return { outcome: "ignored", effects: {} };
  }
}

async function linkCustomer(trx: Db, workspaceId: string, customer: Loose): Promise<string> {
  const email = typeof customer.email === "string" ? customer.email : null;
  const linked = await linkStripeCustomer(trx, workspaceId, {
    id: customer.id,
    name: typeof customer.name === "string" ? customer.name : null,
    email,
    createdAt: fromUnix(customer.created),
  });
  if (email) {
    const contact = await findOrCreateContactByEmail(trx, workspaceId, {
      email,
      name: customer.name ?? null,
    });
    await attachContactToCompany(trx, workspaceId, contact.id, linked.id);
  }
  return linked.id;
}

/** The company of an event's customer; an event may arrive before its customer.created. */
async function companyOfCustomer(trx: Db, workspaceId: string, customer: unknown): Promise<string | null> {
  const id = idOf(customer);
  if (!id) return null;
  const details = customer && typeof customer === "object" ? (customer as Loose) : {};
  const linked = await linkStripeCustomer(trx, workspaceId, {
    id,
    name: typeof details.name === "string" ? details.name : null,
    email: typeof details.email === "string" ? details.email : null,
    createdAt: null,
  });
  return linked.id;
}

/** Monthly revenue of a subscription's items, whatever their billing interval. */
function monthlyCents(subscription: Loose): number {
  let total = 0;
  for (const item of subscription.items?.data ?? []) {
    const price = item.price ?? item.plan ?? {};
    const amount = Number(price.unit_amount ?? price.amount ?? 0) * Number(item.quantity ?? 1);
    const recurring = price.recurring ?? { interval: price.interval, interval_count: price.interval_count };
    const count = Number(recurring.interval_count ?? 1) || 1;
    const perMonth: Record<string, number> = { day: 30, week: 52 / 12, month: 1, year: 1 / 12 };
    total += (amount * (perMonth[recurring.interval ?? "month"] ?? 1)) / count;
  }
  return Math.round(total);
}

function statusOf(subscription: Loose, deleted: boolean): BillingStatus {
  if (deleted) return "canceled";
  if (subscription.pause_collection) return "paused";
  const map: Record<string, BillingStatus> = {
    trialing: "trialing",
    active: "active",
    past_due: "past_due",
    canceled: "canceled",
    unpaid: "unpaid",
    incomplete: "incomplete",
    incomplete_expired: "canceled",
    paused: "paused",
  };
  return map[subscription.status] ?? "active";
}

async function applySubscription(
  trx: Db,
  workspaceId: string,
  subscription: Loose,
  at: Date,
  deleted: boolean,
): Promise<{ outcome: Outcome; effects: Effects }> {
  const known = await trx
    .selectFrom("billing_subscriptions")
    .select(["last_event_at", "company_id"])
    .where("workspace_id", "=", workspaceId)
    .where("stripe_subscription_id", "=", subscription.id)
    .forUpdate()
    .executeTakeFirst();
  if (known && new Date(known.last_event_at) > at) return { outcome: "stale", effects: {} };
  const companyId = known?.company_id ?? (await companyOfCustomer(trx, workspaceId, subscription.customer));
  if (!companyId) return { outcome: "ignored", effects: {} };
  const status = statusOf(subscription, deleted);
  const firstItem = subscription.items?.data?.[0] ?? {};
  const price = firstItem.price ?? {};
  const values = {
    company_id: companyId,
    status,
    plan: price.nickname ?? price.lookup_key ?? idOf(price.product) ?? null,
    mrr_cents: status === "canceled" || status === "paused" ? 0 : monthlyCents(subscription),
    quantity: typeof firstItem.quantity === "number" ? firstItem.quantity : null,
    current_period_end: fromUnix(subscription.current_period_end ?? firstItem.current_period_end),
    paused: status === "paused",
    canceled_at: fromUnix(subscription.canceled_at ?? subscription.ended_at),
    last_event_at: at,
    updated_at: new Date(),
  };
  await trx
    .insertInto("billing_subscriptions")
    .values({ workspace_id: workspaceId, stripe_subscription_id: subscription.id, ...values })
    .onConflict((oc) => oc.columns(["workspace_id", "stripe_subscription_id"]).doUpdateSet(values))
    .execute();
  await mirrorOntoCompany(trx, workspaceId, companyId, at);
  return { outcome: "applied", effects: { companyId } };
}

/** The company shows the sum of its subscriptions: MRR, plan, seats and status of the latest. */
async function mirrorOntoCompany(trx: Db, workspaceId: string, companyId: string, at: Date): Promise<void> {
  const subscriptions = await trx
    .selectFrom("billing_subscriptions")
    .select(["status", "plan", "mrr_cents", "quantity", "current_period_end", "last_event_at"])
    .where("workspace_id", "=", workspaceId)
    .where("company_id", "=", companyId)
    .orderBy("last_event_at", "desc")
    .execute();
  const live = subscriptions.filter((s) => s.status !== "canceled");
  const lead = live[0] ?? subscriptions[0];
  const mrr = live.reduce((sum, s) => sum + Number(s.mrr_cents), 0);
  const status = (lead?.status as BillingStatus | undefined) ?? null;
  await setCompanyBilling(trx, workspaceId, companyId, {
    mrr_cents: mrr,
    plan: lead?.plan ?? null,
    seats: lead?.quantity ?? null,
    renewal_at: lead?.current_period_end ? new Date(lead.current_period_end) : null,
    billing_status: status,
  });
  if (status) await recordMrrChange(trx, workspaceId, companyId, at, status, mrr);
}

async function applyInvoice(
  trx: Db,
  workspaceId: string,
  invoice: Loose,
  at: Date,
  result: "failed" | "paid",
  config: BillingConfig,
  now: Date,
): Promise<{ outcome: Outcome; effects: Effects }> {
  const known = await trx
    .selectFrom("billing_invoices")
    .select(["last_event_at", "company_id", "status"])
    .where("workspace_id", "=", workspaceId)
    .where("stripe_invoice_id", "=", invoice.id)
    .forUpdate()
    .executeTakeFirst();
  // A failure reported after the invoice was paid is old news, whatever its timestamp says.
  if (known && (new Date(known.last_event_at) > at || (result === "failed" && known.status === "paid")))
    return { outcome: "stale", effects: {} };
  const companyId = known?.company_id ?? (await companyOfCustomer(trx, workspaceId, invoice.customer));
  if (!companyId) return { outcome: "ignored", effects: {} };
  const subscriptionId =
    idOf(invoice.subscription) ?? idOf(invoice.parent?.subscription_details?.subscription) ?? null;
  const values = {
    company_id: companyId,
    stripe_subscription_id: subscriptionId,
    status: result === "paid" ? "paid" : "open",
    amount_due_cents: Number(invoice.amount_due ?? 0),
    ...(result === "paid" ? { paid_at: at } : { failed_at: at }),
    last_event_at: at,
  };
  await trx
    .insertInto("billing_invoices")
    .values({ workspace_id: workspaceId, stripe_invoice_id: invoice.id, ...values })
    .onConflict((oc) => oc.columns(["workspace_id", "stripe_invoice_id"]).doUpdateSet(values))
    .execute();
  const effects: Effects = { companyId };
  const open = await openCaseOf(trx, workspaceId, companyId);
  if (result === "paid") {
    // A successful payment proves the card works again: an unpaid invoice's case is recovered.
    if (open?.reason === "payment_failed") {
      await closeCase(trx, workspaceId, open.id, "recovered", now);
      effects.dunningRecovered = open.id;
    }
  } else if (open?.reason !== "payment_failed") {
    // A failed payment outranks a warning about an expiring card: that case gives way to this one.
    if (open) await closeCase(trx, workspaceId, open.id, "expired", now);
    effects.dunningOpened = await openCase(trx, workspaceId, companyId, config, now, {
      reason: "payment_failed",
      invoiceId: invoice.id,
      subscriptionId,
      graceEnds: new Date(now.getTime() + config.grace_days * 86_400_000),
    });
  }
  return { outcome: "applied", effects };
}

async function openCaseOf(trx: Db, workspaceId: string, companyId: string) {
  return trx
    .selectFrom("dunning_cases")
    .select(["id", "reason"])
    .where("workspace_id", "=", workspaceId)
    .where("company_id", "=", companyId)
    .where("state", "=", "open")
    .forUpdate()
    .executeTakeFirst();
}

async function closeCase(trx: Db, workspaceId: string, id: string, how: "recovered" | "expired", now: Date) {
  await trx
    .updateTable("dunning_cases")
    .set({
      state: how,
      outcome: how === "recovered" ? "recovered" : "none",
      closed_at: now,
      next_step_at: null,
    })
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .execute();
}

/** Opens a case whose first reminder is due on the first reminder day (at once by default). */
async function openCase(
  trx: Db,
  workspaceId: string,
  companyId: string,
  config: BillingConfig,
  now: Date,
  input: {
    reason: "payment_failed" | "card_expiring";
    invoiceId: string | null;
    subscriptionId: string | null;
    graceEnds: Date;
  },
): Promise<string> {
  const firstReminder = new Date(now.getTime() + (config.reminder_days[0] ?? 0) * 86_400_000);
  const created = await trx
    .insertInto("dunning_cases")
    .values({
      workspace_id: workspaceId,
      company_id: companyId,
      stripe_invoice_id: input.invoiceId,
      stripe_subscription_id: input.subscriptionId,
      reason: input.reason,
      state: "open",
      opened_at: now,
      grace_ends_at: input.graceEnds,
      next_step_at: firstReminder < input.graceEnds ? firstReminder : input.graceEnds,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return created.id;
}

/**
 * A card that expires at the end of its month opens a gentle case (no unpaid invoice, so no action
 * at its end); a new card or payment method for the customer closes it.
 */
async function applyCardExpiring(
  trx: Db,
  workspaceId: string,
  card: Loose,
  config: BillingConfig,
  now: Date,
): Promise<{ outcome: Outcome; effects: Effects }> {
  const companyId = await companyOfCustomer(trx, workspaceId, card.customer);
  if (!companyId) return { outcome: "ignored", effects: {} };
  if (await openCaseOf(trx, workspaceId, companyId)) return { outcome: "applied", effects: { companyId } };
  const month = Number(card.exp_month);
  const year = Number(card.exp_year);
  const endOfMonth = month >= 1 && month <= 12 && year > 2000 ? new Date(Date.UTC(year, month, 1)) : null;
  const graceEnds =
    endOfMonth && endOfMonth > now ? endOfMonth : new Date(now.getTime() + config.grace_days * 86_400_000);
  const id = await openCase(trx, workspaceId, companyId, config, now, {
    reason: "card_expiring",
    invoiceId: null,
    subscriptionId: null,
    graceEnds,
  });
  return { outcome: "applied", effects: { companyId, dunningOpened: id } };
}

async function applyNewCard(
  trx: Db,
  workspaceId: string,
  object: Loose,
  now: Date,
): Promise<{ outcome: Outcome; effects: Effects }> {
  const companyId = await companyOfCustomer(trx, workspaceId, object.customer);
  if (!companyId) return { outcome: "ignored", effects: {} };
  const open = await openCaseOf(trx, workspaceId, companyId);
  if (open?.reason !== "card_expiring") return { outcome: "applied", effects: { companyId } };
  await closeCase(trx, workspaceId, open.id, "recovered", now);
  return { outcome: "applied", effects: { companyId, dunningRecovered: open.id } };
}
