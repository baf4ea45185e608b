import type { Channel, SurveyRating } from "../../db/schema.ts";
import type { ConversationMetrics } from "./conversation-metrics.ts";
import { bucketOf, emptyHistogram } from "./histogram.ts";
import { localDateOf } from "./zoned-time.ts";

/** Rollup rows need a non-null key: conversations nobody answered or owns roll up under this id. */
export const NO_AGENT = "00000000-0000-0000-0000-000000000000";

export const LATENCIES = ["first_response", "asa", "resolution"] as const;
/** Rollup tables keep days at three levels of detail, each the sum of the one before. */
export type RollupLevel = "agent" | "inbox" | "workspace";
export type Latency = (typeof LATENCIES)[number];
export const RATINGS = ["great", "good", "okay", "bad"] as const satisfies readonly SurveyRating[];

export interface LatencyCell {
  count: number;
  sum: number;
  business_sum: number;
  hist: number[];
  business_hist: number[];
}

export interface DailyCell {
  day: string;
  inbox_id: string;
  channel: Channel;
  agent_id: string;
  conversations: number;
  replies: number;
  latency: Record<Latency, LatencyCell>;
  csat: Record<SurveyRating | "comments", number>;
}

export interface HourlyCell {
  day: string;
  inbox_id: string;
  channel: Channel;
  hour: number;
  conversations: number;
}

/** The figures of a conversation that its rollup rows add up. */
export type Contribution = Pick<
  ConversationMetrics,
  | "inbox_id"
  | "channel"
  | "agent_id"
  | "day"
  | "hour"
  | "replies"
  | "first_response_ms"
  | "first_response_business_ms"
  | "asa_ms"
  | "asa_business_ms"
  | "resolution_day"
  | "resolution_ms"
  | "resolution_business_ms"
>;

/** What a survey response adds to the rollups: one rating (and maybe a comment) on its day. */
export interface CsatFact {
  responded_at: Date;
  inbox_id: string;
  channel: Channel;
  agent_id: string | null;
  rating: SurveyRating;
  has_comment: boolean;
}

const emptyLatency = (): LatencyCell => ({
  count: 0,
  sum: 0,
  business_sum: 0,
  hist: emptyHistogram(),
  business_hist: emptyHistogram(),
});

/**
 * A signed sum of contributions to the rollups. Incremental maintenance adds a conversation's new
 * contribution and subtracts its previous one (so recomputing twice changes nothing); a rebuild adds
 * every conversation's contribution once. Both go through the same code, so they cannot disagree.
 */
export class RollupDelta {
  readonly daily = new Map<string, DailyCell>();
  readonly hourly = new Map<string, HourlyCell>();

  #cell(day: string, inbox: string, channel: Channel, agent: string | null): DailyCell {
    const agentId = agent ?? NO_AGENT;
    const key = `${day}|${inbox}|${channel}|${agentId}`;
    let cell = this.daily.get(key);
    if (!cell) {
      cell = {
        day,
        inbox_id: inbox,
        channel,
        agent_id: agentId,
        conversations: 0,
        replies: 0,
        latency: { first_response: emptyLatency(), asa: emptyLatency(), resolution: emptyLatency() },
        csat: { great: 0, good: 0, okay: 0, bad: 0, comments: 0 },
      };
      this.daily.set(key, cell);
    }
    return cell;
  }

  addMetrics(m: Contribution, sign: 1 | -1): void {
    const cell = this.#cell(m.day, m.inbox_id, m.channel, m.agent_id);
    cell.conversations += sign;
    cell.replies += sign * m.replies;
    addLatency(cell.latency.first_response, m.first_response_ms, m.first_response_business_ms, sign);
    addLatency(cell.latency.asa, m.asa_ms, m.asa_business_ms, sign);
    if (m.resolution_day !== null) {
      const resolved = this.#cell(m.resolution_day, m.inbox_id, m.channel, m.agent_id);
      addLatency(resolved.latency.resolution, m.resolution_ms, m.resolution_business_ms, sign);
    }
    const hourKey = `${m.day}|${m.inbox_id}|${m.channel}|${m.hour}`;
    let hourly = this.hourly.get(hourKey);
    if (!hourly) {
      hourly = { day: m.day, inbox_id: m.inbox_id, channel: m.channel, hour: m.hour, conversations: 0 };
      this.hourly.set(hourKey, hourly);
    }
    hourly.conversations += sign;
  }

  addCsat(fact: CsatFact, timeZone: string, sign: 1 | -1): void {
    const day = localDateOf(fact.responded_at.getTime(), timeZone);
    const cell = this.#cell(day, fact.inbox_id, fact.channel, fact.agent_id);
    cell.csat[fact.rating] += sign;
    if (fact.has_comment) cell.csat.comments += sign;
  }

  /**
   * The changed cells of one level, in key order: per agent as added; summed over agents (what
   * reports read unless they are about agents, a tenth of the rows or less); or summed over inboxes
   * and channels too (the workspace's own day, what unfiltered time series read). Cells whose every
   * figure is zero change nothing and are left out.
   */
  changed(level: RollupLevel = "agent"): DailyCell[] {
    const merged = new Map<string, DailyCell>();
    for (const [key, cell] of this.daily) {
      if (level === "agent") {
        merged.set(key, cell);
        continue;
      }
      const k = level === "inbox" ? `${cell.day}|${cell.inbox_id}|${cell.channel}` : cell.day;
      const total = merged.get(k);
      if (total) addCell(total, cell);
      else merged.set(k, cloneCell(cell));
    }
    return [...merged.entries()]
      .filter(([, c]) => !isZeroDaily(c))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, c]) => c);
  }

  changedHourly(): HourlyCell[] {
    return [...this.hourly.entries()]
      .filter(([, c]) => c.conversations !== 0)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, c]) => c);
  }
}

function addLatency(cell: LatencyCell, wall: number | null, business: number | null, sign: 1 | -1): void {
  if (wall === null) return;
  const inBusiness = business ?? 0;
  cell.count += sign;
  cell.sum += sign * wall;
  cell.business_sum += sign * inBusiness;
  cell.hist[bucketOf(wall)] += sign;
  cell.business_hist[bucketOf(inBusiness)] += sign;
}

function cloneCell(c: DailyCell): DailyCell {
  const latency = Object.fromEntries(
    LATENCIES.map((n) => [
      n,
      { ...c.latency[n], hist: [...c.latency[n].hist], business_hist: [...c.latency[n].business_hist] },
    ]),
  ) as Record<Latency, LatencyCell>;
  return { ...c, latency, csat: { ...c.csat } };
}

function addCell(into: DailyCell, from: DailyCell): void {
  into.conversations += from.conversations;
  into.replies += from.replies;
  for (const n of LATENCIES) {
    const a = into.latency[n];
    const b = from.latency[n];
    a.count += b.count;
    a.sum += b.sum;
    a.business_sum += b.business_sum;
    for (let i = 0; i < a.hist.length; i++) {
      a.hist[i] += b.hist[i];
      a.business_hist[i] += b.business_hist[i];
    }
  }
  for (const r of [...RATINGS, "comments"] as const) into.csat[r] += from.csat[r];
}

function isZeroDaily(c: DailyCell): boolean {
  if (c.conversations !== 0 || c.replies !== 0) return false;
  if (Object.values(c.csat).some((n) => n !== 0)) return false;
  return LATENCIES.every((name) => {
    const l = c.latency[name];
    return l.count === 0 && l.sum === 0 && l.business_sum === 0 && l.hist.every((n) => n === 0);
  });
}
