import type { AppContext } from "../../context.ts";
import { invalid } from "../../lib/errors.ts";
import { dunningClosedBetween, type MrrPoint, mrrHistoryBefore } from "./retention-history.ts";

/*
 * The retention report, computed from the recorded billing history. The definition: per
 * calendar month (UTC), of the companies paying at its start, the share still paying or paused at
 * its end (logo retention) and the share of their MRR still paid (net revenue retention); the MRR
 * of those who cancelled or paused, the MRR that dunning saved, and cohorts by first paying month.
 */

export const MAX_RETENTION_MONTHS = 36;
const DEFAULT_MONTHS = 12;

/** Statuses that bring no revenue now; of these only "paused" still counts as kept. */
const PAUSED = "paused";
const NOT_PAYING = new Set(["canceled", "paused", "trialing", "incomplete"]);

const isPaying = (p: MrrPoint | undefined) => !!p && p.mrr_cents > 0 && !NOT_PAYING.has(p.status);
const isKept = (p: MrrPoint | undefined) => isPaying(p) || p?.status === PAUSED;

const monthKey = (d: Date) => d.toISOString().slice(0, 7);
const monthStart = (key: string) => new Date(`${key}-01T00:00:00Z`);
const addMonths = (key: string, n: number) => {
  const d = monthStart(key);
  return monthKey(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1)));
};
const monthsBetween = (a: string, b: string) =>
  (Number(b.slice(0, 4)) - Number(a.slice(0, 4))) * 12 + Number(b.slice(5, 7)) - Number(a.slice(5, 7));

/** The months covered: `to` defaults to this month, `from` to 11 months before it. */
export function resolveMonths(query: { from?: string; to?: string }, now: Date): string[] {
  const isMonth = (value: string) => /^\d{4}-(0[1-9]|1[0-2])$/.test(value);
  const to = query.to ?? monthKey(now);
  if (!isMonth(to)) throw invalid("to", "to is not a month (YYYY-MM)");
  const from = query.from ?? addMonths(to, -(DEFAULT_MONTHS - 1));
  if (!isMonth(from)) throw invalid("from", "from is not a month (YYYY-MM)");
  if (monthsBetween(monthKey(now), to) > 0) throw invalid("to", `to (${to}) is in the future`);
  const span = monthsBetween(from, to);
  if (span < 0) throw invalid("from", `from (${from}) is after to (${to}); swap them`);
  if (span + 1 > MAX_RETENTION_MONTHS)
    throw invalid(
      "to",
      `The range covers ${span + 1} months; the report covers at most ${MAX_RETENTION_MONTHS}`,
    );
  return Array.from({ length: span + 1 }, (_, i) => addMonths(from, i));
}

/** A company's state just before `t`: its last change earlier than `t`. */
function stateBefore(history: MrrPoint[], t: Date): MrrPoint | undefined {
  let found: MrrPoint | undefined;
  for (const point of history) {
    if (point.at >= t) break;
    found = point;
  }
  return found;
}

const share = (part: number, whole: number) => (whole === 0 ? null : part / whole);

export interface RetentionMonth {
  month: string;
  start_companies: number;
  retained_companies: number;
  churned_companies: number;
  paused_companies: number;
  logo_retention: number | null;
  start_mrr_cents: number;
  retained_mrr_cents: number;
  net_revenue_retention: number | null;
  churned_mrr_cents: number;
  paused_mrr_cents: number;
  new_companies: number;
  dunning_closed: number;
  dunning_recovered: number;
  dunning_recovery_rate: number | null;
  recovered_mrr_cents: number;
}

