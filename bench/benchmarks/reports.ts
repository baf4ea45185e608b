import { isDeepStrictEqual } from "node:util";
import type { AppContext } from "../../apps/server/src/context.ts";
import { type Database, openPglite, openPostgres } from "../../apps/server/src/db/database.ts";
import type { Principal } from "../../apps/server/src/http/principal.ts";
import { BOUNDS_MS, BUCKETS, quantile } from "../../apps/server/src/modules/metrics/histogram.ts";
import { rebuildWorkspaceRollups } from "../../apps/server/src/modules/metrics/rebuild.ts";
import { asaReport, csatReport } from "../../apps/server/src/modules/reports/service.ts";
import type { BenchContext, Benchmark } from "../lib/context.ts";
import { temporaryDataDir, throwawayPostgres } from "../lib/databases.ts";
import { type FactRow, median, type Section } from "../lib/report.ts";
import { seedReportWorkspace } from "../lib/report-seed.ts";

type Kind = "postgres" | "pglite";
const TIME_ZONE = "America/New_York";
/** The aims for the 12-month report by day. */
const AIM_MS = 100;
const AIM_SPEEDUP = 20;
const RUNS = 15;
/** Untimed runs first: a long-running server has its code compiled and its pages cached. */
const WARMUP_RUNS = 5;

export const reportBenchmarks: Benchmark[] = [
  {
    name: "reports-postgres",
    summary:
      "12-month ASA + CSAT report by day from rollups vs plain SQL over conversations (BENCH_PG_CONVERSATIONS)",
    run: (ctx) => reports(ctx, "postgres"),
  },
  {
    name: "reports-pglite",
    summary: "the same on embedded PGlite (BENCH_PGLITE_CONVERSATIONS)",
    run: (ctx) => reports(ctx, "pglite"),
  },
];

/** The last full year of local dates, ending yesterday. */
function lastYear(): { from: string; to: string } {
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  return { from: day(-365), to: day(-1) };
}

