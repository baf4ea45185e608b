import type { Db } from "../../db/database.ts";

/** Contact merge step: the duplicate's surveys (and so their responses) count for the kept contact. */
export async function moveSurveyContactRows(
  trx: Db,
  workspaceId: string,
  fromContactId: string,
  toContactId: string,
): Promise<void> {
  await trx
    .updateTable("surveys")
    .set({ contact_id: toContactId })
    .where("workspace_id", "=", workspaceId)
    .where("contact_id", "=", fromContactId)
    .execute();
}
