import type { Db } from "../../db/database.ts";

/** Open dunning cases of these companies: what health counts as a failed payment. */
export async function paymentTroubleOf(db: Db, workspaceId: string, companyIds: readonly string[]) {
  const trouble = new Map<string, { failed_at: Date; reason: "payment_failed" | "card_expiring" }>();
  if (companyIds.length === 0) return trouble;
  const rows = await db
    .selectFrom("dunning_cases")
    .select(["company_id", "opened_at", "reason"])
    .where("workspace_id", "=", workspaceId)
    .where("company_id", "in", [...companyIds])
    .where("state", "=", "open")
    .execute();
  for (const row of rows)
    trouble.set(row.company_id, { failed_at: new Date(row.opened_at), reason: row.reason });
  return trouble;
}
