import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/* Table types for Kysely, matching migrations/. Column names are the database's (snake_case). */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Json<T = Record<string, unknown>> = ColumnType<T, T | string, T | string>;
type JsonDefault<T = Record<string, unknown>> = ColumnType<T, T | string | undefined, T | string>;
type BigIntCol = ColumnType<string, number | string | bigint, number | string | bigint>;

export type Role = "owner" | "admin" | "agent" | "viewer";
export type ConversationStatus = "open" | "pending" | "snoozed" | "resolved";
export type Priority = "low" | "normal" | "high" | "urgent";
export type MessageKind = "incoming" | "outgoing" | "note" | "activity";
export type Channel = "email" | "chat" | "callback" | "api";

export interface WorkspacesTable {
  id: Generated<string>;
  name: string;
  slug: string;
  settings: JsonDefault;
  created_at: CreatedAt;
}

export interface AgentsTable {
  id: Generated<string>;
  email: string;
  name: string;
  password_hash: string | null;
  time_zone: Generated<string>;
  created_at: CreatedAt;
}

/** An agent's avatar image; its type is the sniffed one, never the uploader's claim. */
export interface AgentAvatarsTable {
  agent_id: string;
  content_type: string;
  image: Buffer;
  size_bytes: number;
  updated_at: Generated<Date>;
}

export interface MembershipsTable {
  workspace_id: string;
  agent_id: string;
  role: Role;
  created_at: CreatedAt;
}

export interface SessionsTable {
  token_hash: string;
  agent_id: string;
  workspace_id: string;
  csrf_token: string;
  expires_at: Timestamp;
  created_at: CreatedAt;
}

