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

export interface DB {
  workspaces: WorkspacesTable;
  agents: AgentsTable;
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
  report_daily_rollups: ReportDailyRollupsTable;
  report_daily_totals: ReportDailyTotalsTable;
  report_daily_workspace: ReportDailyWorkspaceTable;
  report_hourly_volume: ReportHourlyVolumeTable;
  report_rollup_state: ReportRollupStateTable;
}

export type Conversation = Selectable<ConversationsTable>;
export type NewConversation = Insertable<ConversationsTable>;
export type ConversationUpdate = Updateable<ConversationsTable>;
export type Message = Selectable<MessagesTable>;
export type Contact = Selectable<ContactsTable>;
export type Company = Selectable<CompaniesTable>;
export type Inbox = Selectable<InboxesTable>;
export type Agent = Selectable<AgentsTable>;
