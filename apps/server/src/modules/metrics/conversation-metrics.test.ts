import { describe, expect, it } from "vitest";
import type { Channel } from "../../db/schema.ts";
import { scheduleOf } from "./business-hours.ts";
import { computeMetrics, type TimelineConversation, type TimelineMessage } from "./conversation-metrics.ts";
import { bucketOf, BOUNDS_MS, quantile } from "./histogram.ts";

const M = 60_000;
const H = 60 * M;
const dana = "11111111-1111-4111-8111-111111111111";
const sam = "22222222-2222-4222-8222-222222222222";
const utcNineToFive = scheduleOf({
  time_zone: "UTC",
  business_hours: {
    monday: [{ open: "09:00", close: "17:00" }],
    tuesday: [{ open: "09:00", close: "17:00" }],
    wednesday: [{ open: "09:00", close: "17:00" }],
    thursday: [{ open: "09:00", close: "17:00" }],
    friday: [{ open: "09:00", close: "17:00" }],
    saturday: [],
    sunday: [],
  },
  holidays: [],
});

function conversation(channel: Channel, extra: Partial<TimelineConversation> = {}): TimelineConversation {
  return {
    id: "c",
    inbox_id: "inbox",
    channel,
    status: "open",
    assignee_id: null,
    resolved_at: null,
    created_at: new Date("2026-05-18T08:00:00Z"),
    ...extra,
  };
}

/** A message `minutes` after Monday 2026-05-18 09:00 UTC. */
function msg(
  minutes: number,
  kind: TimelineMessage["kind"],
  extra: Partial<TimelineMessage> = {},
): TimelineMessage {
  return {
    kind,
    sent_by_human: kind === "outgoing",
    author_agent_id: kind === "outgoing" ? dana : null,
    created_at: new Date(Date.parse("2026-05-18T09:00:00Z") + minutes * M),
    automated: false,
    action: null,
    ...extra,
  };
}

describe("conversation metrics", () => {
  it("times the first response from the customer's request to the first human reply", () => {
    const m = computeMetrics(
      conversation("email"),
      [msg(0, "incoming"), msg(42, "outgoing"), msg(90, "outgoing")],
      utcNineToFive,
    );
    expect(m).toMatchObject({
      first_response_ms: 42 * M,
      asa_ms: 42 * M,
      replies: 2,
      agent_id: dana,
      day: "2026-05-18",
      hour: 9,
    });
    expect(m.first_response_business_ms).toBe(42 * M);
  });

  it("does not count notes, activity lines, auto-acknowledgements or bot messages as a response", () => {
    const m = computeMetrics(
      conversation("email"),
      [
        msg(0, "incoming"),
        msg(1, "outgoing", { sent_by_human: false, author_agent_id: null }),
        msg(5, "note", { sent_by_human: false }),
        msg(6, "activity", { action: "assigned", author_agent_id: sam }),
        msg(30, "outgoing", { author_agent_id: sam }),
      ],
      utcNineToFive,
    );
    expect(m.first_response_ms).toBe(30 * M);
    expect(m.replies).toBe(1);
    expect(m.agent_id).toBe(sam);
  });

  it("starts the clock at the first real customer message, not at a customer's auto-reply", () => {
    const m = computeMetrics(
      conversation("email"),
      [msg(0, "incoming", { automated: true }), msg(20, "incoming"), msg(50, "outgoing")],
      utcNineToFive,
    );
    expect(m.requested_at?.toISOString()).toBe("2026-05-18T09:20:00.000Z");
    expect(m.first_response_ms).toBe(30 * M);
  });

  it("counts a reply an agent sent from their own mail client", () => {
    const m = computeMetrics(
      conversation("email"),
      [msg(0, "incoming"), msg(15, "outgoing", { author_agent_id: sam })],
      utcNineToFive,
    );
    expect(m.first_response_ms).toBe(15 * M);
  });

  it("has no response time for an agent's outreach nobody answered, but counts it in volume", () => {
    const m = computeMetrics(
      conversation("email", { assignee_id: sam }),
      [msg(0, "outgoing")],
      utcNineToFive,
    );
    expect(m).toMatchObject({
      requested_at: null,
      first_response_ms: null,
      asa_ms: null,
      replies: 1,
      agent_id: sam,
      day: "2026-05-18",
      hour: 8,
    });
  });

  it("measures resolution to the resolve in force: none while reopened, the later one after", () => {
    const timeline = [msg(0, "incoming"), msg(10, "outgoing"), msg(60, "incoming"), msg(70, "outgoing")];
    const reopened = computeMetrics(
      conversation("email", { status: "open", resolved_at: null }),
      timeline,
      utcNineToFive,
    );
    expect(reopened.resolution_ms).toBeNull();
    const resolvedAgain = computeMetrics(
      conversation("email", { status: "resolved", resolved_at: new Date("2026-05-18T11:00:00Z") }),
      timeline,
      utcNineToFive,
    );
    expect(resolvedAgain).toMatchObject({
      resolution_ms: 2 * H,
      resolution_day: "2026-05-18",
      first_response_ms: 10 * M,
    });
  });

  it("answers a callback request when the agent places the call, if that comes before any message", () => {
    const placed = msg(3, "activity", { action: "callback_placed", author_agent_id: sam });
    const callback = computeMetrics(
      conversation("callback"),
      [msg(0, "incoming"), placed, msg(20, "outgoing")],
      utcNineToFive,
    );
    expect(callback).toMatchObject({ asa_ms: 3 * M, first_response_ms: 20 * M, agent_id: sam });
    // On email a placed callback is no answer: ASA is the first response time.
    const email = computeMetrics(
      conversation("email"),
      [msg(0, "incoming"), placed, msg(20, "outgoing")],
      utcNineToFive,
    );
    expect(email).toMatchObject({ asa_ms: 20 * M, agent_id: dana });
  });

  it("counts a Friday-evening chat answered on Monday morning as minutes of business time", () => {
    const friday = Date.parse("2026-05-15T16:50:00Z");
    const messages: TimelineMessage[] = [
      { ...msg(0, "incoming"), created_at: new Date(friday) },
      { ...msg(0, "outgoing"), created_at: new Date("2026-05-18T09:05:00Z") },
    ];
    const m = computeMetrics(conversation("chat"), messages, utcNineToFive);
    expect(m.asa_ms).toBe(2 * 24 * H + 16 * H + 15 * M);
    expect(m.asa_business_ms).toBe(15 * M);
    expect(m.day).toBe("2026-05-15");
  });
});

describe("latency histograms", () => {
  it("puts a duration in the bucket of the bounds it reaches, like SQL's width_bucket", () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(29_999)).toBe(0);
    expect(bucketOf(30_000)).toBe(1);
    expect(bucketOf(7 * 24 * H)).toBe(BOUNDS_MS.length);
  });

  it("estimates quantiles inside their bucket", () => {
    const hist = new Array(BOUNDS_MS.length + 1).fill(0);
    hist[bucketOf(45_000)] = 10; // 30 s – 1 min
    expect(quantile(hist, 0.5)).toBe(45_000);
    expect(quantile(hist, 0.9)).toBe(57_000);
    expect(quantile(new Array(BOUNDS_MS.length + 1).fill(0), 0.5)).toBeNull();
  });
});
