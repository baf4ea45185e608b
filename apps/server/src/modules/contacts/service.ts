import type { Db } from "../../db/database.ts";
import { notFound } from "../../lib/errors.ts";

/** A contact of the workspace, or a 404 problem (also for another workspace's contact). */
export async function getContact(db: Db, workspaceId: string, id: string) {
  const contact = await db.selectFrom("contacts").selectAll().where("workspace_id", "=", workspaceId).where("id", "=", id).executeTakeFirst();
  if (!contact) throw notFound("Contact");
  return contact;
}

/** Finds the workspace's contact with this email (case-insensitive) or creates one; safe under concurrency. */
export async function findOrCreateContactByEmail(db: Db, workspaceId: string, input: { email: string; name?: string | null }) {
  const email = input.email.trim();
  const existing = await db
    .selectFrom("contacts")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where((eb) => eb(eb.fn("lower", ["email"]), "=", email.toLowerCase()))
    .executeTakeFirst();
  if (existing) return existing;
  const inserted = await db
    .insertInto("contacts")
    .values({ workspace_id: workspaceId, email, name: input.name ?? null })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return inserted;
  // Another request created it between our select and insert.
  return db
    .selectFrom("contacts")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where((eb) => eb(eb.fn("lower", ["email"]), "=", email.toLowerCase()))
    .executeTakeFirstOrThrow();
}
