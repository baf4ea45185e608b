import { describe, expect, it } from "vitest";
import { BASE_SCORE, computeHealth, type HealthInputs } from "./score.ts";
import { defaultHealthSettings } from "./settings.ts";

const now = new Date("2026-11-28T12:00:00Z");
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);

/** A quiet, unremarkable customer; each test changes what it is about. */
function customer(changes: Partial<HealthInputs> = {}): HealthInputs {
  return {
    ratings: [],
    unanswered_bad: 0,
    conversations: { recent: 1, previous: 1, long_waits: 0, last_activity_at: daysAgo(3) },
    usage: { recent: 20, previous: 20 },
    seats: 10,
    seats_used: 6,
    payment: null,
    higher_plan_asks: [],
    ...changes,
  };
}

const texts = (inputs: HealthInputs, settings = defaultHealthSettings()) =>
  computeHealth(inputs, settings, now).reasons.map((r) => r.text);

describe("health score", () => {
  it("leaves a customer with nothing remarkable at the base score, without flags or reasons", () => {
    expect(computeHealth(customer(), defaultHealthSettings(), now)).toEqual({
      score: BASE_SCORE,
      at_risk: false,
      upsell: false,
      advocate: false,
      reasons: [],
    });
  });

  it("puts a customer with bad ratings nobody answered and a failed card at risk, and says why", () => {
    const health = computeHealth(
      customer({
        ratings: [
          { rating: "bad", comment: "Slow", responded_at: daysAgo(2) },
          { rating: "bad", comment: null, responded_at: daysAgo(10) },
          { rating: "good", comment: null, responded_at: daysAgo(40) },
        ],
        unanswered_bad: 1,
        payment: { failed_at: daysAgo(3), reason: "payment_failed" },
      }),
      defaultHealthSettings(),
      now,
    );
    expect(health.at_risk).toBe(true);
    expect(health.upsell).toBe(false);
    expect(health.reasons.map((r) => r.text)).toEqual([
      "Card failed 3 days ago",
      "CSAT 33%: 1 of 3 ratings good or great in 90 days",
      "2 bad ratings in 30 days",
      "1 bad rating not answered by anyone yet",
    ]);
    expect(health.score).toBe(BASE_SCORE - 25 - 23 - 16 - 10);
  });

  it("flags a customer near its seat limit with growing usage as an upsell prospect", () => {
    const health = computeHealth(
      customer({ seats: 20, seats_used: 19, usage: { recent: 90, previous: 30 } }),
      defaultHealthSettings(),
      now,
    );
    expect(health).toMatchObject({ upsell: true, at_risk: false, score: BASE_SCORE + 15 });
    expect(health.reasons).toEqual([
      { factor: "usage_trend", impact: 10, text: "Usage up 200%: 90 in 30 days, 30 before", flag: "upsell" },
      { factor: "seats", impact: 5, text: "Using 19 of 20 seats", flag: "upsell" },
    ]);
  });

  it("flags consistently great ratings with a kind comment as an advocate", () => {
    const great = (days: number, comment: string | null = null) => ({
      rating: "great" as const,
      comment,
      responded_at: daysAgo(days),
    });
    const health = computeHealth(
      customer({ ratings: [great(5, "You folks are wonderful"), great(50), great(120)] }),
      defaultHealthSettings(),
      now,
    );
    expect(health.advocate).toBe(true);
    expect(health.reasons.at(-1)).toEqual({
      factor: "advocate",
      impact: 0,
      text: "3 great ratings in 6 months, none bad, with kind comments",
      flag: "advocate",
    });
    const withoutWords = customer({ ratings: [great(5), great(50), great(120)] });
    expect(computeHealth(withoutWords, defaultHealthSettings(), now).advocate).toBe(false);
  });

  it("reads usage that stopped, conversations that doubled, long waits, few seats and silence", () => {
    expect(
      texts(
        customer({
          usage: { recent: 0, previous: 12 },
          conversations: { recent: 6, previous: 2, long_waits: 2, last_activity_at: daysAgo(1) },
          seats_used: 2,
        }),
      ),
    ).toEqual([
      "No product usage in 30 days",
      "Conversations up: 6 in 30 days, 2 in the 30 days before",
      "2 conversations waited over 24 h for an answer in 30 days",
      "Using 2 of 10 seats",
    ]);
    expect(
      texts(
        customer({ conversations: { recent: 0, previous: 0, long_waits: 0, last_activity_at: daysAgo(75) } }),
      ),
    ).toEqual(["No conversation in 75 days"]);
    expect(texts(customer({ usage: { recent: 40, previous: 100 } }))).toEqual([
      "Usage down 60%: 40 in 30 days, 100 before",
    ]);
  });

  it("applies the workspace's weights: zero switches a factor off, two counts it double", () => {
    const settings = defaultHealthSettings();
    const risky = customer({ payment: { failed_at: daysAgo(0), reason: "payment_failed" } });
    settings.weights.failed_payment = 0;
    expect(computeHealth(risky, settings, now)).toMatchObject({
      score: BASE_SCORE,
      at_risk: false,
      reasons: [],
    });
    settings.weights.failed_payment = 2;
    expect(computeHealth(risky, settings, now)).toMatchObject({
      score: BASE_SCORE - 50,
      at_risk: true,
      reasons: [{ factor: "failed_payment", impact: -50, text: "Card failed today" }],
    });
  });

  it("flags a company asking for a higher plan's features as an upsell prospect, and says how many", () => {
    const health = computeHealth(
      customer({ higher_plan_asks: [{ plan: "Business", requests: 2 }] }),
      defaultHealthSettings(),
      now,
    );
    expect(health.upsell).toBe(true);
    expect(health.reasons).toContainEqual({
      factor: "higher_plan_asks",
      impact: 5,
      text: "Asked for 2 Business-plan features in 30 days",
      flag: "upsell",
    });
    const off = defaultHealthSettings();
    off.weights.higher_plan_asks = 0;
    expect(
      computeHealth(customer({ higher_plan_asks: [{ plan: "Business", requests: 1 }] }), off, now).upsell,
    ).toBe(false);
  });
});