async function reports(ctx: BenchContext, kind: Kind): Promise<Section[]> {
  const { settings, cleanup, progress } = ctx;
  const count = kind === "postgres" ? settings.pgConversations : settings.pgliteConversations;
  let database: Database;
  if (kind === "postgres") {
    const created = await throwawayPostgres(cleanup, settings.adminDatabaseUrl);
    progress(`created database ${created.name}`);
    database = await openPostgres(created.url, 2);
  } else {
    database = await openPglite(temporaryDataDir(cleanup, "reports").dir);
  }
  const closeDatabase = cleanup.add("close the reports database", () => database.close());
  const range = lastYear();

  progress(
    `seeding ${count.toLocaleString("en-US")} conversations with messages and survey answers into ${kind}`,
  );
  let t = performance.now();
  const seeded = await seedReportWorkspace(
    database,
    {
      conversations: count,
      ...range,
      timeZone: TIME_ZONE,
      batchSize: kind === "postgres" ? 100_000 : 25_000,
    },
    progress,
  );
  const seedSeconds = (performance.now() - t) / 1000;

  progress("building the rollups with the rebuild command's own code (keepwell rebuild-rollups)");
  const app = { db: database.db, now: () => new Date() } as unknown as AppContext;
  t = performance.now();
  const rebuilt = await rebuildWorkspaceRollups(app, seeded.workspaceId, progress);
  const rebuildSeconds = (performance.now() - t) / 1000;

  const principal: Principal = {
    agentId: seeded.ownerId,
    workspaceId: seeded.workspaceId,
    role: "owner",
    via: "token",
    credentialId: "bench",
  };
  const fromRollups = async () => {
    const asa = await asaReport(app, principal, { ...range, by: "day" });
    const csat = await csatReport(app, principal, { ...range, by: "day" });
    return figures(asa.rows, csat.rows);
  };
  const fromConversations = () => baseline(database, seeded.workspaceId, range);

  progress(`timing each way ${RUNS} times after ${WARMUP_RUNS} untimed runs`);
  const reportResult = await fromRollups();
  const baselineResult = await fromConversations();
  for (let i = 1; i < WARMUP_RUNS; i++) {
    await fromRollups();
    await fromConversations();
  }
  const reportTimes: number[] = [];
  const baselineTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    reportTimes.push(await timed(fromRollups));
    baselineTimes.push(await timed(fromConversations));
  }
  await closeDatabase();

  const identical = isDeepStrictEqual(reportResult, baselineResult);
  const difference = identical ? "" : firstDifference(reportResult, baselineResult);
  const reportMs = median(reportTimes);
  const baselineMs = median(baselineTimes);
  const speedup = baselineMs / reportMs;
  const spread = (values: number[]) =>
    `median of ${values.length}; ${values.map((v) => v.toFixed(1)).join(", ")} ms`;
  const answered = reportResult.reduce((n, d) => n + d.asa.count, 0);
  const responses = reportResult.reduce((n, d) => n + d.csat.responses, 0);
  const facts: FactRow[] = [
    {
      label: "seed (conversations, messages, surveys)",
      value: seedSeconds,
      unit: "s",
      detail: `${seeded.messages.toLocaleString("en-US")} messages, ${seeded.responses.toLocaleString("en-US")} survey answers`,
    },
    {
      label: "rebuild of metrics and rollups",
      value: rebuildSeconds,
      unit: "s",
      detail: `${rebuilt.conversations.toLocaleString("en-US")} conversations → ${rebuilt.dailyRows.toLocaleString("en-US")} daily rollup rows`,
    },
    {
      label: "report from rollups (ASA + CSAT, 365 days)",
      value: reportMs,
      unit: "ms",
      detail: `${reportMs < AIM_MS ? "✓" : "✗"} < ${AIM_MS} ms · ${spread(reportTimes)}`,
    },
    {
      label: "baseline: plain SQL over conversations",
      value: baselineMs,
      unit: "ms",
      detail: spread(baselineTimes),
    },
    {
      label: "speedup",
      value: speedup,
      unit: "×",
      detail: `${speedup >= AIM_SPEEDUP ? "✓" : "✗"} ≥ ${AIM_SPEEDUP}×`,
    },
    {
      label: "figures identical",
      value: identical ? 1 : 0,
      unit: identical ? "yes" : "NO",
      detail: identical
        ? `${reportResult.length} days, ${answered.toLocaleString("en-US")} answers timed, ${responses.toLocaleString("en-US")} ratings`
        : difference,
    },
  ];
  if (!identical) progress(`✗ the report and the baseline disagree: ${difference}`);
  return [
    {
      title: `Reports on ${kind === "postgres" ? "PostgreSQL" : "embedded PGlite"}: ${count.toLocaleString("en-US")} conversations`,
      context: `12-month ASA (count, mean, median, p90) and CSAT (counts per answer) by day in ${TIME_ZONE}, ${range.from} – ${range.to}; both ways in-process on the same database`,
      loads: [],
      facts,
    },
  ];
}

interface DayFigures {
  day: string;
  asa: { count: number; mean_ms: number | null; median_ms: number | null; p90_ms: number | null };
  csat: { responses: number; great: number; good: number; okay: number; bad: number; comments: number };
}

function figures(
  asa: {
    key: string;
    count: number;
    mean_ms: number | null;
    median_ms: number | null;
    p90_ms: number | null;
  }[],
  csat: {
    key: string;
    responses: number;
    great: number;
    good: number;
    okay: number;
    bad: number;
    comments: number;
  }[],
): DayFigures[] {
  const byDay = new Map(csat.map((c) => [c.key, c]));
  return asa.map((a) => {
    const c = byDay.get(a.key);
    return {
      day: a.key,
      asa: { count: a.count, mean_ms: a.mean_ms, median_ms: a.median_ms, p90_ms: a.p90_ms },
      csat: {
        responses: c?.responses ?? 0,
        great: c?.great ?? 0,
        good: c?.good ?? 0,
        okay: c?.okay ?? 0,
        bad: c?.bad ?? 0,
        comments: c?.comments ?? 0,
      },
    };
  });
}

