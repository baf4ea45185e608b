import { Type } from "typebox";
import {
  Attributes,
  Page,
  PageQuery,
  StrictObject,
  Timestamp,
  Uuid,
} from "../../../../../packages/contracts/src/index.ts";

/*
 * Request and response schemas of customer health and usage events. They live beside the module
 * (rather than in packages/contracts) while the module settles; the web app reads them as JSON.
 */

export const Flag = Type.Union([Type.Literal("at_risk"), Type.Literal("upsell"), Type.Literal("advocate")]);

export const Reason = Type.Object({
  factor: Type.String(),
  impact: Type.Integer(),
  text: Type.String(),
  flag: Type.Optional(Flag),
});

export const CompanyHealth = Type.Object({
  company_id: Uuid,
  score: Type.Integer(),
  at_risk: Type.Boolean(),
  upsell: Type.Boolean(),
  advocate: Type.Boolean(),
  reasons: Type.Array(Reason),
  computed_at: Timestamp,
});

export const FlaggedCompany = Type.Object({
  ...CompanyHealth.properties,
  id: Uuid,
  name: Type.String(),
  plan: Type.Union([Type.String(), Type.Null()]),
  mrr_cents: Type.Integer(),
});

export const FlaggedPage = Page(FlaggedCompany);

export const FlaggedQuery = StrictObject({
  ...PageQuery,
  flag: Flag,
});

const Weight = Type.Number({ minimum: 0, maximum: 5 });

export const HealthSettings = Type.Object({
  weights: Type.Object({
    csat: Type.Number(),
    bad_ratings: Type.Number(),
    unanswered_bad_ratings: Type.Number(),
    conversation_trend: Type.Number(),
    long_waits: Type.Number(),
    failed_payment: Type.Number(),
    usage_trend: Type.Number(),
    seats: Type.Number(),
    last_contact: Type.Number(),
    higher_plan_asks: Type.Number(),
  }),
  at_risk_below: Type.Integer(),
  long_wait_hours: Type.Number(),
  quiet_days: Type.Integer(),
  upsell_seat_share: Type.Number(),
  plans: Type.Array(Type.String()),
  feature_plans: Type.Record(Type.String(), Type.String()),
});

export const HealthSettingsBody = StrictObject({
  weights: Type.Optional(
    StrictObject({
      csat: Type.Optional(Weight),
      bad_ratings: Type.Optional(Weight),
      unanswered_bad_ratings: Type.Optional(Weight),
      conversation_trend: Type.Optional(Weight),
      long_waits: Type.Optional(Weight),
      failed_payment: Type.Optional(Weight),
      usage_trend: Type.Optional(Weight),
      seats: Type.Optional(Weight),
      last_contact: Type.Optional(Weight),
      higher_plan_asks: Type.Optional(Weight),
    }),
  ),
  at_risk_below: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  long_wait_hours: Type.Optional(Type.Number({ minimum: 0.25, maximum: 720 })),
  quiet_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  upsell_seat_share: Type.Optional(Type.Number({ minimum: 0.1, maximum: 1 })),
  /** The plans, cheapest first: a company asking for a higher plan's feature is an upsell prospect. */
  plans: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 20 })),
  /** Feature request id → its plan; the whole map is replaced. */
  feature_plans: Type.Optional(
    Type.Record(Type.String(), Type.String({ minLength: 1, maxLength: 100 }), { maxProperties: 500 }),
  ),
});

export const UsageEventBody = StrictObject({
  /** What happened, in the product's own words: "report.exported", "seat.added". */
  name: Type.String({ minLength: 1, maxLength: 200 }),
  company_id: Type.Optional(Uuid),
  contact_id: Type.Optional(Uuid),
  contact_email: Type.Optional(Type.String({ format: "email", maxLength: 320 })),
  quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  occurred_at: Type.Optional(Type.String({ format: "date-time" })),
  properties: Type.Optional(Attributes),
});

export const UsageEvent = Type.Object({
  id: Uuid,
  company_id: Uuid,
  contact_id: Type.Union([Uuid, Type.Null()]),
  name: Type.String(),
  quantity: Type.Integer(),
  occurred_at: Timestamp,
  properties: Attributes,
});
