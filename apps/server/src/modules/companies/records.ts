import { sql } from "kysely";
import type { Db } from "../../db/database.ts";
import type { BillingStatus } from "../../db/schema.ts";

/*
 * Reads and writes of company records for the customer-success modules (health, billing) and for
 * other modules that weigh things by revenue. They own no company columns; this module does.
 */

export interface CompanyFacts {
  id: string;
  name: string;
  plan: string | null;
  mrr_cents: number;
  seats: number | null;
  seats_used: number | null;
  billing_status: BillingStatus | null;
  renewal_at: Date | null;
}

/** The facts health is computed from, for a batch of companies of the workspace. */
export async function companyFacts(db: Db, workspaceId: string, ids: readonly string[]) {
  if (ids.length === 0) return new Map<string, CompanyFacts>();
  const rows = await db
    .selectFrom("companies")
    .select(["id", "name", "plan", "mrr_cents", "seats", "seats_used", "billing_status", "renewal_at"])
    .where("workspace_id", "=", workspaceId)
    .where("id", "in", [...ids])
    .execute();
  return new Map<string, CompanyFacts>(rows.map((r) => [r.id, { ...r, mrr_cents: Number(r.mrr_cents) }]));
}

/** Company ids of the workspace in id order after `afterId`: a full recompute walks them in batches. */
export async function companyIdsAfter(db: Db, workspaceId: string, afterId: string | null, limit: number) {
  let query = db
    .selectFrom("companies")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .orderBy("id")
    .limit(limit);
  if (afterId) query = query.where("id", ">", afterId);
  return (await query.execute()).map((r) => r.id);
}

/** The company linked to a Stripe customer, if any. */
export async function companyOfStripeCustomer(db: Db, workspaceId: string, customerId: string) {
  const row = await db
    .selectFrom("companies")
    .select(["id", "name", "stripe_customer_id", "billing_status"])
    .where("workspace_id", "=", workspaceId)
    .where("stripe_customer_id", "=", customerId)
    .executeTakeFirst();
  return row;
}

/**
 * Links a Stripe customer to a company: the one already linked, else one with the customer's email
 * domain and no Stripe link yet, else a new company. Returns the company id.
 */
export async function linkStripeCustomer(
  db: Db,
  workspaceId: string,
  customer: { id: string; name: string | null; email: string | null; createdAt: Date | null },
): Promise<{ id: string; created: boolean }> {
  const linked = await companyOfStripeCustomer(db, workspaceId, customer.id);
  if (linked) {
    if (customer.name && customer.name !== linked.name) {
      await db
        .updateTable("companies")
        .set({ name: customer.name, updated_at: sql`now()` })
        .where("workspace_id", "=", workspaceId)
        .where("id", "=", linked.id)
        .execute();
    }
    return { id: linked.id, created: false };
  }
  const domain = customer.email?.split("@")[1]?.toLowerCase() ?? null;
  if (domain) {
    const byDomain = await db
      .selectFrom("companies")
      .select("id")
      .where("workspace_id", "=", workspaceId)
      .where("domain", "=", domain)
      .where("stripe_customer_id", "is", null)
      .orderBy("created_at")
      .executeTakeFirst();
    if (byDomain) {
      await db
        .updateTable("companies")
        .set({ stripe_customer_id: customer.id, updated_at: sql`now()` })
        .where("workspace_id", "=", workspaceId)
        .where("id", "=", byDomain.id)
        .execute();
      return { id: byDomain.id, created: false };
    }
  }
  const row = await db
    .insertInto("companies")
    .values({
      workspace_id: workspaceId,
      name: customer.name?.trim() || customer.email || customer.id,
      domain,
      stripe_customer_id: customer.id,
      signup_at: customer.createdAt,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: row.id, created: true };
}

/** Billing fields mirrored from Stripe onto the company record. */
export async function setCompanyBilling(
  db: Db,
  workspaceId: string,
  id: string,
  fields: {
    plan?: string | null;
    mrr_cents?: number;
    seats?: number | null;
    renewal_at?: Date | null;
    billing_status?: BillingStatus | null;
  },
): Promise<void> {
  const values = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  if (Object.keys(values).length === 0) return;
  await db
    .updateTable("companies")
    .set({ ...values, updated_at: sql`now()` })
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .execute();
}
