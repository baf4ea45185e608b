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
}

export type Conversation = Selectable<ConversationsTable>;
export type NewConversation = Insertable<ConversationsTable>;
export type ConversationUpdate = Updateable<ConversationsTable>;
export type Message = Selectable<MessagesTable>;
export type Contact = Selectable<ContactsTable>;
export type Company = Selectable<CompaniesTable>;
export type Inbox = Selectable<InboxesTable>;
export type Agent = Selectable<AgentsTable>;
