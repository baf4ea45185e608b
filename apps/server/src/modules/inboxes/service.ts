import type { Db } from "../../db/database.ts";
import { notFound } from "../../lib/errors.ts";

/** An inbox of the workspace, or a 404 problem (also for another workspace's inbox). */
export async function getInbox(db: Db, workspaceId: string, id: string) {
  const inbox = await db.selectFrom("inboxes").selectAll().where("workspace_id", "=", workspaceId).where("id", "=", id).executeTakeFirst();
  if (!inbox) throw notFound("Inbox");
  return inbox;
}
