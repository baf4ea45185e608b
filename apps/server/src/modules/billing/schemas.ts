import { Type } from "typebox";
import {
  NullableTimestamp,
  StrictObject,
  Timestamp,
  Uuid,
} from "../../../../../packages/contracts/src/index.ts";

/* Request and response schemas of billing: settings, dunning cases, the pause-or-cancel choices. */

const AfterGrace = Type.Union([Type.Literal("pause"), Type.Literal("cancel"), Type.Literal("none")]);

export const BillingSettings = Type.Object({
  stripe_connected: Type.Boolean(),
  /** The last four characters of the secret key, to recognise it without showing it. */
  stripe_key_hint: Type.Union([Type.String(), Type.Null()]),
  webhook_secret_set: Type.Boolean(),
  /** Where to point the Stripe webhook endpoint of this workspace. */
  webhook_url: Type.String(),
  grace_days: Type.Integer(),
  reminder_days: Type.Array(Type.Integer()),
  after_grace: AfterGrace,
  sender_agent_id: Type.Union([Uuid, Type.Null()]),
  inbox_id: Type.Union([Uuid, Type.Null()]),
  update_card_url: Type.Union([Type.String(), Type.Null()]),
  downgrade_plan: Type.Union([Type.String(), Type.Null()]),
});

export const BillingSettingsBody = StrictObject({
  stripe_secret_key: Type.Optional(
    Type.Union([Type.String({ pattern: "^(sk|rk)_[A-Za-z0-9_]{8,200}$" }), Type.Null()]),
  ),
  stripe_webhook_secret: Type.Optional(
    Type.Union([Type.String({ pattern: "^whsec_[A-Za-z0-9_+/=]{8,200}$" }), Type.Null()]),
  ),
  grace_days: Type.Optional(Type.Integer({ minimum: 0, maximum: 90 })),
  reminder_days: Type.Optional(
    Type.Array(Type.Integer({ minimum: 0, maximum: 90 }), { minItems: 0, maxItems: 6, uniqueItems: true }),
  ),
  after_grace: Type.Optional(AfterGrace),
  sender_agent_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
  inbox_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
  update_card_url: Type.Optional(
    Type.Union([Type.String({ format: "uri", pattern: "^https?://", maxLength: 2000 }), Type.Null()]),
  ),
  downgrade_plan: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
});

export const DunningNotice = Type.Object({
  step: Type.Integer(),
  to_email: Type.String(),
  subject: Type.String(),
  conversation_id: Type.Union([Uuid, Type.Null()]),
  sent_at: Timestamp,
});

export const DunningCase = Type.Object({
  id: Uuid,
  company_id: Uuid,
  reason: Type.String(),
  state: Type.String(),
  outcome: Type.Union([Type.String(), Type.Null()]),
  stripe_invoice_id: Type.Union([Type.String(), Type.Null()]),
  opened_at: Timestamp,
  grace_ends_at: Timestamp,
  closed_at: NullableTimestamp,
  action_error: Type.Union([Type.String(), Type.Null()]),
  notices: Type.Array(DunningNotice),
});

export const CancellationChoice = Type.Object({
  id: Uuid,
  choice: Type.String(),
  months: Type.Union([Type.Integer(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  stripe_state: Type.String(),
  stripe_error: Type.Union([Type.String(), Type.Null()]),
  created_at: Timestamp,
});

export const CompanyBilling = Type.Object({
  company_id: Uuid,
  dunning: Type.Array(DunningCase),
  choices: Type.Array(CancellationChoice),
  subscriptions: Type.Array(
    Type.Object({
      stripe_subscription_id: Type.String(),
      status: Type.String(),
      plan: Type.Union([Type.String(), Type.Null()]),
      mrr_cents: Type.Integer(),
      paused: Type.Boolean(),
      current_period_end: NullableTimestamp,
    }),
  ),
});

export const PauseLinkBody = StrictObject({
  /** How long the link works, in days. */
  expires_in_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
});

export const PauseLink = Type.Object({ url: Type.String(), expires_at: Timestamp });

export const RetentionQuery = StrictObject({
  from: Type.Optional(
    Type.String({ maxLength: 20, description: "First month, YYYY-MM (default: 11 months before `to`)" }),
  ),
  to: Type.Optional(
    Type.String({ maxLength: 20, description: "Last month, YYYY-MM (default: this month, UTC)" }),
  ),
  format: Type.Optional(Type.Union([Type.Literal("json"), Type.Literal("csv")])),
});

const Share = Type.Union([Type.Number(), Type.Null()]);

const RetentionMonth = Type.Object({
  month: Type.String(),
  start_companies: Type.Integer(),
  retained_companies: Type.Integer(),
  churned_companies: Type.Integer(),
  paused_companies: Type.Integer(),
  new_companies: Type.Integer(),
  logo_retention: Share,
  start_mrr_cents: Type.Integer(),
  retained_mrr_cents: Type.Integer(),
  net_revenue_retention: Share,
  churned_mrr_cents: Type.Integer(),
  paused_mrr_cents: Type.Integer(),
  recovered_mrr_cents: Type.Integer(),
  dunning_closed: Type.Integer(),
  dunning_recovered: Type.Integer(),
  dunning_recovery_rate: Share,
});

export const RetentionReport = Type.Object({
  from: Type.String(),
  to: Type.String(),
  rows: Type.Array(RetentionMonth),
  total: Type.Object({
    churned_mrr_cents: Type.Integer(),
    paused_mrr_cents: Type.Integer(),
    recovered_mrr_cents: Type.Integer(),
    dunning_closed: Type.Integer(),
    dunning_recovered: Type.Integer(),
    dunning_recovery_rate: Share,
  }),
  /** Companies by the month they first paid; `retained[k]` is the share kept after k months. */
  cohorts: Type.Array(
    Type.Object({ month: Type.String(), companies: Type.Integer(), retained: Type.Array(Share) }),
  ),
});