export interface ApiTokensTable {
  workspace_id: string;
  id: Generated<string>;
  agent_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface InvitationsTable {
  workspace_id: string;
  id: Generated<string>;
  email: string;
  role: Role;
  token_hash: string;
  invited_by: string | null;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  revoked_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface PasswordResetsTable {
  token_hash: string;
  agent_id: string;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface LoginThrottleTable {
  key: string;
  failures: Generated<number>;
  window_started_at: Generated<Timestamp>;
  locked_until: Timestamp | null;
}

export interface InboxesTable {
  workspace_id: string;
  id: Generated<string>;
  name: string;
  channel: Channel;
  address: string | null;
  settings: JsonDefault;
  created_at: CreatedAt;
}

export interface CompaniesTable {
  workspace_id: string;
  id: Generated<string>;
  name: string;
  domain: string | null;
  plan: string | null;
  mrr_cents: ColumnType<string, number | string | bigint | undefined, number | string | bigint>;
  attributes: JsonDefault;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  seats: ColumnType<number | null, number | null | undefined, number | null>;
  seats_used: ColumnType<number | null, number | null | undefined, number | null>;
  signup_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  renewal_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  owner_agent_id: ColumnType<string | null, string | null | undefined, string | null>;
  lifecycle_stage: ColumnType<
    LifecycleStage | null,
    LifecycleStage | null | undefined,
    LifecycleStage | null
  >;
  stripe_customer_id: ColumnType<string | null, string | null | undefined, string | null>;
  billing_status: ColumnType<BillingStatus | null, BillingStatus | null | undefined, BillingStatus | null>;
}

export interface ContactsTable {
  workspace_id: string;
  id: Generated<string>;
  name: string | null;
  email: string | null;
  phone: string | null;
  company_id: string | null;
  attributes: JsonDefault;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ConversationsTable {
  workspace_id: string;
  id: Generated<string>;
  number: BigIntCol;
  inbox_id: string;
  contact_id: string;
  channel: Channel;
  subject: string | null;
  status: Generated<ConversationStatus>;
  priority: Generated<Priority>;
  assignee_id: string | null;
  snoozed_until: Timestamp | null;
  preview: string | null;
  message_count: Generated<number>;
  first_customer_message_at: Timestamp | null;
  first_human_response_at: Timestamp | null;
  waiting_since: Timestamp | null;
  resolved_at: Timestamp | null;
  last_activity_at: ColumnType<Date, Date | string | undefined, Date | string>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface WorkspaceCountersTable {
  workspace_id: string;
  name: string;
  value: ColumnType<string, number | string | bigint | undefined, number | string | bigint>;
}

export interface MessagesTable {
  workspace_id: string;
  id: Generated<string>;
  conversation_id: string;
  kind: MessageKind;
  author_agent_id: string | null;
  author_contact_id: string | null;
  body_text: Generated<string>;
  body_html: string | null;
  sent_by_human: Generated<boolean>;
  delivery_state: "queued" | "sent" | "failed" | null;
  delivery_error: string | null;
  metadata: JsonDefault;
  created_at: CreatedAt;
}

export interface AttachmentsTable {
  workspace_id: string;
  id: Generated<string>;
  message_id: string | null;
  uploaded_by: string | null;
  /** The chat visitor who uploaded the file (null for agents' uploads): only they can claim it. */
  uploaded_by_visitor: string | null;
  filename: string;
  content_type: string;
  size_bytes: BigIntCol;
  sha256: string;
  created_at: CreatedAt;
}

export interface TagsTable {
  workspace_id: string;
  id: Generated<string>;
  name: string;
  color: Generated<string>;
  created_at: CreatedAt;
}

export interface SavedRepliesTable {
  workspace_id: string;
  id: Generated<string>;
  name: string;
  body: string;
  created_by: string | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ConversationTagsTable {
  workspace_id: string;
  conversation_id: string;
  tag_id: string;
  created_at: CreatedAt;
}

export interface AuditLogTable {
  workspace_id: string;
  id: Generated<string>;
  actor_agent_id: string | null;
  actor_kind: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  data: JsonDefault;
  ip: string | null;
  created_at: CreatedAt;
}

export interface IdempotencyKeysTable {
  workspace_id: string;
  principal: string;
  key: string;
  request_hash: string;
  status_code: number | null;
  response_body: Json<unknown> | null;
  created_at: CreatedAt;
}

export interface WebhooksTable {
  workspace_id: string;
  id: Generated<string>;
  url: string;
  secret: string;
  events: string[];
  active: Generated<boolean>;
  created_at: CreatedAt;
}

export interface WebhookDeliveriesTable {
  workspace_id: string;
  id: Generated<string>;
  webhook_id: string;
  event_type: string;
  payload: Json<unknown>;
  state: Generated<"pending" | "delivered" | "failed">;
  attempts: Generated<number>;
  response_status: number | null;
  last_error: string | null;
  created_at: CreatedAt;
  delivered_at: Timestamp | null;
  event_id: string | null;
}

/** A timestamp column with a database default: optional on insert. */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface EmailSmtpSettingsTable {
  workspace_id: string;
  inbox_id: string;
  host: string;
  port: number;
  security: "tls" | "starttls" | "none";
  username: string | null;
  /** AES-256-GCM sealed (lib/secret-box.ts); never the clear password. */
  password_sealed: string | null;
  from_name: string | null;
  updated_at: DefaultTimestamp;
}

export interface EmailAutoAckTemplatesTable {
  workspace_id: string;
  inbox_id: string;
  subject: string;
  body: string;
  updated_at: DefaultTimestamp;
}

export interface EmailDeliveriesTable {
  workspace_id: string;
  message_id: string;
  state: "sending" | "retry" | "sent" | "failed";
  rfc_message_id: string;
  attempts: Generated<number>;
  claimed_at: Timestamp | null;
  finished_at: Timestamp | null;
  transport: "smtp" | "outbox" | null;
  response: string | null;
  last_error: string | null;
  created_at: CreatedAt;
}

export interface EmailAutomaticSendsTable {
  workspace_id: string;
  id: Generated<string>;
  kind: string;
  address: string;
  trigger_message_id: string;
  sent_at: DefaultTimestamp;
}

export interface InboundEmailsTable {
  workspace_id: string;
  id: Generated<string>;
  inbox_id: string;
  source: "smtp" | "imap";
  envelope_from: string | null;
  envelope_to: string;
  message_id_header: string | null;
  dedupe_key: string;
  sha256: string;
  size_bytes: number;
  raw: Buffer;
  state: Generated<"received" | "processed" | "failed">;
  attempts: Generated<number>;
  warnings: JsonDefault<string[]>;
  last_error: string | null;
  conversation_id: string | null;
  message_id: string | null;
  imap_uidvalidity: BigIntCol | null;
  imap_uid: BigIntCol | null;
  received_at: ColumnType<Date, Date | string | undefined, Date | string>;
  processed_at: Timestamp | null;
}

export interface EmailMessageIdsTable {
  workspace_id: string;
  message_id_header: string;
  conversation_id: string;
  message_id: string | null;
  direction: "incoming" | "outgoing";
  created_at: CreatedAt;
}

export interface EmailThreadParticipantsTable {
  workspace_id: string;
  conversation_id: string;
  address: string;
  created_at: CreatedAt;
}

export interface ImapAccountsTable {
  workspace_id: string;
  inbox_id: string;
  host: string;
  port: number;
  tls: boolean;
  username: string;
  /** AES-256-GCM sealed (lib/secret-box.ts); never the clear password. */
  password_sealed: string;
  folder: Generated<string>;
  move_to_folder: string | null;
  enabled: Generated<boolean>;
  uidvalidity: BigIntCol | null;
  last_uid: ColumnType<string, number | string | bigint | undefined, number | string | bigint>;
  messages_on_server: number | null;
  last_poll_at: Timestamp | null;
  last_success_at: Timestamp | null;
  last_error: string | null;
  last_error_at: Timestamp | null;
  lease_owner: string | null;
  lease_until: Timestamp | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/* Surveys and response metrics (migration 004). */
export type SurveyRating = "great" | "good" | "okay" | "bad";
type DateCol = ColumnType<string, string, string>;
type Int8 = ColumnType<string | null, number | string | null, number | string | null>;

export interface SurveySettingsTable {
  workspace_id: string;
  inbox_id: string;
  enabled: boolean;
  delay_minutes: number;
  question: string | null;
  min_days_between: number;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface SurveysTable {
  workspace_id: string;
  id: Generated<string>;
  conversation_id: string;
  contact_id: string;
  inbox_id: string;
  channel: Channel;
  agent_id: string | null;
  resolved_at: Timestamp;
  state: "scheduled" | "sending" | "sent" | "skipped" | "failed";
  skip_reason: string | null;
  language: Generated<string>;
  scheduled_for: Timestamp;
  sent_at: Timestamp | null;
  last_error: string | null;
  created_at: CreatedAt;
}

export interface SurveyResponsesTable {
  workspace_id: string;
  survey_id: string;
  rating: SurveyRating;
  comment: string | null;
  responded_at: Timestamp;
  updated_at: Timestamp;
  follow_up_conversation_id: string | null;
}

export interface SurveyPageNoncesTable {
  workspace_id: string;
  survey_id: string;
  nonce: string;
  used_at: Timestamp;
}

/** Where the metrics sweep has got to in conversations' order of last change (one row). */
export interface MetricsSweepStateTable {
  singleton: Generated<boolean>;
  swept_to: Timestamp;
  swept_id: string;
}

export interface ConversationMetricsTable {
  workspace_id: string;
  conversation_id: string;
  inbox_id: string;
  channel: Channel;
  agent_id: string | null;
  requested_at: Timestamp | null;
  day: DateCol;
  hour: number;
  first_response_at: Timestamp | null;
  first_response_ms: Int8;
  first_response_business_ms: Int8;
  answered_at: Timestamp | null;
  asa_ms: Int8;
  asa_business_ms: Int8;
  resolved_at: Timestamp | null;
  resolution_day: ColumnType<string | null, string | null, string | null>;
  resolution_ms: Int8;
  resolution_business_ms: Int8;
  replies: number;
  computed_at: Timestamp;
}

type Counter = ColumnType<number, number | undefined, number>;
type Sum = ColumnType<string, number | string | undefined, number | string>;

export interface ReportDailyRollupsTable {
  workspace_id: string;
  day: DateCol;
  inbox_id: string;
  channel: Channel;
  agent_id: string;
  conversations: Counter;
  replies: Counter;
  first_response_count: Counter;
  first_response_sum_ms: Sum;
  first_response_business_sum_ms: Sum;
  first_response_hist: number[];
  first_response_business_hist: number[];
  asa_count: Counter;
  asa_sum_ms: Sum;
  asa_business_sum_ms: Sum;
  asa_hist: number[];
  asa_business_hist: number[];
  resolution_count: Counter;
  resolution_sum_ms: Sum;
  resolution_business_sum_ms: Sum;
  resolution_hist: number[];
  resolution_business_hist: number[];
  csat_great: Counter;
  csat_good: Counter;
  csat_okay: Counter;
  csat_bad: Counter;
  csat_comments: Counter;
}

/** report_daily_rollups summed over agents. */
export type ReportDailyTotalsTable = Omit<ReportDailyRollupsTable, "agent_id">;
/** report_daily_rollups summed over agents, inboxes and channels: one row per workspace and day. */
export type ReportDailyWorkspaceTable = Omit<ReportDailyRollupsTable, "agent_id" | "inbox_id" | "channel">;

export interface ReportHourlyVolumeTable {
  workspace_id: string;
  day: DateCol;
  inbox_id: string;
  channel: Channel;
  hour: number;
  conversations: Counter;
}

export interface ReportRollupStateTable {
  workspace_id: string;
  settings_fingerprint: string;
  rebuilt_at: Timestamp;
}

/* Feature requests, sequences and office hours (migration 2026_11_28_008). */

export type FeatureRequestStatus = "under_review" | "planned" | "in_progress" | "shipped" | "declined";

export interface FeatureRequestsTable {
  workspace_id: string;
  id: Generated<string>;
  title: string;
  description: Generated<string>;
  status: Generated<FeatureRequestStatus>;
  created_by: string | null;
  first_asked_at: Timestamp | null;
  last_asked_at: Timestamp | null;
  shipped_at: Timestamp | null;
  first_ask_to_ship_ms: BigIntCol | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface FeatureRequestAsksTable {
  workspace_id: string;
  id: Generated<string>;
  request_id: string;
  contact_id: string;
  company_id: string | null;
  conversation_id: string | null;
  linked_by: string | null;
  asked_at: Timestamp;
  note: string | null;
  created_at: CreatedAt;
}

export interface FeatureRequestNoticesTable {
  workspace_id: string;
  id: Generated<string>;
  request_id: string;
  contact_id: string;
  conversation_id: string | null;
  sender_agent_id: string | null;
  subject: string;
  body: string;
  state: Generated<"draft" | "sent" | "skipped">;
  skip_reason: string | null;
  sent_conversation_id: string | null;
  sent_message_id: string | null;
  sent_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface EmailSuppressionsTable {
  workspace_id: string;
  contact_id: string;
  reason: "unsubscribed" | "bounced";
  detail: string | null;
  created_at: Timestamp;
}

export interface SequencesTable {
  workspace_id: string;
  id: Generated<string>;
  name: string;
  kind: Generated<"sequence" | "broadcast">;
  inbox_id: string;
  state: Generated<"draft" | "active" | "archived">;
  entry_event: string | null;
  entry_conditions: JsonDefault<unknown[]>;
  quiet_hours: Generated<number>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ContactEventsTable {
  workspace_id: string;
  contact_id: string;
  name: string;
  first_at: Timestamp;
  last_at: Timestamp;
  count: Generated<number>;
}

export interface SequenceStepsTable {
  workspace_id: string;
  sequence_id: string;
  position: number;
  delay_amount: number;
  delay_unit: "days" | "business_days";
  subject: string;
  body: string;
  conditions: JsonDefault<unknown[]>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export type EnrollmentState = "active" | "paused" | "completed" | "stopped" | "unsubscribed";

export interface SequenceEnrollmentsTable {
  workspace_id: string;
  id: Generated<string>;
  sequence_id: string;
  contact_id: string;
  state: EnrollmentState;
  next_position: Generated<number>;
  due_at: Timestamp | null;
  pause_cause: "conversation" | "agent" | null;
  pause_reason: string | null;
  paused_conversation_id: string | null;
  paused_at: Timestamp | null;
  resume_at: Timestamp | null;
  entered_via: "event" | "segment" | "manual";
  entered_at: Timestamp;
  last_sent_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export interface SequenceSendsTable {
  workspace_id: string;
  id: Generated<string>;
  enrollment_id: string;
  sequence_id: string;
  contact_id: string;
  position: number;
  state: "sending" | "sent" | "skipped" | "failed" | "bounced";
  detail: string | null;
  rfc_message_id: string | null;
  at: Timestamp;
}

export interface OfficeHoursTable {
  workspace_id: string;
  id: Generated<string>;
  agent_id: string;
  weekday: number;
  start_minute: number;
  end_minute: number;
  created_at: CreatedAt;
}

export interface OfficeHoursChatsTable {
  workspace_id: string;
  conversation_id: string;
  agent_id: string;
  office_hours_id: string | null;
  routed_at: Timestamp;
  answered_at: Timestamp | null;
}

/* The chat widget and callback requests (modules/widget, modules/callbacks). */
export type WidgetReplyTime = "minutes" | "hours" | "day";
export type CallbackOutcome = "reached" | "no_answer" | "retry_later";

export interface WidgetSettingsTable {
  workspace_id: string;
  inbox_id: string;
  public_key: string;
  color: Generated<string>;
  greeting: Generated<string>;
  reply_time: Generated<WidgetReplyTime>;
  allowed_origins: JsonDefault<string[]>;
  identity_secret: string | null;
  require_verified: Generated<boolean>;
  offline_behaviour: Generated<"ask_email" | "hide">;
  respect_business_hours: Generated<boolean>;
  languages: JsonDefault<string[]>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface WidgetVisitorsTable {
  workspace_id: string;
  id: Generated<string>;
  inbox_id: string;
  token_hash: string;
  contact_id: string;
  external_id: string | null;
  name: string | null;
  email: string | null;
  attributes: JsonDefault;
  created_at: CreatedAt;
  last_seen_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** The visitor's browser as the widget reported it: page, language, time zone, browser, system. */
  context: JsonDefault;
  /** The language the widget speaks to the visitor (en, bn, …); mail continuing their chat uses it. */
  language: string | null;
}

export interface WidgetRateLimitsTable {
  bucket: string;
  key: string;
  window_start: Timestamp;
  hits: number;
}

export interface WidgetIdentitiesTable {
  workspace_id: string;
  external_id: string;
  contact_id: string;
  created_at: CreatedAt;
}

export interface WidgetConversationsTable {
  workspace_id: string;
  conversation_id: string;
  visitor_id: string;
  visitor_read_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface CallbackRequestsTable {
  workspace_id: string;
  conversation_id: string;
  inbox_id: string;
  phone: string;
  time_zone: string;
  window_start: Timestamp;
  window_end: Timestamp;
  reason: Generated<string>;
  state: Generated<"waiting" | "done">;
  outcome: CallbackOutcome | null;
  attempts: Generated<number>;
  first_attempt_at: Timestamp | null;
  completed_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface CallbackAttemptsTable {
  workspace_id: string;
  id: Generated<string>;
  conversation_id: string;
  agent_id: string | null;
  outcome: CallbackOutcome;
  notes: Generated<string>;
  created_at: CreatedAt;
}

/* Customer success (migration 2026_11_28_007): usage, health, Stripe mirror, dunning, pause. */
export type LifecycleStage = "trial" | "onboarding" | "active" | "renewal" | "churned";
export type BillingStatus =
  | "trialing"
  | "active"
  | "past_due"
  | "paused"
  | "canceled"
  | "unpaid"
  | "incomplete";

export interface UsageEventsTable {
  workspace_id: string;
  id: Generated<string>;
  company_id: string;
  contact_id: string | null;
  name: string;
  quantity: number;
  occurred_at: Timestamp;
  properties: JsonDefault;
  received_at: CreatedAt;
}

export interface UsageDailyTable {
  workspace_id: string;
  company_id: string;
  day: ColumnType<string, string, string>;
  quantity: BigIntCol;
}

export interface HealthSettingsTable {
  workspace_id: string;
  settings: JsonDefault;
  updated_at: Timestamp;
}

export interface CompanyHealthTable {
  workspace_id: string;
  company_id: string;
  score: number;
  at_risk: boolean;
  upsell: boolean;
  advocate: boolean;
  reasons: Json<unknown[]>;
  computed_at: Timestamp;
}

export interface BillingSettingsTable {
  workspace_id: string;
  stripe_secret_key: string | null;
  stripe_webhook_secret: string | null;
  grace_days: Generated<number>;
  reminder_days: ColumnType<number[], number[] | undefined, number[]>;
  after_grace: ColumnType<
    "pause" | "cancel" | "none",
    "pause" | "cancel" | "none" | undefined,
    "pause" | "cancel" | "none"
  >;
  sender_agent_id: string | null;
  update_card_url: string | null;
  inbox_id: string | null;
  downgrade_plan: string | null;
  updated_at: Timestamp;
}

export interface StripeEventsTable {
  workspace_id: string;
  event_id: string;
  type: string;
  created_at: Timestamp;
  received_at: Timestamp;
  outcome: "applied" | "stale" | "ignored";
}

export interface BillingSubscriptionsTable {
  workspace_id: string;
  stripe_subscription_id: string;
  company_id: string;
  status: string;
  plan: string | null;
  mrr_cents: BigIntCol;
  quantity: number | null;
  current_period_end: Timestamp | null;
  paused: boolean;
  canceled_at: Timestamp | null;
  last_event_at: Timestamp;
  updated_at: Timestamp;
}

/** One change of a company's mirrored billing (status or MRR), for the retention report. */
export interface BillingMrrHistoryTable {
  workspace_id: string;
  id: Generated<string>;
  company_id: string;
  at: Timestamp;
  status: string;
  mrr_cents: BigIntCol;
}

export interface BillingInvoicesTable {
  workspace_id: string;
  stripe_invoice_id: string;
  company_id: string;
  stripe_subscription_id: string | null;
  status: string;
  amount_due_cents: BigIntCol;
  failed_at: Timestamp | null;
  paid_at: Timestamp | null;
  last_event_at: Timestamp;
}

export type DunningState = "open" | "recovered" | "expired";
export type DunningOutcome = "recovered" | "paused" | "canceled" | "none";

export interface DunningCasesTable {
  workspace_id: string;
  id: Generated<string>;
  company_id: string;
  stripe_invoice_id: string | null;
  stripe_subscription_id: string | null;
  reason: "payment_failed" | "card_expiring";
  state: DunningState;
  opened_at: Timestamp;
  grace_ends_at: Timestamp;
  next_step_at: Timestamp | null;
  closed_at: Timestamp | null;
  outcome: DunningOutcome | null;
  action_error: string | null;
}

export interface DunningNoticesTable {
  workspace_id: string;
  case_id: string;
  step: number;
  to_email: string;
  subject: string;
  conversation_id: string | null;
  sent_at: Timestamp;
}

export interface CancellationChoicesTable {
  workspace_id: string;
  id: Generated<string>;
  company_id: string;
  choice: "pause" | "downgrade" | "cancel" | "resume";
  months: number | null;
  reason: string | null;
  stripe_state: ColumnType<
    "pending" | "done" | "failed" | "skipped",
    "pending" | "done" | "failed" | "skipped" | undefined,
    "pending" | "done" | "failed" | "skipped"
  >;
  stripe_error: string | null;
  created_at: Timestamp;
}

export type HelpArticleStatus = "draft" | "published";

export interface HelpCenterSettingsTable {
  workspace_id: string;
  enabled: Generated<boolean>;
  title: string | null;
  custom_domain: string | null;
  logo_url: string | null;
  color: Generated<string>;
  default_language: Generated<string>;
  contact_email: string | null;
  chat_url: string | null;
  callback_url: string | null;
  contact_inbox_id: string | null;
  updated_at: Timestamp;
}

export interface HelpCollectionsTable {
  workspace_id: string;
  id: Generated<string>;
  parent_id: string | null;
  slug: string;
  name: string;
  description: string | null;
  translations: JsonDefault<Record<string, { name: string; description?: string | null }>>;
  position: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface HelpArticlesTable {
  workspace_id: string;
  id: Generated<string>;
  translation_group_id: string;
  language: string;
  collection_id: string | null;
  slug: string;
  title: string;
  body_markdown: string;
  body_html: string;
  body_text: string;
  title_search: Generated<string>;
  search_extra: Generated<string>;
  status: HelpArticleStatus;
  version: Generated<number>;
  position: Generated<number>;
  published_at: Timestamp | null;
  created_by: string | null;
  updated_by: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
  search_vector: ColumnType<string, never, never>;
  title_vector: ColumnType<string, never, never>;
  lead_vector: ColumnType<string, never, never>;
}

export interface HelpArticleSlugsTable {
  workspace_id: string;
  language: string;
  slug: string;
  article_id: string;
  created_at: CreatedAt;
}

export interface HelpArticleRevisionsTable {
  workspace_id: string;
  id: Generated<string>;
  article_id: string;
  version: number;
  title: string;
  slug: string;
  body_markdown: string;
  status: HelpArticleStatus;
  collection_id: string | null;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface HelpSearchWordsTable {
  workspace_id: string;
  word: string;
}

export interface HelpSearchesTable {
  workspace_id: string;
  id: Generated<string>;
  query: string;
  language: string;
  results: number;
  source: string;
  created_at: CreatedAt;
}

export interface HelpArticleStatsTable {
  workspace_id: string;
  article_id: string;
  day: DateCol;
  views: Counter;
  helpful: Counter;
  unhelpful: Counter;
}

export interface HelpArticleFeedbackTable {
  workspace_id: string;
  id: Generated<string>;
  article_id: string;
  helpful: boolean;
  comment: string | null;
  language: string;
  created_at: CreatedAt;
}

/** The transactional outbox (see migration 017): one row per durable event, in commit order by (tx, seq). */
export interface EventOutboxTable {
  workspace_id: string;
  seq: Generated<string>;
  tx: Generated<string>;
  id: Generated<string>;
  type: string;
  data: Json;
  created_at: Generated<Date>;
}

/** How far each durable listener has read the outbox. */
export interface EventConsumersTable {
  name: string;
  pos_tx: Generated<string>;
  pos_seq: Generated<string>;
  updated_at: Generated<Date>;
}

/** An event a listener gave up on after its retries, kept for a person to see and retry. */
export interface EventParkedTable {
  workspace_id: string;
  consumer: string;
  event_id: string;
  seq: BigIntCol;
  type: string;
  data: Json;
  occurred_at: Timestamp;
  attempts: number;
  error: string;
  parked_at: Generated<Date>;
}

export interface DB {
  workspaces: WorkspacesTable;
  agents: AgentsTable;
  agent_avatars: AgentAvatarsTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  invitations: InvitationsTable;
  password_resets: PasswordResetsTable;
  login_throttle: LoginThrottleTable;
  inboxes: InboxesTable;
  companies: CompaniesTable;
  contacts: ContactsTable;
  conversations: ConversationsTable;
  workspace_counters: WorkspaceCountersTable;
  messages: MessagesTable;
  attachments: AttachmentsTable;
  tags: TagsTable;
  conversation_tags: ConversationTagsTable;
  saved_replies: SavedRepliesTable;
  audit_log: AuditLogTable;
  idempotency_keys: IdempotencyKeysTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  inbound_emails: InboundEmailsTable;
  email_message_ids: EmailMessageIdsTable;
  email_thread_participants: EmailThreadParticipantsTable;
  imap_accounts: ImapAccountsTable;
  email_smtp_settings: EmailSmtpSettingsTable;
  email_auto_ack_templates: EmailAutoAckTemplatesTable;
  email_deliveries: EmailDeliveriesTable;
  email_automatic_sends: EmailAutomaticSendsTable;
  survey_settings: SurveySettingsTable;
  surveys: SurveysTable;
  survey_responses: SurveyResponsesTable;
  survey_page_nonces: SurveyPageNoncesTable;
  conversation_metrics: ConversationMetricsTable;
  metrics_sweep_state: MetricsSweepStateTable;
  event_outbox: EventOutboxTable;
  event_consumers: EventConsumersTable;
  event_parked: EventParkedTable;
  report_daily_rollups: ReportDailyRollupsTable;
  report_daily_totals: ReportDailyTotalsTable;
  report_daily_workspace: ReportDailyWorkspaceTable;
  report_hourly_volume: ReportHourlyVolumeTable;
  report_rollup_state: ReportRollupStateTable;
  widget_settings: WidgetSettingsTable;
  widget_visitors: WidgetVisitorsTable;
  widget_identities: WidgetIdentitiesTable;
  widget_conversations: WidgetConversationsTable;
  widget_rate_limits: WidgetRateLimitsTable;
  callback_requests: CallbackRequestsTable;
  callback_attempts: CallbackAttemptsTable;
  feature_requests: FeatureRequestsTable;
  feature_request_asks: FeatureRequestAsksTable;
  feature_request_notices: FeatureRequestNoticesTable;
  email_suppressions: EmailSuppressionsTable;
  sequences: SequencesTable;
  sequence_steps: SequenceStepsTable;
  contact_events: ContactEventsTable;
  sequence_enrollments: SequenceEnrollmentsTable;
  sequence_sends: SequenceSendsTable;
  office_hours: OfficeHoursTable;
  office_hours_chats: OfficeHoursChatsTable;
  usage_events: UsageEventsTable;
  usage_daily: UsageDailyTable;
  health_settings: HealthSettingsTable;
  company_health: CompanyHealthTable;
  billing_settings: BillingSettingsTable;
  stripe_events: StripeEventsTable;
  billing_subscriptions: BillingSubscriptionsTable;
  billing_invoices: BillingInvoicesTable;
  billing_mrr_history: BillingMrrHistoryTable;
  dunning_cases: DunningCasesTable;
  dunning_notices: DunningNoticesTable;
  cancellation_choices: CancellationChoicesTable;
  help_center_settings: HelpCenterSettingsTable;
  help_collections: HelpCollectionsTable;
  help_articles: HelpArticlesTable;
  help_article_slugs: HelpArticleSlugsTable;
  help_article_revisions: HelpArticleRevisionsTable;
  help_search_words: HelpSearchWordsTable;
  help_searches: HelpSearchesTable;
  help_article_stats: HelpArticleStatsTable;
  help_article_feedback: HelpArticleFeedbackTable;
}

export type Conversation = Selectable<ConversationsTable>;
export type NewConversation = Insertable<ConversationsTable>;
export type ConversationUpdate = Updateable<ConversationsTable>;
export type Message = Selectable<MessagesTable>;
export type Contact = Selectable<ContactsTable>;
export type Company = Selectable<CompaniesTable>;
export type Inbox = Selectable<InboxesTable>;
export type Agent = Selectable<AgentsTable>;
