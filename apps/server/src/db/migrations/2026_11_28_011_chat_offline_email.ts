import { type Kysely, sql } from "kysely";

/*
 * Chat: what agents see of a visitor's browser (page, language, time zone, browser and system),
 * and rate-limit counters shared by every instance. Counters are keyed by a bucket name and a
 * key (a visitor id or an address), not by workspace: an address floods every workspace alike.
 * Frozen in time: later changes go into new migrations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table widget_visitors add column context jsonb not null default '{}'`.execute(db);
  await sql`
    create table widget_rate_limits (
      bucket text not null,
      key text not null,
      window_start timestamptz not null,
      hits integer not null,
      primary key (bucket, key)
    )`.execute(db);
  await sql`create index widget_rate_limits_window_idx on widget_rate_limits (window_start)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists widget_rate_limits`.execute(db);
  await sql`alter table widget_visitors drop column if exists context`.execute(db);
}
