import { type Expression, type SelectQueryBuilder, type SqlBool, sql } from "kysely";
import { decodeCursor, encodeCursor } from "./cursor.ts";

/**
 * Keyset pagination over (sort column desc, id desc). The cursor keeps the timestamp at the
 * database's microsecond precision, so no row is skipped or repeated between pages.
 */
export async function keysetPage<DB, TB extends keyof DB, O extends { id: string }>(
  query: SelectQueryBuilder<DB, TB, O>,
  options: { column: string; cursor?: string; limit: number },
): Promise<{ data: O[]; next_cursor: string | null }> {
  const column = sql.ref(options.column);
  let q = query
    .select(
      sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as(
        "__sort",
      ) as never,
    )
    .orderBy(sql`${column} desc`)
    .orderBy(sql`${sql.ref(options.column.replace(/[^.]+$/, "id"))} desc`)
    .limit(options.limit + 1);
  if (options.cursor) {
    const [at, id] = decodeCursor(options.cursor, ["date", "uuid"]);
    const idRef = sql.ref(options.column.replace(/[^.]+$/, "id"));
    q = q.where(
      sql<SqlBool>`(${column}, ${idRef}) < (${at}::timestamptz, ${id}::uuid)` as Expression<SqlBool>,
    );
  }
  const rows = (await q.execute()) as unknown as (O & { __sort: string })[];
  const hasMore = rows.length > options.limit;
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  return {
    data: page.map(({ __sort, ...row }) => row as unknown as O),
    next_cursor: hasMore && last ? encodeCursor([last.__sort, last.id]) : null,
  };
}
