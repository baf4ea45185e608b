import type { SurveyRating } from "../../db/schema.ts";
import type { Factor, HealthSettings } from "./settings.ts";

/** Everything a company's health is computed from, gathered by inputs.ts. */
export interface HealthInputs {
  /** Survey answers of the company's contacts in the last 180 days. */
  ratings: { rating: SurveyRating; comment: string | null; responded_at: Date }[];
  /** Bad ratings of the last 30 days that no human has answered yet. */
  unanswered_bad: number;
  conversations: { recent: number; previous: number; long_waits: number; last_activity_at: Date | null };
  usage: { recent: number; previous: number };
  seats: number | null;
  seats_used: number | null;
  payment: { failed_at: Date | null; reason: "payment_failed" | "card_expiring" } | null;
  /** Feature requests of a higher plan than the company's, asked for in the last 30 days, per plan. */
  higher_plan_asks: { plan: string; requests: number }[];
}

export type Flag = "at_risk" | "upsell" | "advocate";

export interface Reason {
  factor: Factor | "advocate";
  /** Points this reason added to (positive) or took from (negative) the score, after its weight. */
  impact: number;
  text: string;
  /** The flag this reason supports, if any. */
  flag?: Flag;
}

export interface Health {
  score: number;
  at_risk: boolean;
  upsell: boolean;
  advocate: boolean;
  reasons: Reason[];
}

/** A company with nothing to say about it sits here: healthy, not yet remarkable. */
export const BASE_SCORE = 75;
const DAY = 86_400_000;
const WINDOW = 30 * DAY;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const positive = (r: SurveyRating) => r === "great" || r === "good";

function daysAgo(at: Date, now: Date): string {
  const days = Math.floor((now.getTime() - at.getTime()) / DAY);
  if (days <= 0) return "today";
  return `${plural(days, "day")} ago`;
}

/**
 * Turns inputs into a score from 0 to 100, the reasons behind it and the three flags. Pure, so the
 * rules can be read and tested on constructed customers; each rule adds or takes points, times the
 * workspace's weight for its factor, and says why in words a leader can repeat to a colleague.
 */
