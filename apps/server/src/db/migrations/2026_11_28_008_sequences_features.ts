import { type Kysely, sql } from "kysely";

/*
 * Feature requests tied to the customers who asked (and the personal notices sent when one ships),
 * lifecycle email sequences that pause while a human talks with the contact, the addresses that
 * automation must never mail again, and founders' office hours in the chat channel.
 * Frozen in time: later changes go into new migrations.
 *
 * Two indexes do not lead with workspace_id on purpose: the sequence scheduler looks for due
 * enrollments across all workspaces at once (one index range scan instead of one per workspace).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
    create table feature_requests (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      title text not null,
      description text not null default '',
      status text not null default 'under_review'
        check (status in ('under_review', 'planned', 'in_progress', 'shipped', 'declined')),
      created_by uuid,
      first_asked_at timestamptz,
      last_asked_at timestamptz,
      shipped_at timestamptz,
      first_ask_to_ship_ms bigint,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (workspace_id, id)
    );
    create unique index feature_requests_title_key on feature_requests (workspace_id, lower(title));
    create index feature_requests_recent_idx on feature_requests (workspace_id, last_asked_at desc nulls last, id);

    create table feature_request_asks (
      workspace_id uuid not null,
      id uuid not null default gen_random_uuid(),
      request_id uuid not null,
      contact_id uuid not null,
      company_id uuid,
      conversation_id uuid,
      linked_by uuid,
      asked_at timestamptz not null,
      note text,
      created_at timestamptz not null default now(),
      primary key (workspace_id, id),
      foreign key (workspace_id, request_id) references feature_requests(workspace_id, id) on delete cascade,
      foreign key (workspace_id, contact_id) references contacts(workspace_id, id) on delete cascade
    );
    create unique index feature_request_asks_conversation_key on feature_request_asks (workspace_id, request_id, conversation_id) where conversation_id is not null;
    create index feature_request_asks_request_idx on feature_request_asks (workspace_id, request_id, asked_at);
    create index feature_request_asks_conversation_idx on feature_request_asks (workspace_id, conversation_id) where conversation_id is not null;

    create table feature_request_notices (
      workspace_id uuid not null,
      id uuid not null default gen_random_uuid(),
      request_id uuid not null,
      contact_id uuid not null,
      conversation_id uuid,
      sender_agent_id uuid,
      subject text not null,
      body text not null,
      state text not null default 'draft' check (state in ('draft', 'sent', 'skipped')),
      skip_reason text,
      sent_conversation_id uuid,
      sent_message_id uuid,
      sent_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (workspace_id, id),
      foreign key (workspace_id, request_id) references feature_requests(workspace_id, id) on delete cascade,
      foreign key (workspace_id, contact_id) references contacts(workspace_id, id) on delete cascade
    );
    create unique index feature_request_notices_contact_key on feature_request_notices (workspace_id, request_id, contact_id);

    create table email_suppressions (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      contact_id uuid not null,
      reason text not null check (reason in ('unsubscribed', 'bounced')),
      detail text,
      created_at timestamptz not null,
      primary key (workspace_id, contact_id),
      foreign key (workspace_id, contact_id) references contacts(workspace_id, id) on delete cascade
    );

    create table sequences (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      name text not null,
      kind text not null default 'sequence' check (kind in ('sequence', 'broadcast')),
      inbox_id uuid not null,
      state text not null default 'draft' check (state in ('draft', 'active', 'archived')),
      entry_event text,
      entry_conditions jsonb not null default '[]',
      quiet_hours integer not null default 72 check (quiet_hours between 0 and 2160),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (workspace_id, id),
      foreign key (workspace_id, inbox_id) references inboxes(workspace_id, id) on delete cascade
    );
    create index sequences_entry_idx on sequences (workspace_id, entry_event) where state = 'active';

    create table contact_events (
      workspace_id uuid not null,
      contact_id uuid not null,
      name text not null,
      first_at timestamptz not null,
      last_at timestamptz not null,
      count integer not null default 1,
      primary key (workspace_id, contact_id, name),
      foreign key (workspace_id, contact_id) references contacts(workspace_id, id) on delete cascade
    );

    create table sequence_steps (
      workspace_id uuid not null,
      sequence_id uuid not null,
      position integer not null check (position >= 0),
      delay_amount integer not null check (delay_amount between 0 and 365),
      delay_unit text not null check (delay_unit in ('days', 'business_days')),
      subject text not null,
      body text not null,
      conditions jsonb not null default '[]',
      updated_at timestamptz not null default now(),
      primary key (workspace_id, sequence_id, position),
      foreign key (workspace_id, sequence_id) references sequences(workspace_id, id) on delete cascade
    );

    create table sequence_enrollments (
      workspace_id uuid not null,
      id uuid not null default gen_random_uuid(),
      sequence_id uuid not null,
      contact_id uuid not null,
      state text not null check (state in ('active', 'paused', 'completed', 'stopped', 'unsubscribed')),
      next_position integer not null default 0,
      due_at timestamptz,
      pause_cause text check (pause_cause in ('conversation', 'agent')),
      pause_reason text,
      paused_conversation_id uuid,
      paused_at timestamptz,
      resume_at timestamptz,
      entered_via text not null check (entered_via in ('event', 'segment', 'manual')),
      entered_at timestamptz not null,
      last_sent_at timestamptz,
      finished_at timestamptz,
      primary key (workspace_id, id),
      foreign key (workspace_id, sequence_id) references sequences(workspace_id, id) on delete cascade,
      foreign key (workspace_id, contact_id) references contacts(workspace_id, id) on delete cascade
    );
    create unique index sequence_enrollments_contact_key on sequence_enrollments (workspace_id, sequence_id, contact_id);
    create index sequence_enrollments_by_contact_idx on sequence_enrollments (workspace_id, contact_id);
    create index sequence_enrollments_due_idx on sequence_enrollments (due_at) where state = 'active';
    create index sequence_enrollments_resume_idx on sequence_enrollments (resume_at) where state = 'paused' and resume_at is not null;

    create table sequence_sends (
      workspace_id uuid not null,
      id uuid not null default gen_random_uuid(),
      enrollment_id uuid not null,
      sequence_id uuid not null,
      contact_id uuid not null,
      position integer not null,
      state text not null check (state in ('sending', 'sent', 'skipped', 'failed')),
      detail text,
      rfc_message_id text,
      at timestamptz not null,
      primary key (workspace_id, id),
      foreign key (workspace_id, enrollment_id) references sequence_enrollments(workspace_id, id) on delete cascade
    );
    create unique index sequence_sends_once_key on sequence_sends (workspace_id, enrollment_id, position);
    create index sequence_sends_contact_idx on sequence_sends (workspace_id, contact_id, at desc);

    create table office_hours (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      agent_id uuid not null,
      weekday smallint not null check (weekday between 0 and 6),
      start_minute integer not null check (start_minute between 0 and 1439),
      end_minute integer not null check (end_minute between 1 and 1440),
      created_at timestamptz not null default now(),
      primary key (workspace_id, id),
      check (end_minute > start_minute)
    );
    create index office_hours_weekday_idx on office_hours (workspace_id, weekday);

    create table office_hours_chats (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      conversation_id uuid not null,
      agent_id uuid not null,
      office_hours_id uuid,
      routed_at timestamptz not null,
      answered_at timestamptz,
      primary key (workspace_id, conversation_id)
    );
    create index office_hours_chats_time_idx on office_hours_chats (workspace_id, routed_at)
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
  await sql`drop table if exists office_hours_chats, office_hours, sequence_sends, sequence_enrollments, sequence_steps, contact_events, sequences, email_suppressions, feature_request_notices, feature_request_asks, feature_requests`.execute(
    db,
  );
}
