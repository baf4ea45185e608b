import { type Kysely, sql } from "kysely";

/*
 * Inbound email: the durable store every received message lands in before anything else happens,
 * the Message-IDs threading looks up, who may join a thread, and IMAP polling state.
 * Frozen in time: later changes go into new migrations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
    create table inbound_emails (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      inbox_id uuid not null,
      source text not null check (source in ('smtp', 'imap')),
      envelope_from text,
      envelope_to text not null,
      message_id_header text,
      dedupe_key text not null,
      sha256 text not null,
      size_bytes integer not null,
      raw bytea not null,
      state text not null default 'received' check (state in ('received', 'processed', 'failed')),
      attempts integer not null default 0,
      warnings jsonb not null default '[]',
      last_error text,
      conversation_id uuid,
      message_id uuid,
      imap_uidvalidity bigint,
      imap_uid bigint,
      received_at timestamptz not null default now(),
      processed_at timestamptz,
      primary key (workspace_id, id),
      unique (workspace_id, inbox_id, dedupe_key),
      foreign key (workspace_id, inbox_id) references inboxes(workspace_id, id) on delete cascade
    );
    create index inbound_emails_pending_idx on inbound_emails (workspace_id, received_at) where state = 'received';
    create index inbound_emails_message_idx on inbound_emails (workspace_id, message_id) where message_id is not null;
    create index inbound_emails_message_id_header_idx on inbound_emails (workspace_id, message_id_header) where state = 'received';

    create table email_message_ids (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      message_id_header text not null,
      conversation_id uuid not null,
      message_id uuid,
      direction text not null check (direction in ('incoming', 'outgoing')),
      created_at timestamptz not null default now(),
      primary key (workspace_id, message_id_header),
      foreign key (workspace_id, conversation_id) references conversations(workspace_id, id) on delete cascade
    );
    create index email_message_ids_message_idx on email_message_ids (workspace_id, message_id) where message_id is not null;

    create table email_thread_participants (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      conversation_id uuid not null,
      address text not null,
      created_at timestamptz not null default now(),
      primary key (workspace_id, conversation_id, address),
      foreign key (workspace_id, conversation_id) references conversations(workspace_id, id) on delete cascade
    );

    create table imap_accounts (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      inbox_id uuid not null,
      host text not null,
      port integer not null,
      tls boolean not null default true,
      username text not null,
      password_sealed text not null,
      folder text not null default 'INBOX',
      move_to_folder text,
      enabled boolean not null default true,
      uidvalidity bigint,
      last_uid bigint not null default 0,
      messages_on_server integer,
      last_poll_at timestamptz,
      last_success_at timestamptz,
      last_error text,
      last_error_at timestamptz,
      lease_owner text,
      lease_until timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (workspace_id, inbox_id),
      foreign key (workspace_id, inbox_id) references inboxes(workspace_id, id) on delete cascade
    );
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
  await sql`drop table if exists imap_accounts, email_thread_participants, email_message_ids, inbound_emails cascade`.execute(
    db,
  );
}
