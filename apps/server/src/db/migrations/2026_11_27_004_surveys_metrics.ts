import { type Kysely, sql } from "kysely";

/*
 * CSAT surveys (settings per inbox, one survey per resolve, one response per survey) and the
 * response metrics behind the reports: one row of figures per conversation and the rollups that add
 * them up per day × inbox × channel × agent (with fixed-bucket latency histograms), the same summed
 * over agents and over the whole workspace (what most reports read: far fewer rows), and per hour.
 * Frozen in time: later changes go into new migrations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
    create function keepwell_add_int_arrays(a integer[], b integer[]) returns integer[]
      language sql immutable parallel safe
      as 'select coalesce(array_agg(coalesce(x, 0) + coalesce(y, 0) order by i), ''{}'') from unnest(a, b) with ordinality as t(x, y, i)';

    create table survey_settings (
      workspace_id uuid not null,
      inbox_id uuid not null,
      enabled boolean not null default false,
      delay_minutes integer not null default 60 check (delay_minutes between 0 and 10080),
      question text,
      min_days_between integer not null default 30 check (min_days_between between 0 and 365),
      updated_at timestamptz not null default now(),
      primary key (workspace_id, inbox_id),
      foreign key (workspace_id, inbox_id) references inboxes(workspace_id, id) on delete cascade
    );

    create table surveys (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      conversation_id uuid not null,
      contact_id uuid not null,
      inbox_id uuid not null,
      channel text not null,
      agent_id uuid,
      resolved_at timestamptz not null,
      state text not null check (state in ('scheduled', 'sending', 'sent', 'skipped', 'failed')),
      skip_reason text,
      language text not null default 'en',
      scheduled_for timestamptz not null,
      sent_at timestamptz,
      last_error text,
      created_at timestamptz not null default now(),
      primary key (workspace_id, id),
      foreign key (workspace_id, conversation_id) references conversations(workspace_id, id) on delete cascade
    );
    create unique index surveys_resolve_key on surveys (workspace_id, conversation_id, resolved_at);
    create index surveys_contact_idx on surveys (workspace_id, contact_id, sent_at);

    create table survey_responses (
      workspace_id uuid not null,
      survey_id uuid not null,
      rating text not null check (rating in ('great', 'good', 'okay', 'bad')),
      comment text,
      responded_at timestamptz not null,
      updated_at timestamptz not null,
      follow_up_conversation_id uuid,
      primary key (workspace_id, survey_id),
      foreign key (workspace_id, survey_id) references surveys(workspace_id, id) on delete cascade
    );
    create index survey_responses_time_idx on survey_responses (workspace_id, responded_at desc, survey_id desc);
    create index survey_responses_follow_up_idx on survey_responses (workspace_id, follow_up_conversation_id) where follow_up_conversation_id is not null;

    create table survey_page_nonces (
      workspace_id uuid not null,
      survey_id uuid not null,
      nonce text not null,
      used_at timestamptz not null,
      primary key (workspace_id, survey_id, nonce),
      foreign key (workspace_id, survey_id) references surveys(workspace_id, id) on delete cascade
    );

    create table conversation_metrics (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      conversation_id uuid not null,
      inbox_id uuid not null,
      channel text not null,
      agent_id uuid,
      requested_at timestamptz,
      day date not null,
      hour smallint not null,
      first_response_at timestamptz,
      first_response_ms bigint,
      first_response_business_ms bigint,
      answered_at timestamptz,
      asa_ms bigint,
      asa_business_ms bigint,
      resolved_at timestamptz,
      resolution_day date,
      resolution_ms bigint,
      resolution_business_ms bigint,
      replies integer not null,
      computed_at timestamptz not null,
      primary key (workspace_id, conversation_id)
    );

    create table report_daily_rollups (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      day date not null,
      inbox_id uuid not null,
      channel text not null,
      agent_id uuid not null,
      conversations integer not null default 0,
      replies integer not null default 0,
      first_response_count integer not null default 0,
      first_response_sum_ms bigint not null default 0,
      first_response_business_sum_ms bigint not null default 0,
      first_response_hist integer[] not null,
      first_response_business_hist integer[] not null,
      asa_count integer not null default 0,
      asa_sum_ms bigint not null default 0,
      asa_business_sum_ms bigint not null default 0,
      asa_hist integer[] not null,
      asa_business_hist integer[] not null,
      resolution_count integer not null default 0,
      resolution_sum_ms bigint not null default 0,
      resolution_business_sum_ms bigint not null default 0,
      resolution_hist integer[] not null,
      resolution_business_hist integer[] not null,
      csat_great integer not null default 0,
      csat_good integer not null default 0,
      csat_okay integer not null default 0,
      csat_bad integer not null default 0,
      csat_comments integer not null default 0,
      primary key (workspace_id, day, inbox_id, channel, agent_id)
    );

    create table report_daily_totals (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      day date not null,
      inbox_id uuid not null,
      channel text not null,
      conversations integer not null default 0,
      replies integer not null default 0,
      first_response_count integer not null default 0,
      first_response_sum_ms bigint not null default 0,
      first_response_business_sum_ms bigint not null default 0,
      first_response_hist integer[] not null,
      first_response_business_hist integer[] not null,
      asa_count integer not null default 0,
      asa_sum_ms bigint not null default 0,
      asa_business_sum_ms bigint not null default 0,
      asa_hist integer[] not null,
      asa_business_hist integer[] not null,
      resolution_count integer not null default 0,
      resolution_sum_ms bigint not null default 0,
      resolution_business_sum_ms bigint not null default 0,
      resolution_hist integer[] not null,
      resolution_business_hist integer[] not null,
      csat_great integer not null default 0,
      csat_good integer not null default 0,
      csat_okay integer not null default 0,
      csat_bad integer not null default 0,
      csat_comments integer not null default 0,
      primary key (workspace_id, day, inbox_id, channel)
    );

    create table report_daily_workspace (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      day date not null,
      conversations integer not null default 0,
      replies integer not null default 0,
      first_response_count integer not null default 0,
      first_response_sum_ms bigint not null default 0,
      first_response_business_sum_ms bigint not null default 0,
      first_response_hist integer[] not null,
      first_response_business_hist integer[] not null,
      asa_count integer not null default 0,
      asa_sum_ms bigint not null default 0,
      asa_business_sum_ms bigint not null default 0,
      asa_hist integer[] not null,
      asa_business_hist integer[] not null,
      resolution_count integer not null default 0,
      resolution_sum_ms bigint not null default 0,
      resolution_business_sum_ms bigint not null default 0,
      resolution_hist integer[] not null,
      resolution_business_hist integer[] not null,
      csat_great integer not null default 0,
      csat_good integer not null default 0,
      csat_okay integer not null default 0,
      csat_bad integer not null default 0,
      csat_comments integer not null default 0,
      primary key (workspace_id, day)
    );

    create table report_hourly_volume (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      day date not null,
      inbox_id uuid not null,
      channel text not null,
      hour smallint not null,
      conversations integer not null default 0,
      primary key (workspace_id, day, inbox_id, channel, hour)
    );

    create table report_rollup_state (
      workspace_id uuid primary key references workspaces(id) on delete cascade,
      settings_fingerprint text not null,
      rebuilt_at timestamptz not null
    )
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
  await sql`drop table if exists report_rollup_state, report_hourly_volume, report_daily_workspace, report_daily_totals, report_daily_rollups, conversation_metrics, survey_page_nonces, survey_responses, surveys, survey_settings`.execute(
    db,
  );
  await sql`drop function if exists keepwell_add_int_arrays(integer[], integer[])`.execute(db);
}
