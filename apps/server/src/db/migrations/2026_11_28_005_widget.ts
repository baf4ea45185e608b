import { type Kysely, sql } from "kysely";

/*
 * The chat widget (settings per chat inbox, visitors with their browser tokens, verified identities,
 * the conversations each visitor holds) and callback requests with their call attempts.
 * Frozen in time: later changes go into new migrations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
    create table widget_settings (
      workspace_id uuid not null,
      inbox_id uuid not null,
      public_key text not null,
      color text not null default '#2563eb',
      greeting text not null default '',
      reply_time text not null default 'minutes' check (reply_time in ('minutes', 'hours', 'day')),
      allowed_origins jsonb not null default '[]',
      identity_secret text,
      require_verified boolean not null default false,
      offline_behaviour text not null default 'ask_email' check (offline_behaviour in ('ask_email', 'hide')),
      respect_business_hours boolean not null default true,
      languages jsonb not null default '["en", "bn", "mr", "ta", "ha", "yo"]',
      updated_at timestamptz not null default now(),
      primary key (workspace_id, inbox_id),
      foreign key (workspace_id, inbox_id) references inboxes(workspace_id, id) on delete cascade
    );
    create unique index widget_settings_public_key on widget_settings (public_key);

    create table widget_visitors (
      workspace_id uuid not null,
      id uuid not null default gen_random_uuid(),
      inbox_id uuid not null,
      token_hash text not null,
      contact_id uuid not null,
      external_id text,
      name text,
      email text,
      attributes jsonb not null default '{}',
      created_at timestamptz not null default now(),
      last_seen_at timestamptz not null default now(),
      primary key (workspace_id, id),
      foreign key (workspace_id, inbox_id) references inboxes(workspace_id, id) on delete cascade,
      foreign key (workspace_id, contact_id) references contacts(workspace_id, id) on delete cascade
    );

    create table widget_identities (
      workspace_id uuid not null,
      external_id text not null,
      contact_id uuid not null,
      created_at timestamptz not null default now(),
      primary key (workspace_id, external_id),
      foreign key (workspace_id, contact_id) references contacts(workspace_id, id) on delete cascade
    );

    create table widget_conversations (
      workspace_id uuid not null,
      conversation_id uuid not null,
      visitor_id uuid not null,
      visitor_read_at timestamptz,
      created_at timestamptz not null default now(),
      primary key (workspace_id, conversation_id),
      foreign key (workspace_id, conversation_id) references conversations(workspace_id, id) on delete cascade,
      foreign key (workspace_id, visitor_id) references widget_visitors(workspace_id, id) on delete cascade
    );
    create index widget_conversations_visitor_idx on widget_conversations (workspace_id, visitor_id, created_at desc);

    create table callback_requests (
      workspace_id uuid not null,
      conversation_id uuid not null,
      inbox_id uuid not null,
      phone text not null,
      time_zone text not null,
      window_start timestamptz not null,
      window_end timestamptz not null,
      reason text not null default '',
      state text not null default 'waiting' check (state in ('waiting', 'done')),
      outcome text check (outcome in ('reached', 'no_answer', 'retry_later')),
      attempts integer not null default 0,
      first_attempt_at timestamptz,
      completed_at timestamptz,
      created_at timestamptz not null default now(),
      primary key (workspace_id, conversation_id),
      foreign key (workspace_id, conversation_id) references conversations(workspace_id, id) on delete cascade
    );
    create index callback_requests_due_idx on callback_requests (workspace_id, state, window_start, conversation_id);

    create table callback_attempts (
      workspace_id uuid not null,
      id uuid not null default gen_random_uuid(),
      conversation_id uuid not null,
      agent_id uuid references agents(id) on delete set null,
      outcome text not null check (outcome in ('reached', 'no_answer', 'retry_later')),
      notes text not null default '',
      created_at timestamptz not null default now(),
      primary key (workspace_id, id),
      foreign key (workspace_id, conversation_id) references callback_requests(workspace_id, conversation_id) on delete cascade
    );
    create index callback_attempts_conversation_idx on callback_attempts (workspace_id, conversation_id, created_at)
    `,
  );
}

/** PGlite's extended protocol takes one statement at a time. */
async function runStatements(db: Kysely<any>, ddl: string): Promise<void> {
  for (const statement of ddl.split(/;\s*\n/)) {
    if (statement.trim()) await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists callback_attempts, callback_requests, widget_conversations, widget_identities, widget_visitors, widget_settings`.execute(
    db,
  );
}
