import { type Kysely, sql } from "kysely";

/*
 * Saved replies: a workspace's canned answers, with {{variables}} the composer fills in.
 * Frozen in time: later changes go into new migrations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table saved_replies (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      name text not null,
      body text not null,
      created_by uuid,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (workspace_id, id)
    )`.execute(db);
  await sql`create unique index saved_replies_name_key on saved_replies (workspace_id, lower(name))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists saved_replies`.execute(db);
}