export function computeHealth(inputs: HealthInputs, settings: HealthSettings, now: Date): Health {
  const reasons: Reason[] = [];
  const add = (factor: Factor, points: number, text: string, flag?: Flag) => {
    const impact = Math.round(points * settings.weights[factor]);
    if (settings.weights[factor] === 0) return;
    reasons.push({ factor, impact, text, ...(flag ? { flag } : {}) });
  };

  const recentRatings = inputs.ratings.filter((r) => now.getTime() - r.responded_at.getTime() <= 90 * DAY);
  if (recentRatings.length > 0) {
    const good = recentRatings.filter((r) => positive(r.rating)).length;
    const share = good / recentRatings.length;
    const points = Math.max(-25, Math.min(10, Math.round((share - 0.8) * 50)));
    if (points !== 0)
      add(
        "csat",
        points,
        `CSAT ${Math.round(share * 100)}%: ${good} of ${plural(recentRatings.length, "rating")} good or great in 90 days`,
      );
  }

  const bad = inputs.ratings.filter(
    (r) => r.rating === "bad" && now.getTime() - r.responded_at.getTime() <= WINDOW,
  ).length;
  if (bad > 0)
    add("bad_ratings", -Math.min(24, bad * 8), `${plural(bad, "bad rating")} in 30 days`, "at_risk");

  if (inputs.unanswered_bad > 0)
    add(
      "unanswered_bad_ratings",
      -Math.min(20, inputs.unanswered_bad * 10),
      `${plural(inputs.unanswered_bad, "bad rating")} not answered by anyone yet`,
      "at_risk",
    );

  const { recent, previous, long_waits, last_activity_at } = inputs.conversations;
  if (recent >= 4 && recent >= 2 * Math.max(previous, 1))
    add(
      "conversation_trend",
      -10,
      `Conversations up: ${recent} in 30 days, ${previous} in the 30 days before`,
      "at_risk",
    );

  if (long_waits > 0)
    add(
      "long_waits",
      -Math.min(15, long_waits * 5),
      `${plural(long_waits, "conversation")} waited over ${settings.long_wait_hours} h for an answer in 30 days`,
      "at_risk",
    );

  if (inputs.payment?.reason === "payment_failed" && inputs.payment.failed_at)
    add("failed_payment", -25, `Card failed ${daysAgo(inputs.payment.failed_at, now)}`, "at_risk");
  else if (inputs.payment?.reason === "card_expiring") add("failed_payment", -5, "Card on file expires soon");

  let growingUsage = false;
  const usage = inputs.usage;
  if (usage.previous > 0 && usage.recent === 0) {
    add("usage_trend", -20, "No product usage in 30 days", "at_risk");
  } else if (usage.previous >= 10 && usage.recent <= usage.previous * 0.5) {
    const drop = Math.round((1 - usage.recent / usage.previous) * 100);
    add(
      "usage_trend",
      -15,
      `Usage down ${drop}%: ${usage.recent} in 30 days, ${usage.previous} before`,
      "at_risk",
    );
  } else if (usage.recent >= 10 && usage.recent >= usage.previous * 1.5) {
    growingUsage = true;
    const text =
      usage.previous > 0
        ? `Usage up ${Math.round((usage.recent / usage.previous - 1) * 100)}%: ${usage.recent} in 30 days, ${usage.previous} before`
        : `New product usage: ${usage.recent} in 30 days`;
    add("usage_trend", 10, text, "upsell");
  }

  let nearSeatLimit = false;
  if (inputs.seats && inputs.seats > 0 && inputs.seats_used !== null) {
    const share = inputs.seats_used / inputs.seats;
    const text = `Using ${inputs.seats_used} of ${plural(inputs.seats, "seat")}`;
    if (share >= settings.upsell_seat_share) {
      nearSeatLimit = true;
      add("seats", 5, text, "upsell");
    } else if (share <= 0.3) add("seats", -10, text, "at_risk");
  }

  let asksForMore = false;
  for (const ask of inputs.higher_plan_asks ?? []) {
    asksForMore = settings.weights.higher_plan_asks > 0;
    add(
      "higher_plan_asks",
      5,
      `Asked for ${plural(ask.requests, `${ask.plan}-plan feature`)} in 30 days`,
      "upsell",
    );
  }

  if (last_activity_at) {
    const quiet = Math.floor((now.getTime() - last_activity_at.getTime()) / DAY);
    if (quiet >= settings.quiet_days) add("last_contact", -5, `No conversation in ${quiet} days`);
  }

  const score = Math.max(0, Math.min(100, BASE_SCORE + reasons.reduce((sum, r) => sum + r.impact, 0)));
  const unpaid = inputs.payment?.reason === "payment_failed" && settings.weights.failed_payment > 0;
  const at_risk = score < settings.at_risk_below || unpaid;
  const upsell = !at_risk && (nearSeatLimit || growingUsage || asksForMore);
  const advocate = !at_risk && isAdvocate(inputs.ratings);
  if (advocate) {
    const great = inputs.ratings.filter((r) => r.rating === "great").length;
    reasons.push({
      factor: "advocate",
      impact: 0,
      text: `${plural(great, "great rating")} in 6 months, none bad, with kind comments`,
      flag: "advocate",
    });
  }
  reasons.sort((a, b) => Math.abs(b.impact) - Math.abs(a.impact));
  return { score, at_risk, upsell, advocate, reasons };
}

/** Consistently great ratings and a kind word: at least three answers, all good, two of them great. */
function isAdvocate(ratings: HealthInputs["ratings"]): boolean {
  if (ratings.length < 3 || !ratings.every((r) => positive(r.rating))) return false;
  const great = ratings.filter((r) => r.rating === "great").length;
  const kind = ratings.some((r) => r.comment && r.comment.trim().length > 0);
  return great >= 2 && kind;
}