/**
 * The same figures straight from the conversations and survey answers, in plain SQL: each
 * conversation's wait from its first customer message to the first human response, grouped by the
 * local day of the request and by the report's fixed latency buckets (width_bucket), and each survey
 * answer by its local day. Means come from the exact sums; medians and p90 from the bucket counts
 * with the reports' own estimator, so both ways must agree to the millisecond.
 */
async function baseline(
  database: Database,
  workspaceId: string,
  range: { from: string; to: string },
): Promise<DayFigures[]> {
  const start = `(timestamp '${range.from} 00:00' at time zone '${TIME_ZONE}')`;
  const end = `(timestamp '${range.to} 00:00' at time zone '${TIME_ZONE}' + interval '1 day')`;
  const bounds = `array[${BOUNDS_MS.join(",")}]::bigint[]`;
  const waits = rowsOf(
    await database.executeSql(
      `select to_char(first_customer_message_at at time zone '${TIME_ZONE}', 'YYYY-MM-DD') as day,
              width_bucket(ms, ${bounds}) as bucket, count(*)::int as n, sum(ms)::text as total
       from (select first_customer_message_at,
                    (extract(epoch from first_human_response_at - first_customer_message_at) * 1000)::bigint as ms
             from conversations
             where workspace_id = '${workspaceId}' and first_human_response_at is not null
               and first_customer_message_at >= ${start} and first_customer_message_at < ${end}) c
       group by 1, 2`,
    ),
  ) as { day: string; bucket: number; n: number; total: string }[];
  const answers = rowsOf(
    await database.executeSql(
      `select to_char(responded_at at time zone '${TIME_ZONE}', 'YYYY-MM-DD') as day, rating, count(*)::int as n,
              count(comment)::int as comments
       from survey_responses
       where workspace_id = '${workspaceId}' and responded_at >= ${start} and responded_at < ${end}
       group by 1, 2`,
    ),
  ) as { day: string; rating: "great" | "good" | "okay" | "bad"; n: number; comments: number }[];
  const days = new Map<string, { hist: number[]; sum: number; csat: DayFigures["csat"] }>();
  for (
    let d = Date.parse(`${range.from}T12:00:00Z`);
    d <= Date.parse(`${range.to}T12:00:00Z`);
    d += 86_400_000
  ) {
    days.set(new Date(d).toISOString().slice(0, 10), {
      hist: new Array(BUCKETS).fill(0),
      sum: 0,
      csat: { responses: 0, great: 0, good: 0, okay: 0, bad: 0, comments: 0 },
    });
  }
  for (const w of waits) {
    const day = days.get(w.day)!;
    day.hist[Number(w.bucket)] += Number(w.n);
    day.sum += Number(w.total);
  }
  for (const a of answers) {
    const day = days.get(a.day)!.csat;
    day[a.rating] += Number(a.n);
    day.responses += Number(a.n);
    day.comments += Number(a.comments);
  }
  return [...days.entries()].map(([day, f]) => {
    const count = f.hist.reduce((a, b) => a + b, 0);
    return {
      day,
      asa: {
        count,
        mean_ms: count ? Math.round(f.sum / count) : null,
        median_ms: quantile(f.hist, 0.5),
        p90_ms: quantile(f.hist, 0.9),
      },
      csat: f.csat,
    };
  });
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

function firstDifference(a: DayFigures[], b: DayFigures[]): string {
  if (a.length !== b.length) return `${a.length} days from rollups, ${b.length} from the baseline`;
  const i = a.findIndex((day, k) => !isDeepStrictEqual(day, b[k]));
  return `first at ${a[i].day}: rollups ${JSON.stringify(a[i])} vs baseline ${JSON.stringify(b[i])}`;
}

function rowsOf(result: { rows: unknown[] }[] | { rows: unknown[] }): unknown[] {
  return Array.isArray(result) ? (result.at(-1)?.rows ?? []) : result.rows;
}
