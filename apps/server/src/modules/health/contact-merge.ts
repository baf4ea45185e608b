import type { Db } from "../../db/database.ts";

/** Contact merge step: usage the duplicate generated is attributed to the kept contact. */
export async function moveUsageContactRows(
  trx: Db,
  workspaceId: string,
  fromContactId: string,
  toContactId: string,
): Promise<void> {
  await trx
    .updateTable("usage_events")
    .set({ contact_id: toContactId })
    .where("workspace_id", "=", workspaceId)
    .where("contact_id", "=", fromContactId)
    .execute();
}
