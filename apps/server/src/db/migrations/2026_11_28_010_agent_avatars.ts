import { type Kysely, sql } from "kysely";

/*
 * Agent avatars: one small image per agent, shared by every workspace the agent belongs to.
 * Kept in the database (they are capped at a few hundred KB) so every instance can serve them
 * without shared disk. Frozen in time: later changes go into new migrations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table agent_avatars (
      agent_id uuid primary key references agents(id) on delete cascade,
      content_type text not null,
      image bytea not null,
      size_bytes integer not null,
      updated_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists agent_avatars`.execute(db);
}
