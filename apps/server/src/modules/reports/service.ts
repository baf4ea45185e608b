import type { AppContext } from "../../context.ts";
import type { Channel } from "../../db/schema.ts";
import type { Principal } from "../../http/principal.ts";
import { getInbox, listInboxes } from "../inboxes/service.ts";
import { bucketRange, quantile } from "../metrics/histogram.ts";
import { type LatencySums, type RollupFilter, type RollupSums, sumRollups } from "../metrics/rollup-reads.ts";
import { NO_AGENT } from "../metrics/rollups.ts";
import { workspaceClock } from "../metrics/service.ts";
import { localDateOf } from "../metrics/zoned-time.ts";
import { listTeam } from "../workspaces/team.ts";
import { type DateRange, type Period, periodLabel, periodOf, periodsOf, resolveRange } from "./range.ts";

export interface ReportQuery {
  from?: string;
  to?: string;
  inbox_id?: string;
  channel?: Channel;
  hours?: "wall" | "business";
  by?: "day" | "week" | "month" | "channel" | "inbox" | "agent";
}

export const NO_BUSINESS_HOURS_NOTE =
  "The workspace has no opening hours set, so these figures count wall-clock time. Set business hours in the workspace settings to count them in business hours.";

/** The common part of every report: range, filters, hours, and the workspace's clock. */
export async function reportScope(ctx: AppContext, principal: Principal, query: ReportQuery) {
  const workspaceId = principal.workspaceId;
  const clock = await workspaceClock(ctx, workspaceId);
  const range = resolveRange(query, localDateOf(ctx.now().getTime(), clock.schedule.timeZone));
  if (query.inbox_id) await getInbox(ctx.db, workspaceId, query.inbox_id);
  const wantsBusiness = query.hours === "business";
  const business = wantsBusiness && clock.schedule.hasHours;
  const filter: RollupFilter = { ...range, inboxId: query.inbox_id, channel: query.channel };
  return {
    workspaceId,
    range,
    filter,
    business,
    head: {
      ...range,
      time_zone: clock.schedule.timeZone,
      hours: business ? ("business" as const) : ("wall" as const),
      note: wantsBusiness && !business ? NO_BUSINESS_HOURS_NOTE : null,
    },
  };
}

export function latencyFigures(sums: LatencySums | undefined) {
  const count = sums?.count ?? 0;
  return {
    count,
    mean_ms: sums && count > 0 ? Math.round(sums.sum / count) : null,
    median_ms: sums ? quantile(sums.hist, 0.5) : null,
    p90_ms: sums ? quantile(sums.hist, 0.9) : null,
  };
}

export function csatFigures(csat: RollupSums["csat"] | undefined) {
  const c = csat ?? { great: 0, good: 0, okay: 0, bad: 0, comments: 0 };
  const responses = c.great + c.good + c.okay + c.bad;
  const positive = c.great + c.good;
  return { responses, ...c, positive, csat: responses > 0 ? positive / responses : null };
}

function mergeSums(into: RollupSums, from: RollupSums): void {
  into.conversations += from.conversations;
  into.replies += from.replies;
  for (const [name, sums] of Object.entries(from.latency) as [keyof RollupSums["latency"], LatencySums][]) {
    const target = into.latency[name] ?? { count: 0, sum: 0, hist: sums.hist.map(() => 0) };
    into.latency[name] = target;
    target.count += sums.count;
    target.sum += sums.sum;
    sums.hist.forEach((n, i) => {
      target.hist[i] += n;
    });
  }
  for (const key of Object.keys(from.csat) as (keyof RollupSums["csat"])[]) into.csat[key] += from.csat[key];
}

const emptySums = (key: string | null): RollupSums => ({
  key,
  conversations: 0,
  replies: 0,
  latency: {},
  csat: { great: 0, good: 0, okay: 0, bad: 0, comments: 0 },
});

/**
 * Rollup sums per row of a report: per period (every period of the range, empty ones included), or
 * per channel, inbox or agent, with labels; plus the total over everything.
 */
export async function groupedSums(
  ctx: AppContext,
  principal: Principal,
  scope: Awaited<ReturnType<typeof reportScope>>,
  by: NonNullable<ReportQuery["by"]>,
  latencies: ("asa" | "first_response" | "resolution")[],
  counts = true,
) {
  const period = by === "day" || by === "week" || by === "month" ? (by as Period) : null;
  const rows = await sumRollups(ctx.db, scope.workspaceId, scope.filter, {
    group: period ? "day" : (by as "channel" | "inbox" | "agent"),
    latencies,
    business: scope.business,
    counts,
  });
  const total = emptySums(null);
  for (const row of rows) mergeSums(total, row);
  if (period) {
    const byPeriod = new Map(periodsOf(scope.range, period).map((key) => [key, emptySums(key)]));
    for (const row of rows) {
      const target = byPeriod.get(periodOf(row.key!, period));
      if (target) mergeSums(target, row);
    }
    return {
      total,
      rows: [...byPeriod.values()].map((sums) => ({
        sums,
        key: sums.key!,
        label: periodLabel(sums.key!, period),
      })),
    };
  }
  const labels = await labelsFor(ctx, principal, by as "channel" | "inbox" | "agent");
  return {
    total,
    rows: rows.map((sums) => {
      const key = sums.key === NO_AGENT ? "none" : sums.key!;
      return { sums, key, label: labels.get(key) ?? (by === "agent" ? "Former agent" : key) };
    }),
  };
}

