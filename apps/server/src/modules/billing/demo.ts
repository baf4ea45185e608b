import type { AppContext } from "../../context.ts";
import type { Principal } from "../../http/principal.ts";
import { companyFacts, companyIdsAfter } from "../companies/records.ts";
import { recordMrrChange } from "./retention-history.ts";

/**
 * A year of billing history for the demo companies, so the retention report has a story to tell:
 * one customer grows into a bigger plan, one shrinks to the cheapest, and the largest pauses for a
 * month instead of cancelling, then comes back. Each history ends at the company's current MRR.
 * Months are counted back from the seeding day; values in cents.
 */
const HISTORIES: Record<string, { monthsAgo: number; status: string; mrr_cents: number }[]> = {
  "Northwind Analytics": [
    { monthsAgo: 11, status: "active", mrr_cents: 4_900 },
    { monthsAgo: 6, status: "active", mrr_cents: 49_000 },
  ],
  "Bluebird Labs": [
    { monthsAgo: 11, status: "active", mrr_cents: 49_000 },
    { monthsAgo: 4, status: "active", mrr_cents: 4_900 },
  ],
  "Halcyon Health": [
    { monthsAgo: 10, status: "active", mrr_cents: 240_000 },
    { monthsAgo: 3, status: "paused", mrr_cents: 0 },
    { monthsAgo: 2, status: "active", mrr_cents: 240_000 },
  ],
};

/** Safe to run again: a company that already has history is left alone. */
export async function seedBillingHistory(
  ctx: AppContext,
  owner: Principal,
  progress: (message: string) => void,
): Promise<void> {
  const ws = owner.workspaceId;
  const seeded = await ctx.db
    .selectFrom("billing_mrr_history")
    .select("id")
    .where("workspace_id", "=", ws)
    .limit(1)
    .executeTakeFirst();
  if (seeded) return;
  progress("adding a year of billing history for the retention report");
  const facts = await companyFacts(ctx.db, ws, await companyIdsAfter(ctx.db, ws, null, 100));
  const now = ctx.now();
  await ctx.db.transaction().execute(async (trx) => {
    for (const company of facts.values()) {
      for (const point of HISTORIES[company.name] ?? []) {
        const at = new Date(
          Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - point.monthsAgo, 12, 10),
        );
        await recordMrrChange(trx, ws, company.id, at, point.status, point.mrr_cents);
      }
    }
  });
}
