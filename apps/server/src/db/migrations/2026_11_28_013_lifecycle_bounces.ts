import { type Kysely, sql } from "kysely";

/*
 * Bounces of sequence and broadcast mail: a delivery report names the Message-ID we sent, so sends
 * are found by it; a send whose report came back is marked bounced in the contact's history.
 * Frozen in time: later changes go into new migrations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index sequence_sends_message_id_idx on sequence_sends (workspace_id, rfc_message_id) where rfc_message_id is not null`.execute(
    db,
  );
  await sql`alter table sequence_sends drop constraint sequence_sends_state_check`.execute(db);
  await sql`alter table sequence_sends add constraint sequence_sends_state_check check (state in ('sending', 'sent', 'skipped', 'failed', 'bounced'))`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`update sequence_sends set state = 'failed' where state = 'bounced'`.execute(db);
  await sql`alter table sequence_sends drop constraint sequence_sends_state_check`.execute(db);
  await sql`alter table sequence_sends add constraint sequence_sends_state_check check (state in ('sending', 'sent', 'skipped', 'failed'))`.execute(
    db,
  );
  await sql`drop index if exists sequence_sends_message_id_idx`.execute(db);
}
