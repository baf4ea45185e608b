import type { Db } from "../../db/database.ts";

/**
 * How many conversations of each status in `statuses` carry each tag, in one grouped join (the
 * conversations module's view counts). Keyed by tag id, then status.
 */
export async function conversationCountsByTag(
  db: Db,
  workspaceId: string,
  statuses: string[],
): Promise<Map<string, Map<string, number>>> {
  const rows = await db
    .selectFrom("conversation_tags as ct")
    .innerJoin("conversations as c", (join) =>
      join.onRef("c.workspace_id", "=", "ct.workspace_id").onRef("c.id", "=", "ct.conversation_id"),
    )
    .select(["ct.tag_id", "c.status"])
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("ct.workspace_id", "=", workspaceId)
    .where("c.status", "in", statuses as never[])
    .groupBy(["ct.tag_id", "c.status"])
    .execute();
  const byTag = new Map<string, Map<string, number>>();
  for (const row of rows) {
    const counts = byTag.get(row.tag_id) ?? new Map<string, number>();
    counts.set(row.status, Number(row.n));
    byTag.set(row.tag_id, counts);
  }
  return byTag;
}