async function labelsFor(ctx: AppContext, principal: Principal, by: "channel" | "inbox" | "agent") {
  const labels = new Map<string, string>();
  if (by === "inbox") for (const inbox of await listInboxes(ctx, principal)) labels.set(inbox.id, inbox.name);
  if (by === "agent") {
    for (const member of await listTeam(ctx, principal)) labels.set(member.id, member.name);
    labels.set("none", "Unanswered and unassigned");
  }
  return labels;
}

export async function asaReport(ctx: AppContext, principal: Principal, query: ReportQuery) {
  const scope = await reportScope(ctx, principal, query);
  const { total, rows } = await groupedSums(ctx, principal, scope, query.by ?? "day", ["asa"], false);
  return {
    ...scope.head,
    rows: rows.map((r) => ({ key: r.key, label: r.label, ...latencyFigures(r.sums.latency.asa) })),
    total: latencyFigures(total.latency.asa),
  };
}

export async function csatReport(ctx: AppContext, principal: Principal, query: ReportQuery) {
  const scope = await reportScope(ctx, principal, { ...query, hours: "wall" });
  const { total, rows } = await groupedSums(ctx, principal, scope, query.by ?? "day", []);
  return {
    ...scope.head,
    rows: rows.map((r) => ({ key: r.key, label: r.label, ...csatFigures(r.sums.csat) })),
    total: csatFigures(total.csat),
  };
}

export async function volumeByChannelReport(ctx: AppContext, principal: Principal, query: ReportQuery) {
  const scope = await reportScope(ctx, principal, { ...query, hours: "wall" });
  const { total, rows } = await groupedSums(ctx, principal, scope, "channel", []);
  return {
    ...scope.head,
    rows: rows.map((r) => ({ key: r.key, label: r.label, conversations: r.sums.conversations })),
    total: { conversations: total.conversations },
  };
}

export async function firstResponseReport(ctx: AppContext, principal: Principal, query: ReportQuery) {
  const scope = await reportScope(ctx, principal, query);
  const [sums] = await sumRollups(ctx.db, scope.workspaceId, scope.filter, {
    group: null,
    latencies: ["first_response"],
    business: scope.business,
    counts: false,
  });
  const latency = sums?.latency.first_response;
  const count = latency?.count ?? 0;
  const rows = (latency?.hist ?? []).map((n, bucket) => {
    const { from_ms, to_ms } = bucketRange(bucket);
    return {
      key: String(bucket),
      label: bucketLabel(from_ms, to_ms),
      from_ms,
      to_ms,
      count: n,
      share: count > 0 ? n / count : null,
    };
  });
  return { ...scope.head, rows, total: latencyFigures(latency) };
}

export async function agentReport(ctx: AppContext, principal: Principal, query: ReportQuery) {
  const scope = await reportScope(ctx, principal, query);
  const { total, rows } = await groupedSums(ctx, principal, scope, "agent", [
    "asa",
    "first_response",
    "resolution",
  ]);
  const line = (key: string | null, label: string, s: RollupSums) => {
    const asa = latencyFigures(s.latency.asa);
    const resolution = latencyFigures(s.latency.resolution);
    const csat = csatFigures(s.csat);
    return {
      key: key ?? "total",
      label,
      agent_id: key === null || key === "none" ? null : key,
      conversations: s.conversations,
      replies: s.replies,
      asa_count: asa.count,
      asa_mean_ms: asa.mean_ms,
      asa_median_ms: asa.median_ms,
      asa_p90_ms: asa.p90_ms,
      first_response_mean_ms: latencyFigures(s.latency.first_response).mean_ms,
      resolution_count: resolution.count,
      resolution_mean_ms: resolution.mean_ms,
      resolution_median_ms: resolution.median_ms,
      csat_responses: csat.responses,
      csat: csat.csat,
    };
  };
  return {
    ...scope.head,
    rows: rows.map((r) => line(r.key, r.label, r.sums)),
    total: line(null, "All agents", total),
  };
}

function bucketLabel(from: number, to: number | null): string {
  const human = (ms: number) => {
    if (ms < 60_000) return `${ms / 1000} s`;
    if (ms < 3_600_000) return `${ms / 60_000} min`;
    if (ms < 86_400_000) return `${ms / 3_600_000} h`;
    return `${ms / 86_400_000} d`;
  };
  if (to === null) return `${human(from)} or more`;
  return from === 0 ? `under ${human(to)}` : `${human(from)} – ${human(to)}`;
}

export type { DateRange };
