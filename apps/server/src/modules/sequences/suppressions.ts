import type { Db } from "../../db/database.ts";

/*
 * Contacts that automation must never email again: they unsubscribed (one click from any sequence
 * mail) or mail to them bounced. Personal mail written by an agent still reaches an unsubscribed
 * contact; a bounced address is skipped everywhere.
 */

export type SuppressionReason = "unsubscribed" | "bounced";

/** Why the contact may not be mailed by automation, or null when they may. */
export async function isSuppressed(
  db: Db,
  workspaceId: string,
  contactId: string,
): Promise<SuppressionReason | null> {
  const row = await db
    .selectFrom("email_suppressions")
    .select("reason")
    .where("workspace_id", "=", workspaceId)
    .where("contact_id", "=", contactId)
    .executeTakeFirst();
  return row?.reason ?? null;
}

/** Records a suppression; the first reason recorded stays (an unsubscribe is not overwritten by a bounce). */
export async function suppress(
  db: Db,
  entry: { workspaceId: string; contactId: string; reason: SuppressionReason; detail?: string; at: Date },
): Promise<boolean> {
  const row = await db
    .insertInto("email_suppressions")
    .values({
      workspace_id: entry.workspaceId,
      contact_id: entry.contactId,
      reason: entry.reason,
      detail: entry.detail ?? null,
      created_at: entry.at,
    })
    .onConflict((oc) => oc.columns(["workspace_id", "contact_id"]).doNothing())
    .returning("contact_id")
    .executeTakeFirst();
  return row !== undefined;
}
