import { sql } from "kysely";
import type { Db } from "../../db/database.ts";
import { type DailyCell, LATENCIES, RATINGS, type RollupDelta, type RollupLevel } from "./rollups.ts";

/** Where each level of the daily rollups lives, and the columns that identify a row. */
export const ROLLUP_TABLES: Record<RollupLevel, { table: string; dimensions: string[] }> = {
  agent: { table: "report_daily_rollups", dimensions: ["day", "inbox_id", "channel", "agent_id"] },
  inbox: { table: "report_daily_totals", dimensions: ["day", "inbox_id", "channel"] },
  workspace: { table: "report_daily_workspace", dimensions: ["day"] },
};
const LEVELS: RollupLevel[] = ["agent", "inbox", "workspace"];

function rowOf(workspaceId: string, c: DailyCell, level: RollupLevel) {
  const row: Record<string, unknown> = { workspace_id: workspaceId };
  for (const dimension of ROLLUP_TABLES[level].dimensions) row[dimension] = c[dimension as keyof DailyCell];
  row.conversations = c.conversations;
  row.replies = c.replies;
  for (const name of LATENCIES) {
    const l = c.latency[name];
    row[`${name}_count`] = l.count;
    row[`${name}_sum_ms`] = l.sum;
    row[`${name}_business_sum_ms`] = l.business_sum;
    row[`${name}_hist`] = l.hist;
    row[`${name}_business_hist`] = l.business_hist;
  }
  for (const rating of [...RATINGS, "comments"] as const) row[`csat_${rating}`] = c.csat[rating];
  return row;
}

const ADDED_COLUMNS = [
  "conversations",
  "replies",
  ...LATENCIES.flatMap((n) => [`${n}_count`, `${n}_sum_ms`, `${n}_business_sum_ms`]),
  ...[...RATINGS, "comments"].map((r) => `csat_${r}`),
];
const ARRAY_COLUMNS = LATENCIES.flatMap((n) => [`${n}_hist`, `${n}_business_hist`]);

/**
 * Adds a delta to the stored rollups inside the caller's transaction: every level of the daily
 * rollups and the hourly volume. Rows are touched in one order (level, then key), so two
 * transactions updating overlapping rows wait for each other instead of deadlocking.
 */
export async function applyDelta(trx: Db, workspaceId: string, delta: RollupDelta): Promise<void> {
  for (const level of LEVELS) {
    const { table, dimensions } = ROLLUP_TABLES[level];
    const set: Record<string, unknown> = {};
    for (const column of ADDED_COLUMNS) set[column] = sql.raw(`${table}.${column} + excluded.${column}`);
    for (const column of ARRAY_COLUMNS) {
      set[column] = sql.raw(`keepwell_add_int_arrays(${table}.${column}, excluded.${column})`);
    }
    for (const cell of delta.changed(level)) {
      await trx
        .insertInto(table as "report_daily_rollups")
        .values(rowOf(workspaceId, cell, level) as never)
        .onConflict((oc) => oc.columns(["workspace_id", ...dimensions] as never).doUpdateSet(set as never))
        .execute();
    }
  }
  for (const cell of delta.changedHourly()) {
    await trx
      .insertInto("report_hourly_volume")
      .values({ workspace_id: workspaceId, ...cell })
      .onConflict((oc) =>
        oc
          .columns(["workspace_id", "day", "inbox_id", "channel", "hour"])
          .doUpdateSet({ conversations: sql`report_hourly_volume.conversations + excluded.conversations` }),
      )
      .execute();
  }
}

/** Replaces a workspace's rollups with the given totals (the rebuild), in the caller's transaction. */
export async function replaceRollups(trx: Db, workspaceId: string, totals: RollupDelta): Promise<void> {
  for (const level of LEVELS) {
    const { table } = ROLLUP_TABLES[level];
    await sql`delete from ${sql.table(table)} where workspace_id = ${workspaceId}`.execute(trx);
    await insertJson(
      trx,
      table,
      totals.changed(level).map((c) => rowOf(workspaceId, c, level)),
    );
  }
  await trx.deleteFrom("report_hourly_volume").where("workspace_id", "=", workspaceId).execute();
  await insertJson(
    trx,
    "report_hourly_volume",
    totals.changedHourly().map((c) => ({ workspace_id: workspaceId, ...c })),
  );
}

/** Bulk insert with one JSON parameter per few thousand rows (json_populate_recordset). */
async function insertJson(trx: Db, table: string, rows: object[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 2000) {
    const json = JSON.stringify(rows.slice(i, i + 2000));
    await sql`insert into ${sql.table(table)} select * from json_populate_recordset(null::${sql.table(table)}, ${json}::json)`.execute(
      trx,
    );
  }
}
