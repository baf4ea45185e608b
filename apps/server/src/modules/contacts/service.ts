import { sql } from "kysely";
import type { Static } from "typebox";
import type {
  ContactListQuery,
  CreateContactBody,
  UpdateContactBody,
} from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { Principal } from "../../http/principal.ts";
import {
  conflict,
  invalid,
  isDatabaseError,
  notFound,
  PG_FOREIGN_KEY_VIOLATION,
  PG_UNIQUE_VIOLATION,
} from "../../lib/errors.ts";
import { keysetPage } from "../../lib/pagination.ts";
import { recordAudit } from "../audit/service.ts";
import { companyExists } from "../companies/service.ts";

export type NewContact = Static<typeof CreateContactBody>;
export type ContactChange = Static<typeof UpdateContactBody>;

const columns = [
  "id",
  "name",
  "email",
  "phone",
  "company_id",
  "attributes",
  "created_at",
  "updated_at",
] as const;

/** A contact of the workspace, or a 404 problem (also for another workspace's contact). */
export async function getContact(db: Db, workspaceId: string, id: string) {
  const contact = await db
    .selectFrom("contacts")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!contact) throw notFound("Contact");
  return contact;
}

/** Finds the workspace's contact with this email (case-insensitive) or creates one; safe under concurrency. */
export async function findOrCreateContactByEmail(
  db: Db,
  workspaceId: string,
  input: { email: string; name?: string | null },
) {
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

/** How many contacts the workspace has, optionally those of one company. */
export async function countContacts(db: Db, workspaceId: string, filter: { companyId?: string } = {}) {
  let query = db
    .selectFrom("contacts")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("workspace_id", "=", workspaceId);
  if (filter.companyId) query = query.where("company_id", "=", filter.companyId);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

/** Starts-with search that treats the user's % and _ as plain characters. */
function prefixPattern(text: string): string {
  return `${text.toLowerCase().replace(/[\\%_]/g, "\\$&")}%`;
}

const emailTaken = (email: string) =>
  conflict("email_taken", `A contact with the email ${email} already exists`, "email");

/** Checks what the database cannot say clearly: a free email, and a company of this very workspace. */
async function checkReferences(db: Db, workspaceId: string, input: ContactChange, exceptId?: string) {
  if (input.email) {
    let query = db
      .selectFrom("contacts")
      .select("id")
      .where("workspace_id", "=", workspaceId)
      .where((eb) => eb(eb.fn("lower", ["email"]), "=", input.email!.toLowerCase()));
    if (exceptId) query = query.where("id", "!=", exceptId);
    if (await query.executeTakeFirst()) throw emailTaken(input.email);
  }
  if (input.company_id && !(await companyExists(db, workspaceId, input.company_id)))
    throw invalid("company_id", "No company with this id in this workspace");
}

/** Runs a write, turning the database's last-moment unique check on the email into a 409. */
async function guardEmail<T>(email: string | null | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (email && isDatabaseError(error, PG_UNIQUE_VIOLATION)) throw emailTaken(email);
    throw error;
  }
}

/**
 * Creates a contact without auditing or events: for callers that already run in a transaction,
 * such as the demo seed. Requests go through addContact.
 */
export async function createContact(db: Db, workspaceId: string, input: NewContact) {
  const email = input.email?.trim() ?? null;
  await checkReferences(db, workspaceId, { ...input, email });
  return db
    .insertInto("contacts")
    .values({
      workspace_id: workspaceId,
      name: input.name?.trim() ?? null,
      email,
      phone: input.phone?.trim() ?? null,
      company_id: input.company_id ?? null,
      attributes: JSON.stringify(input.attributes ?? {}),
    })
    .returning(columns)
    .executeTakeFirstOrThrow();
}

export async function listContacts(
  ctx: AppContext,
  principal: Principal,
  query: Static<typeof ContactListQuery>,
) {
  let select = ctx.db
    .selectFrom("contacts")
    .select(columns)
    .where("workspace_id", "=", principal.workspaceId);
  if (query.company_id) select = select.where("company_id", "=", query.company_id);
  if (query.q) {
    const pattern = prefixPattern(query.q);
    select = select.where((eb) =>
      eb.or([eb(eb.fn("lower", ["name"]), "like", pattern), eb(eb.fn("lower", ["email"]), "like", pattern)]),
    );
  }
  return keysetPage(select, { column: "created_at", cursor: query.cursor, limit: query.limit ?? 25 });
}

export async function showContact(ctx: AppContext, principal: Principal, id: string) {
  const { workspace_id: _, ...contact } = await getContact(ctx.db, principal.workspaceId, id);
  return contact;
}

export async function addContact(ctx: AppContext, principal: Principal, input: NewContact) {
  const contact = await guardEmail(input.email, () =>
    ctx.db.transaction().execute(async (trx) => {
      const created = await createContact(trx, principal.workspaceId, input);
      await recordAudit(trx, principal, {
        action: "contact.created",
        targetType: "contact",
        targetId: created.id,
      });
      await ctx.events.record(trx, principal.workspaceId, [
        { type: "contact.created", data: { id: created.id } },
      ]);
      return created;
    }),
  );
  return contact;
}

export async function updateContact(ctx: AppContext, principal: Principal, id: string, input: ContactChange) {
  const email = input.email === undefined ? undefined : (input.email?.trim() ?? null);
  const contact = await guardEmail(email, () =>
    ctx.db.transaction().execute(async (trx) => {
      const current = await getContact(trx, principal.workspaceId, id);
      await checkReferences(trx, principal.workspaceId, { ...input, email }, id);
      const updated = await trx
        .updateTable("contacts")
        .set({
          name: input.name === undefined ? current.name : (input.name?.trim() ?? null),
          email: email === undefined ? current.email : email,
          phone: input.phone === undefined ? current.phone : (input.phone?.trim() ?? null),
          company_id: input.company_id === undefined ? current.company_id : input.company_id,
          attributes: JSON.stringify(input.attributes ?? current.attributes),
          updated_at: sql`now()`,
        })
        .where("workspace_id", "=", principal.workspaceId)
        .where("id", "=", id)
        .returning(columns)
        .executeTakeFirstOrThrow();
      await recordAudit(trx, principal, {
        action: "contact.updated",
        targetType: "contact",
        targetId: id,
        data: { changed: Object.keys(input) },
      });
      await ctx.events.record(trx, principal.workspaceId, [{ type: "contact.updated", data: { id } }]);
      return updated;
    }),
  );
  return contact;
}

/** A contact with conversations cannot go: the database's reference from conversations refuses it. */
export async function deleteContact(ctx: AppContext, principal: Principal, id: string): Promise<void> {
  try {
    await ctx.db.transaction().execute(async (trx) => {
      await getContact(trx, principal.workspaceId, id);
      await trx
        .deleteFrom("contacts")
        .where("workspace_id", "=", principal.workspaceId)
        .where("id", "=", id)
        .execute();
      await recordAudit(trx, principal, { action: "contact.deleted", targetType: "contact", targetId: id });
      await ctx.events.record(trx, principal.workspaceId, [{ type: "contact.deleted", data: { id } }]);
    });
  } catch (error) {
    if (isDatabaseError(error, PG_FOREIGN_KEY_VIOLATION))
      throw conflict("contact_in_use", "This contact has conversations; it cannot be deleted");
    throw error;
  }
}
