import type { Db } from "../../db/database.ts";

/**
 * Contact merge step: the duplicate's chat visitors and signed-in identities follow the kept
 * contact, so the same browser or the same customer id keeps landing on one person.
 */
export async function moveWidgetContactRows(
  trx: Db,
  workspaceId: string,
  fromContactId: string,
  toContactId: string,
): Promise<void> {
  await trx
    .updateTable("widget_visitors")
    .set({ contact_id: toContactId })
    .where("workspace_id", "=", workspaceId)
    .where("contact_id", "=", fromContactId)
    .execute();
  // external_id alone is the key, so no two identities can collide on the kept contact.
  await trx
    .updateTable("widget_identities")
    .set({ contact_id: toContactId })
    .where("workspace_id", "=", workspaceId)
    .where("contact_id", "=", fromContactId)
    .execute();
}