function monthFigures(
  month: string,
  histories: Map<string, MrrPoint[]>,
  closedCases: { company_id: string; closed_at: Date; recovered: boolean }[],
): RetentionMonth {
  const start = monthStart(month);
  const end = monthStart(addMonths(month, 1));
  const figures: RetentionMonth = {
    month,
    start_companies: 0,
    retained_companies: 0,
    churned_companies: 0,
    paused_companies: 0,
    logo_retention: null,
    start_mrr_cents: 0,
    retained_mrr_cents: 0,
    net_revenue_retention: null,
    churned_mrr_cents: 0,
    paused_mrr_cents: 0,
    new_companies: 0,
    dunning_closed: 0,
    dunning_recovered: 0,
    dunning_recovery_rate: null,
    recovered_mrr_cents: 0,
  };
  for (const history of histories.values()) {
    const before = stateBefore(history, start);
    const after = stateBefore(history, end);
    if (!isPaying(before)) {
      if (isPaying(after)) figures.new_companies += 1;
      continue;
    }
    const startMrr = before?.mrr_cents ?? 0;
    figures.start_companies += 1;
    figures.start_mrr_cents += startMrr;
    if (isPaying(after)) {
      figures.retained_companies += 1;
      figures.retained_mrr_cents += after?.mrr_cents ?? 0;
    } else if (after?.status === PAUSED) {
      figures.retained_companies += 1;
      figures.paused_companies += 1;
      figures.paused_mrr_cents += startMrr;
    } else {
      figures.churned_companies += 1;
      figures.churned_mrr_cents += startMrr;
    }
  }
  for (const closed of closedCases) {
    if (closed.closed_at < start || closed.closed_at >= end) continue;
    figures.dunning_closed += 1;
    if (!closed.recovered) continue;
    figures.dunning_recovered += 1;
    // What the saved card keeps paying: the company's MRR when its case closed.
    const history = histories.get(closed.company_id) ?? [];
    figures.recovered_mrr_cents +=
      stateBefore(history, new Date(closed.closed_at.getTime() + 1))?.mrr_cents ?? 0;
  }
  figures.logo_retention = share(figures.retained_companies, figures.start_companies);
  figures.net_revenue_retention = share(figures.retained_mrr_cents, figures.start_mrr_cents);
  figures.dunning_recovery_rate = share(figures.dunning_recovered, figures.dunning_closed);
  return figures;
}

export interface RetentionCohort {
  month: string;
  companies: number;
  /** Share of the cohort paying or paused at the end of its 0th, 1st, … month (null if empty). */
  retained: (number | null)[];
}

/** Companies grouped by the month they first paid, followed to the end of the range. */
function cohortsOf(months: string[], histories: Map<string, MrrPoint[]>): RetentionCohort[] {
  const last = months[months.length - 1] as string;
  const members = new Map<string, MrrPoint[][]>(months.map((m) => [m, []]));
  for (const history of histories.values()) {
    const firstPaid = history.find((p) => isPaying(p));
    if (!firstPaid) continue;
    members.get(monthKey(firstPaid.at))?.push(history);
  }
  return months.map((month) => {
    const cohort = members.get(month) ?? [];
    const retained: (number | null)[] = [];
    for (let k = 0; k <= monthsBetween(month, last); k++) {
      const m = addMonths(month, k);
      const end = monthStart(addMonths(m, 1));
      const kept = cohort.filter((h) => isKept(stateBefore(h, end))).length;
      retained.push(share(kept, cohort.length));
    }
    return { month, companies: cohort.length, retained };
  });
}

export async function retentionReport(
  ctx: AppContext,
  workspaceId: string,
  query: { from?: string; to?: string },
) {
  const months = resolveMonths(query, ctx.now());
  const from = monthStart(months[0] as string);
  const before = monthStart(addMonths(months[months.length - 1] as string, 1));
  const [histories, closedCases] = await Promise.all([
    mrrHistoryBefore(ctx.db, workspaceId, before),
    dunningClosedBetween(ctx.db, workspaceId, from, before),
  ]);
  const rows = months.map((m) => monthFigures(m, histories, closedCases));
  const sum = (key: keyof RetentionMonth) => rows.reduce((total, r) => total + Number(r[key] ?? 0), 0);
  const total = {
    churned_mrr_cents: sum("churned_mrr_cents"),
    paused_mrr_cents: sum("paused_mrr_cents"),
    recovered_mrr_cents: sum("recovered_mrr_cents"),
    dunning_closed: sum("dunning_closed"),
    dunning_recovered: sum("dunning_recovered"),
    dunning_recovery_rate: share(sum("dunning_recovered"), sum("dunning_closed")),
  };
  return {
    from: months[0] as string,
    to: months[months.length - 1] as string,
    rows,
    total,
    cohorts: cohortsOf(months, histories),
  };
}

export const RETENTION_COLUMNS = [
  "month",
  "start_companies",
  "retained_companies",
  "churned_companies",
  "paused_companies",
  "new_companies",
  "logo_retention",
  "start_mrr_cents",
  "retained_mrr_cents",
  "net_revenue_retention",
  "churned_mrr_cents",
  "paused_mrr_cents",
  "recovered_mrr_cents",
  "dunning_closed",
  "dunning_recovered",
  "dunning_recovery_rate",
] as const;
