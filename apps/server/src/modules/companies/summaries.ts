import type { Db } from "../../db/database.ts";

/** Name, plan and MRR of several companies of the workspace at once (for lists of customers). */
export async function companySummaries(db: Db, workspaceId: string, ids: string[]) {
  if (ids.length === 0) return new Map<string, CompanySummary>();
  const rows = await db
    .selectFrom("companies")
    .select(["id", "name", "plan", "mrr_cents"])
    .where("workspace_id", "=", workspaceId)
    .where("id", "in", ids)
    .execute();
  return new Map(rows.map((row) => [row.id, { ...row, mrr_cents: Number(row.mrr_cents) }]));
}

export interface CompanySummary {
  id: string;
  name: string;
  plan: string | null;
  mrr_cents: number;
}
