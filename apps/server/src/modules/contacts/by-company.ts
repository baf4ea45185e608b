import type { Db } from "../../db/database.ts";

/** The contacts of these companies (id, company, email, name), for health and dunning. */
export async function contactsOfCompanies(db: Db, workspaceId: string, companyIds: readonly string[]) {
  if (companyIds.length === 0) return [];
  const rows = await db
    .selectFrom("contacts")
    .select(["id", "company_id", "email", "name"])
    .where("workspace_id", "=", workspaceId)
    .where("company_id", "in", [...companyIds])
    .orderBy("created_at")
    .execute();
  return rows as { id: string; company_id: string; email: string | null; name: string | null }[];
}

/** The company a contact belongs to, if any. */
export async function companyOfContact(db: Db, workspaceId: string, contactId: string) {
  const row = await db
    .selectFrom("contacts")
    .select("company_id")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", contactId)
    .executeTakeFirst();
  return row?.company_id ?? undefined;
}

/** The contact with this email (case-insensitive), if any. */
export async function contactByEmail(db: Db, workspaceId: string, email: string) {
  return db
    .selectFrom("contacts")
    .select(["id", "company_id"])
    .where("workspace_id", "=", workspaceId)
    .where((eb) => eb(eb.fn("lower", ["email"]), "=", email.trim().toLowerCase()))
    .executeTakeFirst();
}

/** Attaches a contact to a company (the Stripe customer's email joins the company it pays for). */
export async function attachContactToCompany(
  db: Db,
  workspaceId: string,
  contactId: string,
  companyId: string,
) {
  await db
    .updateTable("contacts")
    .set({ company_id: companyId })
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", contactId)
    .where("company_id", "is", null)
    .execute();
}
