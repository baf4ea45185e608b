import { Type } from "typebox";
import { NullableTimestamp, PageQuery, StrictObject, Timestamp, Uuid } from "./common.ts";
import { Attributes } from "./contacts.ts";

const MrrCents = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

const Seats = Type.Integer({ minimum: 0, maximum: 10_000_000 });

export const LifecycleStages = ["trial", "onboarding", "active", "renewal", "churned"] as const;
export const LifecycleStage = Type.Union(LifecycleStages.map((s) => Type.Literal(s)));
export const BillingStatuses = [
  "trialing",
  "active",
  "past_due",
  "paused",
  "canceled",
  "unpaid",
  "incomplete",
] as const;

/** The customer-record fields beside name and MRR: settable through the API and the CSV import. */
const customerRecordFields = {
  seats: Type.Optional(Type.Union([Seats, Type.Null()])),
  seats_used: Type.Optional(Type.Union([Seats, Type.Null()])),
  signup_at: Type.Optional(NullableTimestamp),
  renewal_at: Type.Optional(NullableTimestamp),
  owner_agent_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
  lifecycle_stage: Type.Optional(Type.Union([LifecycleStage, Type.Null()])),
};

export const Company = Type.Object({
  id: Uuid,
  name: Type.String(),
  domain: Type.Union([Type.String(), Type.Null()]),
  plan: Type.Union([Type.String(), Type.Null()]),
  mrr_cents: Type.Integer(),
  attributes: Attributes,
  seats: Type.Union([Type.Integer(), Type.Null()]),
  seats_used: Type.Union([Type.Integer(), Type.Null()]),
  signup_at: NullableTimestamp,
  renewal_at: NullableTimestamp,
  owner_agent_id: Type.Union([Uuid, Type.Null()]),
  lifecycle_stage: Type.Union([LifecycleStage, Type.Null()]),
  stripe_customer_id: Type.Union([Type.String(), Type.Null()]),
  billing_status: Type.Union([Type.Union(BillingStatuses.map((s) => Type.Literal(s))), Type.Null()]),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const CompanyDetail = Type.Object({ ...Company.properties, contact_count: Type.Integer() });

export const CreateCompanyBody = StrictObject({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  domain: Type.Optional(
    Type.Union([Type.String({ format: "hostname", minLength: 1, maxLength: 253 }), Type.Null()]),
  ),
  plan: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
  mrr_cents: Type.Optional(MrrCents),
  /** Replaces the whole set of attributes. */
  attributes: Type.Optional(Attributes),
  ...customerRecordFields,
});

export const UpdateCompanyBody = StrictObject({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  domain: CreateCompanyBody.properties.domain,
  plan: CreateCompanyBody.properties.plan,
  mrr_cents: Type.Optional(MrrCents),
  attributes: Type.Optional(Attributes),
  ...customerRecordFields,
});

export const CompanyListQuery = StrictObject({
  ...PageQuery,
  /** Matches the start of the name, ignoring case. */
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});
