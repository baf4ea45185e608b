import { type TProperties, Type } from "typebox";
import { StrictObject, Timestamp, Uuid } from "./common.ts";
import { Channel } from "./conversations.ts";
import { SurveyRating } from "./surveys.ts";

/*
 * Reports read rollups, never conversations, so they answer at once at any size. Dates are local
 * dates in the workspace's time zone; `to` is included. Durations are milliseconds. Means are exact;
 * medians and 90th percentiles are estimated from fixed latency buckets (30 s … 7 days), the same
 * way for every range, so they add up consistently.
 */

const LocalDate = Type.String({ format: "date" });
const Nullable = <T extends ReturnType<typeof Type.Integer | typeof Type.Number>>(t: T) =>
  Type.Union([t, Type.Null()]);

const rangeQuery = {
  /** First day (default: 29 days before `to`). */
  from: Type.Optional(LocalDate),
  /** Last day, included (default: today). At most 400 days after `from`. */
  to: Type.Optional(LocalDate),
  inbox_id: Type.Optional(Uuid),
  /** csv: the table as text/csv (so does `Accept: text/csv`). */
  format: Type.Optional(Type.Union([Type.Literal("json"), Type.Literal("csv")])),
};
const hoursQuery = {
  /** business: counted in the workspace's opening hours only (wall-clock with a note when it has none). */
  hours: Type.Optional(Type.Union([Type.Literal("wall"), Type.Literal("business")])),
};
const channelQuery = { channel: Type.Optional(Channel) };
const Grouping = Type.Union(
  ["day", "week", "month", "channel", "inbox", "agent"].map((g) => Type.Literal(g)),
  { description: "Rows per period (day, week from Monday, month) or per channel, inbox or agent" },
);

export const ReportRangeQuery = StrictObject({ ...rangeQuery });
export const ReportLiveQuery = StrictObject({ format: rangeQuery.format });
export const ReportChannelQuery = StrictObject({ ...rangeQuery, ...channelQuery });
export const ReportLatencyQuery = StrictObject({ ...rangeQuery, ...channelQuery, ...hoursQuery });
export const ReportSeriesQuery = StrictObject({
  ...rangeQuery,
  ...channelQuery,
  ...hoursQuery,
  by: Type.Optional(Grouping),
});
export const ReportCommentsQuery = StrictObject({
  ...rangeQuery,
  agent_id: Type.Optional(Uuid),
  bad_only: Type.Optional(Type.Boolean()),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
});

const Latency = {
  count: Type.Integer(),
  mean_ms: Nullable(Type.Integer()),
  median_ms: Nullable(Type.Integer()),
  p90_ms: Nullable(Type.Integer()),
};
export const LatencyFigures = Type.Object(Latency);

const Csat = {
  responses: Type.Integer(),
  great: Type.Integer(),
  good: Type.Integer(),
  okay: Type.Integer(),
  bad: Type.Integer(),
  /** great + good */
  positive: Type.Integer(),
  /** positive / responses, 0..1; null without responses. */
  csat: Nullable(Type.Number()),
  comments: Type.Integer(),
};

const report = <T extends TProperties, U extends TProperties = T>(row: T, total?: U) =>
  Type.Object({
    from: LocalDate,
    to: LocalDate,
    time_zone: Type.String(),
    /** What the figures count: wall-clock time, or business hours only. */
    hours: Type.Union([Type.Literal("wall"), Type.Literal("business")]),
    /** Set when the report had to differ from the request (no business hours set). */
    note: Type.Union([Type.String(), Type.Null()]),
    rows: Type.Array(Type.Object({ key: Type.String(), label: Type.String(), ...row })),
    total: Type.Object(total ?? row),
  });

export const AsaReport = report(Latency);
export const CsatReport = report(Csat);
export const VolumeByChannelReport = report({ conversations: Type.Integer() });
export const VolumeByHourReport = Type.Object({
  from: LocalDate,
  to: LocalDate,
  time_zone: Type.String(),
  rows: Type.Array(
    Type.Object({
      weekday: Type.Integer({ description: "0 Monday … 6 Sunday" }),
      hour: Type.Integer(),
      conversations: Type.Integer(),
    }),
  ),
});
export const FirstResponseReport = report(
  {
    from_ms: Type.Integer(),
    to_ms: Nullable(Type.Integer()),
    count: Type.Integer(),
    share: Nullable(Type.Number()),
  },
  Latency,
);
export const AgentReport = report({
  agent_id: Type.Union([Uuid, Type.Null()]),
  conversations: Type.Integer(),
  replies: Type.Integer(),
  asa_count: Type.Integer(),
  asa_mean_ms: Nullable(Type.Integer()),
  asa_median_ms: Nullable(Type.Integer()),
  asa_p90_ms: Nullable(Type.Integer()),
  first_response_mean_ms: Nullable(Type.Integer()),
  resolution_count: Type.Integer(),
  resolution_mean_ms: Nullable(Type.Integer()),
  resolution_median_ms: Nullable(Type.Integer()),
  csat_responses: Type.Integer(),
  csat: Nullable(Type.Number()),
});

export const SurveyComment = Type.Object({
  survey_id: Uuid,
  conversation_id: Uuid,
  conversation_number: Nullable(Type.Integer()),
  contact_id: Uuid,
  inbox_id: Uuid,
  channel: Channel,
  agent_id: Type.Union([Uuid, Type.Null()]),
  rating: SurveyRating,
  comment: Type.Union([Type.String(), Type.Null()]),
  responded_at: Timestamp,
  updated_at: Timestamp,
  follow_up_conversation_id: Type.Union([Uuid, Type.Null()]),
});

export const LiveReport = Type.Object({
  at: Timestamp,
  waiting: Type.Object({
    count: Type.Integer(),
    /** Oldest first, at most 100. */
    conversations: Type.Array(
      Type.Object({
        conversation_id: Uuid,
        number: Type.Integer(),
        subject: Type.Union([Type.String(), Type.Null()]),
        channel: Channel,
        inbox_id: Uuid,
        assignee_id: Type.Union([Uuid, Type.Null()]),
        waiting_since: Timestamp,
        wait_ms: Type.Integer(),
      }),
    ),
  }),
  /** null when this instance cannot see presence (it serves no WebSockets); see agents_note. */
  agents_online: Type.Union([Type.Array(Type.Object({ agent_id: Uuid, name: Type.String() })), Type.Null()]),
  agents_note: Type.Union([Type.String(), Type.Null()]),
  today: Type.Object({
    day: LocalDate,
    asa: LatencyFigures,
    target_ms: Type.Integer(),
    /** Whether today's mean ASA so far is within the target; null before the first answer. */
    within_target: Type.Union([Type.Boolean(), Type.Null()]),
  }),
});
