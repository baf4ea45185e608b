import type { AppContext } from "../../context.ts";
import type { Principal } from "../../http/principal.ts";
import { companyFacts, companyIdsAfter } from "../companies/records.ts";
import { updateCompany } from "../companies/service.ts";
import { recomputeWorkspace } from "./recompute.ts";
import { recordUsageEvent } from "./usage.ts";

const DAY = 86_400_000;

/** Seats and a month of product usage per demo company: one grows, one fades, one holds steady. */
const PROFILES: Record<string, { seats: number; used: number; before: number; recent: number }> = {
  "Northwind Analytics": { seats: 20, used: 19, before: 30, recent: 75 },
  "Bluebird Labs": { seats: 10, used: 2, before: 40, recent: 0 },
  "Halcyon Health": { seats: 200, used: 150, before: 400, recent: 420 },
};

/**
 * Gives the demo workspace's companies seats and usage, then computes their health, so the health
 * screens show an upsell prospect, a company at risk and a steady one. Safe to run again: a
 * workspace whose health was computed before is left alone.
 */
export async function seedSuccess(ctx: AppContext, owner: Principal, progress: (m: string) => void) {
  const ws = owner.workspaceId;
  const computed = await ctx.db
    .selectFrom("company_health")
    .select("company_id")
    .where("workspace_id", "=", ws)
    .limit(1)
    .executeTakeFirst();
  if (computed) return;
  progress("adding seats and product usage, and computing customer health");
  const facts = await companyFacts(ctx.db, ws, await companyIdsAfter(ctx.db, ws, null, 100));
  const now = ctx.now().getTime();
  for (const company of facts.values()) {
    const profile = PROFILES[company.name];
    if (!profile) continue;
    await updateCompany(ctx, owner, company.id, { seats: profile.seats, seats_used: profile.used });
    for (const [quantity, daysAgo] of [
      [profile.before, 45],
      [profile.recent, 5],
    ]) {
      if (quantity === 0) continue;
      await recordUsageEvent(ctx, owner, {
        name: "report.viewed",
        company_id: company.id,
        quantity,
        occurred_at: new Date(now - daysAgo * DAY).toISOString(),
      });
    }
  }
  await recomputeWorkspace(ctx, ws);
}
