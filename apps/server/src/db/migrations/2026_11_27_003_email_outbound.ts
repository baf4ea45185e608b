import { type Kysely, sql } from "kysely";

/*
 * Outbound email: SMTP settings and the auto-acknowledgement template per email inbox, the send-once
 * record of each outgoing email message, and the log that rate-limits automatic messages.
 * Frozen in time: later changes go into new migrations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
    create table email_smtp_settings (
      workspace_id uuid not null,
      inbox_id uuid not null,
      host text not null,
      port integer not null check (port between 1 and 65535),
      security text not null check (security in ('tls', 'starttls', 'none')),
      username text,
      password_sealed text,
      from_name text,
      updated_at timestamptz not null default now(),
      primary key (workspace_id, inbox_id),
      foreign key (workspace_id, inbox_id) references inboxes(workspace_id, id) on delete cascade
    );

    create table email_auto_ack_templates (
      workspace_id uuid not null,
      inbox_id uuid not null,
      subject text not null,
      body text not null,
      updated_at timestamptz not null default now(),
      primary key (workspace_id, inbox_id),
      foreign key (workspace_id, inbox_id) references inboxes(workspace_id, id) on delete cascade
    );

    create table email_deliveries (
      workspace_id uuid not null,
      message_id uuid not null,
      state text not null check (state in ('sending', 'retry', 'sent', 'failed')),
      rfc_message_id text not null,
      attempts integer not null default 0,
      claimed_at timestamptz,
      finished_at timestamptz,
      transport text check (transport in ('smtp', 'outbox')),
      response text,
      last_error text,
      created_at timestamptz not null default now(),
      primary key (workspace_id, message_id),
      foreign key (workspace_id, message_id) references messages(workspace_id, id) on delete cascade
    );

    create table email_automatic_sends (
      workspace_id uuid not null,
      id uuid not null default gen_random_uuid(),
      kind text not null,
      address text not null,
      trigger_message_id uuid not null,
      sent_at timestamptz not null default now(),
      primary key (workspace_id, id)
    );
    create unique index email_automatic_sends_trigger_key on email_automatic_sends (workspace_id, kind, trigger_message_id);
    create index email_automatic_sends_address_idx on email_automatic_sends (workspace_id, address, sent_at)
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
  await sql`drop table if exists email_automatic_sends, email_deliveries, email_auto_ack_templates, email_smtp_settings`.execute(
    db,
  );
}
