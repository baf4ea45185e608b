import { sql } from "kysely";
import type { Db } from "./database.ts";

/**
 * Which of the given workspaces have at least one row in a table of the caller's own module: one
 * query, an index probe per workspace. Listeners use it to skip, for a whole batch, the workspaces
 * that do not use a feature at all.
 */
export async function workspacesWithRows(
  db: Db,
  table: string,
  workspaceIds: string[],
): Promise<Set<string>> {
  if (workspaceIds.length === 0) return new Set();
  const result = await sql<{ workspace_id: string }>`
    select w::text as workspace_id from unnest(${workspaceIds}::uuid[]) as w
    where exists (select 1 from ${sql.table(table)} t where t.workspace_id = w)`.execute(db);
  return new Set(result.rows.map((row) => row.workspace_id));
}
