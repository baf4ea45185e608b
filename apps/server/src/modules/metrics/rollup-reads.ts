import { type RawBuilder, sql } from "kysely";
import type { Db } from "../../db/database.ts";
import type { Channel, SurveyRating } from "../../db/schema.ts";
import { BUCKETS } from "./histogram.ts";
import { type Latency, RATINGS } from "./rollups.ts";

export interface RollupFilter {
  /** Local dates, both included. */
  from: string;
  to: string;
  inboxId?: string;
  channel?: Channel;
  agentId?: string;
}

export type RollupGroup = "day" | "channel" | "inbox" | "agent" | null;

export interface LatencySums {
  count: number;
  sum: number;
  hist: number[];
}

export interface RollupSums {
  key: string | null;
  conversations: number;
  replies: number;
  latency: Partial<Record<Latency, LatencySums>>;
  csat: Record<SurveyRating | "comments", number>;
}

/** What each grouping selects as its key, and groups by (days by the date itself: index order). */
const groups: Record<Exclude<RollupGroup, null>, { key: RawBuilder<string>; by: RawBuilder<unknown> }> = {
  day: { key: sql<string>`to_char(day, 'YYYY-MM-DD')`, by: sql`day` },
  channel: { key: sql<string>`channel`, by: sql`channel` },
  inbox: { key: sql<string>`inbox_id::text`, by: sql`inbox_id` },
  agent: { key: sql<string>`agent_id::text`, by: sql`agent_id` },
};

/**
 * Adds up the daily rollups of a range, per group. Histograms are summed bucket by bucket in SQL
 * (sum(h[1]), sum(h[2]), …), so the database returns one short row per group however many rollup
 * rows the range holds. Each query reads the coarsest level that answers it: per agent only when
 * about agents, per inbox and channel only when about or filtered by those, else the workspace's
 * days, which a series by day reads as they are, without adding anything up. Results come back as
 * int, float8 and int[] (a histogram in one column): converting wide numeric rows is what costs most
 * in the embedded engine.
 */
export async function sumRollups(
  db: Db,
  workspaceId: string,
  filter: RollupFilter,
  options: {
    group: RollupGroup;
    latencies: readonly Latency[];
    business: boolean;
    /** Volume and CSAT counts too (false: only the latencies, for a report about them). */
    counts?: boolean;
  },
): Promise<RollupSums[]> {
  const counts = options.counts !== false;
  const group = options.group ? groups[options.group] : null;
  const table =
    options.group === "agent" || filter.agentId
      ? "report_daily_rollups"
      : options.group === "inbox" || options.group === "channel" || filter.inboxId || filter.channel
        ? "report_daily_totals"
        : "report_daily_workspace";
  // One workspace row per day: a series by day needs no adding up.
  const direct = table === "report_daily_workspace" && options.group === "day";
  const total = (expression: string, type: "int" | "float8") =>
    direct ? `${expression}::${type}` : `sum(${expression})::${type}`;
  const select: RawBuilder<unknown>[] = [sql`${group ? group.key : sql`null`} as key`];
  if (counts) {
    select.push(sql.raw(`${total("conversations", "int")} as conversations`));
    select.push(sql.raw(`${total("replies", "int")} as replies`));
    for (const r of [...RATINGS, "comments"])
      select.push(sql.raw(`${total(`csat_${r}`, "int")} as csat_${r}`));
  }
  const suffix = options.business ? "_business" : "";
  for (const name of options.latencies) {
    const hist = `${name}${suffix}_hist`;
    select.push(sql.raw(`${total(`${name}_count`, "int")} as ${name}_count`));
    select.push(sql.raw(`${total(`${name}${suffix}_sum_ms`, "float8")} as ${name}_sum`));
    const buckets = Array.from({ length: BUCKETS }, (_, i) => `sum(${hist}[${i + 1}])::int`);
    select.push(sql.raw(`${direct ? hist : `array[${buckets.join(",")}]`} as ${name}_hist`));
  }
  const conditions = [
    sql`workspace_id = ${workspaceId}`,
    sql`day >= ${filter.from}::date`,
    sql`day <= ${filter.to}::date`,
  ];
  if (filter.inboxId) conditions.push(sql`inbox_id = ${filter.inboxId}`);
  if (filter.channel) conditions.push(sql`channel = ${filter.channel}`);
  if (filter.agentId) conditions.push(sql`agent_id = ${filter.agentId}`);
  const groupBy = !group
    ? sql``
    : direct
      ? sql`order by day`
      : sql`group by ${group.by} order by ${group.by}`;
  const where = sql.join(conditions, sql` and `);
  const query = sql<
    Record<string, string | number | number[] | null>
  >`select ${sql.join(select)} from ${sql.table(table)} where ${where} ${groupBy}`;
  const result = await query.execute(db);
  return result.rows
    .filter((row) => options.group === null || row.key !== null)
    .map((row) => {
      const n = (name: string) => Number(row[name] ?? 0);
      const latency: Partial<Record<Latency, LatencySums>> = {};
      for (const name of options.latencies) {
        latency[name] = {
          count: n(`${name}_count`),
          sum: n(`${name}_sum`),
          hist: ((row[`${name}_hist`] as number[] | null) ?? new Array(BUCKETS).fill(0)).map(Number),
        };
      }
      return {
        key: row.key === null ? null : String(row.key),
        conversations: n("conversations"),
        replies: n("replies"),
        latency,
        csat: {
          great: n("csat_great"),
          good: n("csat_good"),
          okay: n("csat_okay"),
          bad: n("csat_bad"),
          comments: n("csat_comments"),
        },
      };
    });
}

/** Conversations per local date and hour of the range (for the hour-of-week grid). */
export async function hourlyVolume(db: Db, workspaceId: string, filter: RollupFilter) {
  let query = db
    .selectFrom("report_hourly_volume")
    .select([
      sql<string>`to_char(day, 'YYYY-MM-DD')`.as("day"),
      "hour",
      sql<string>`sum(conversations)`.as("conversations"),
    ])
    .where("workspace_id", "=", workspaceId)
    .where(sql`day`, ">=", sql`${filter.from}::date`)
    .where(sql`day`, "<=", sql`${filter.to}::date`)
    .groupBy(["day", "hour"]);
  if (filter.inboxId) query = query.where("inbox_id", "=", filter.inboxId);
  if (filter.channel) query = query.where("channel", "=", filter.channel);
  const rows = await query.execute();
  return rows.map((r) => ({ day: r.day, hour: Number(r.hour), conversations: Number(r.conversations) }));
}
