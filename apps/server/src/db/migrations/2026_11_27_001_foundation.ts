import { type Kysely, sql } from "kysely";

/*
 * The foundation schema. Frozen in time: later changes go into new migrations.
 * Every tenant table leads its primary key and its indexes with workspace_id, ready for sharding.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);
  await runStatements(
    db,
    `
    create table workspaces (
      id uuid primary key default gen_random_uuid(),
      name text not null,
      slug text not null unique,
      settings jsonb not null default '{}',
      created_at timestamptz not null default now()
    );

    create table agents (
      id uuid primary key default gen_random_uuid(),
      email text not null,
      name text not null,
      password_hash text,
      time_zone text not null default 'UTC',
      created_at timestamptz not null default now()
    );
    create unique index agents_email_key on agents (lower(email));

    create table memberships (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      agent_id uuid not null references agents(id) on delete cascade,
      role text not null check (role in ('owner', 'admin', 'agent', 'viewer')),
      created_at timestamptz not null default now(),
      primary key (workspace_id, agent_id)
    );
    create index memberships_agent_idx on memberships (agent_id);

    create table sessions (
      token_hash text primary key,
      agent_id uuid not null references agents(id) on delete cascade,
      workspace_id uuid not null references workspaces(id) on delete cascade,
      csrf_token text not null,
      expires_at timestamptz not null,
      created_at timestamptz not null default now()
    );
    create index sessions_agent_idx on sessions (agent_id);

    create table api_tokens (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      agent_id uuid not null references agents(id) on delete cascade,
      name text not null,
      token_hash text not null unique,
      prefix text not null,
      expires_at timestamptz,
      revoked_at timestamptz,
      last_used_at timestamptz,
      created_at timestamptz not null default now(),
      primary key (workspace_id, id)
    );

    create table invitations (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      email text not null,
      role text not null check (role in ('owner', 'admin', 'agent', 'viewer')),
      token_hash text not null unique,
      invited_by uuid references agents(id) on delete set null,
      expires_at timestamptz not null,
      accepted_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz not null default now(),
      primary key (workspace_id, id)
    );

    create table password_resets (
      token_hash text primary key,
      agent_id uuid not null references agents(id) on delete cascade,
      expires_at timestamptz not null,
      used_at timestamptz,
      created_at timestamptz not null default now()
    );

    create table login_throttle (
      key text primary key,
      failures integer not null default 0,
      window_started_at timestamptz not null default now(),
      locked_until timestamptz
    );

    create table inboxes (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      name text not null,
      channel text not null check (channel in ('email', 'chat', 'callback', 'api')),
      address text,
      settings jsonb not null default '{}',
      created_at timestamptz not null default now(),
      primary key (workspace_id, id)
    );
    create unique index inboxes_address_key on inboxes (lower(address)) where address is not null;

    create table companies (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      name text not null,
      domain text,
      plan text,
      mrr_cents bigint not null default 0,
      attributes jsonb not null default '{}',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (workspace_id, id)
    );
    create index companies_name_idx on companies (workspace_id, lower(name), id);

    create table contacts (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      name text,
      email text,
      phone text,
      company_id uuid,
      attributes jsonb not null default '{}',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (workspace_id, id),
      foreign key (workspace_id, company_id) references companies(workspace_id, id) on delete set null (company_id)
    );
    create unique index contacts_email_key on contacts (workspace_id, lower(email)) where email is not null;
    create index contacts_company_idx on contacts (workspace_id, company_id);
    create index contacts_created_idx on contacts (workspace_id, created_at desc, id desc);

    create table conversations (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      number bigint not null,
      inbox_id uuid not null,
      contact_id uuid not null,
      channel text not null,
      subject text,
      status text not null default 'open' check (status in ('open', 'pending', 'snoozed', 'resolved')),
      priority text not null default 'normal' check (priority in ('low', 'normal', 'high', 'urgent')),
      assignee_id uuid references agents(id) on delete set null,
      snoozed_until timestamptz,
      preview text,
      message_count integer not null default 0,
      first_customer_message_at timestamptz,
      first_human_response_at timestamptz,
      waiting_since timestamptz,
      resolved_at timestamptz,
      last_activity_at timestamptz not null default now(),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (workspace_id, id),
      unique (workspace_id, number),
      foreign key (workspace_id, inbox_id) references inboxes(workspace_id, id),
      foreign key (workspace_id, contact_id) references contacts(workspace_id, id)
    );
    create index conversations_activity_idx on conversations (workspace_id, last_activity_at desc, id desc);
    create index conversations_status_idx on conversations (workspace_id, status, last_activity_at desc, id desc);
    create index conversations_assignee_idx on conversations (workspace_id, assignee_id, status, last_activity_at desc, id desc);
    create index conversations_inbox_idx on conversations (workspace_id, inbox_id, status, last_activity_at desc, id desc);
    create index conversations_contact_idx on conversations (workspace_id, contact_id, last_activity_at desc, id desc);
    create index conversations_snoozed_idx on conversations (workspace_id, snoozed_until) where status = 'snoozed';

    create table workspace_counters (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      name text not null,
      value bigint not null default 0,
      primary key (workspace_id, name)
    );

    create table messages (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      conversation_id uuid not null,
      kind text not null check (kind in ('incoming', 'outgoing', 'note', 'activity')),
      author_agent_id uuid references agents(id) on delete set null,
      author_contact_id uuid,
      body_text text not null default '',
      body_html text,
      sent_by_human boolean not null default false,
      delivery_state text check (delivery_state in ('queued', 'sent', 'failed')),
      delivery_error text,
      metadata jsonb not null default '{}',
      created_at timestamptz not null default now(),
      primary key (workspace_id, id),
      foreign key (workspace_id, conversation_id) references conversations(workspace_id, id) on delete cascade
    );
    create index messages_conversation_idx on messages (workspace_id, conversation_id, created_at, id);

    create table attachments (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      message_id uuid,
      uploaded_by uuid references agents(id) on delete set null,
      filename text not null,
      content_type text not null,
      size_bytes bigint not null,
      sha256 text not null,
      created_at timestamptz not null default now(),
      primary key (workspace_id, id),
      foreign key (workspace_id, message_id) references messages(workspace_id, id) on delete cascade
    );
    create index attachments_message_idx on attachments (workspace_id, message_id);

    create table tags (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      name text not null,
      color text not null default '#6b7280',
      created_at timestamptz not null default now(),
      primary key (workspace_id, id)
    );
    create unique index tags_name_key on tags (workspace_id, lower(name));

    create table conversation_tags (
      workspace_id uuid not null,
      conversation_id uuid not null,
      tag_id uuid not null,
      created_at timestamptz not null default now(),
      primary key (workspace_id, conversation_id, tag_id),
      foreign key (workspace_id, conversation_id) references conversations(workspace_id, id) on delete cascade,
      foreign key (workspace_id, tag_id) references tags(workspace_id, id) on delete cascade
    );
    create index conversation_tags_tag_idx on conversation_tags (workspace_id, tag_id, conversation_id);

    create table audit_log (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      actor_agent_id uuid references agents(id) on delete set null,
      actor_kind text not null,
      action text not null,
      target_type text,
      target_id text,
      data jsonb not null default '{}',
      ip text,
      created_at timestamptz not null default now(),
      primary key (workspace_id, id)
    );
    create index audit_log_created_idx on audit_log (workspace_id, created_at desc, id desc);

    create table idempotency_keys (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      principal text not null,
      key text not null,
      request_hash text not null,
      status_code integer,
      response_body jsonb,
      created_at timestamptz not null default now(),
      primary key (workspace_id, principal, key)
    );
    create index idempotency_keys_created_idx on idempotency_keys (created_at);

    create table webhooks (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      url text not null,
      secret text not null,
      events text[] not null,
      active boolean not null default true,
      created_at timestamptz not null default now(),
      primary key (workspace_id, id)
    );

    create table webhook_deliveries (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      webhook_id uuid not null,
      event_type text not null,
      payload jsonb not null,
      state text not null default 'pending' check (state in ('pending', 'delivered', 'failed')),
      attempts integer not null default 0,
      response_status integer,
      last_error text,
      created_at timestamptz not null default now(),
      delivered_at timestamptz,
      primary key (workspace_id, id),
      foreign key (workspace_id, webhook_id) references webhooks(workspace_id, id) on delete cascade
    );
    create index webhook_deliveries_webhook_idx on webhook_deliveries (workspace_id, webhook_id, created_at desc, id desc);
  `,
  );
}

/** Runs DDL one statement at a time: the embedded engine's extended protocol takes a single statement. */
async function runStatements(db: Kysely<any>, ddl: string): Promise<void> {
  for (const statement of ddl.split(/;\s*\n/)) {
    if (statement.trim()) await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
    drop table if exists webhook_deliveries, webhooks, idempotency_keys, audit_log, conversation_tags, tags,
      attachments, messages, workspace_counters, conversations, contacts, companies, inboxes, login_throttle,
      password_resets, invitations, api_tokens, sessions, memberships, agents, workspaces cascade;
  `,
  );
}
