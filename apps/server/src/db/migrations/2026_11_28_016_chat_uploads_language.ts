import { type Kysely, sql } from "kysely";

/*
 * Chat: a visitor's upload names the visitor who sent it, so only that visitor's next message can
 * claim it (a visitor belongs to one widget inbox of one workspace, so the id binds all three; no
 * foreign key, so that forgetting a visitor never unbinds or deletes a file). And the language the
 * widget speaks to the visitor, which the mail continuing their chat speaks too.
 * Frozen in time: later changes go into new migrations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table attachments add column uploaded_by_visitor uuid`.execute(db);
  await sql`alter table widget_visitors add column language text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table widget_visitors drop column if exists language`.execute(db);
  await sql`alter table attachments drop column if exists uploaded_by_visitor`.execute(db);
}
