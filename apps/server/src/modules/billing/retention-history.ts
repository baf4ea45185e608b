import type { Db } from "../../db/database.ts";

/**
 * Appends a company's billing state to its history when its status or MRR changed. Events of
 * different subscriptions may arrive out of order: a row is never dated before the company's
 * latest one, so the history stays in order and its last row is always the current state.
 */
export async function recordMrrChange(
  trx: Db,
  workspaceId: string,
  companyId: string,
  at: Date,
  status: string,
  mrrCents: number,
): Promise<void> {
  const last = await trx
    .selectFrom("billing_mrr_history")
    .select(["at", "status", "mrr_cents"])
    .where("workspace_id", "=", workspaceId)
    .where("company_id", "=", companyId)
    .orderBy("at", "desc")
    .limit(1)
    .executeTakeFirst();
  if (last && last.status === status && Number(last.mrr_cents) === mrrCents) return;
  const lastAt = last ? new Date(last.at) : null;
  await trx
    .insertInto("billing_mrr_history")
    .values({
      workspace_id: workspaceId,
      company_id: companyId,
      at: lastAt && lastAt > at ? lastAt : at,
      status,
      mrr_cents: mrrCents,
    })
    .execute();
}

export interface MrrPoint {
  at: Date;
  status: string;
  mrr_cents: number;
}

/** Every company's history up to `before`, oldest first. */
export async function mrrHistoryBefore(db: Db, workspaceId: string, before: Date) {
  const rows = await db
    .selectFrom("billing_mrr_history")
    .select(["company_id", "at", "status", "mrr_cents"])
    .where("workspace_id", "=", workspaceId)
    .where("at", "<", before)
    .orderBy("company_id")
    .orderBy("at")
    .orderBy("id")
    .execute();
  const byCompany = new Map<string, MrrPoint[]>();
  for (const row of rows) {
    const list = byCompany.get(row.company_id) ?? [];
    if (list.length === 0) byCompany.set(row.company_id, list);
    list.push({ at: new Date(row.at), status: row.status, mrr_cents: Number(row.mrr_cents) });
  }
  return byCompany;
}

/** Payment_failed dunning cases closed in [from, before): when, and whether the card was saved. */
export async function dunningClosedBetween(db: Db, workspaceId: string, from: Date, before: Date) {
  const rows = await db
    .selectFrom("dunning_cases")
    .select(["company_id", "closed_at", "state"])
    .where("workspace_id", "=", workspaceId)
    .where("reason", "=", "payment_failed")
    .where("state", "!=", "open")
    .where("closed_at", ">=", from)
    .where("closed_at", "<", before)
    .execute();
  return rows.map((r) => ({
    company_id: r.company_id,
    closed_at: new Date(r.closed_at as Date),
    recovered: r.state === "recovered",
  }));
}
