import type { Db } from "../../db/database.ts";
import type { Role } from "../../db/schema.ts";
import { conflict } from "../../lib/errors.ts";
import { hashPassword } from "../access/passwords.ts";

export interface NewWorkspace {
  name: string;
  slug: string;
  owner: { email: string; name: string; password: string };
}

/** Creates a workspace and its owner (or adds an existing agent with that email as owner). */
export async function createWorkspace(
  db: Db,
  input: NewWorkspace,
): Promise<{ workspaceId: string; ownerId: string }> {
  const passwordHash = await hashPassword(input.owner.password);
  return db.transaction().execute(async (trx) => {
    const taken = await trx
      .selectFrom("workspaces")
      .select("id")
      .where("slug", "=", input.slug)
      .executeTakeFirst();
    if (taken) throw conflict("slug_taken", `A workspace with the slug "${input.slug}" exists`, "slug");
    const workspace = await trx
      .insertInto("workspaces")
      .values({ name: input.name, slug: input.slug })
      .returning("id")
      .executeTakeFirstOrThrow();
    const ownerId = await upsertAgent(trx, input.owner.email, input.owner.name, passwordHash);
    await addMember(trx, workspace.id, ownerId, "owner");
    return { workspaceId: workspace.id, ownerId };
  });
}

/** Finds an agent by email or creates one; an existing agent keeps their password. */
export async function upsertAgent(
  db: Db,
  email: string,
  name: string,
  passwordHash: string | null,
): Promise<string> {
  const existing = await db
    .selectFrom("agents")
    .select("id")
    .where((eb) => eb(eb.fn("lower", ["email"]), "=", email.toLowerCase()))
    .executeTakeFirst();
  if (existing) return existing.id;
  const created = await db
    .insertInto("agents")
    .values({ email, name, password_hash: passwordHash })
    .returning("id")
    .executeTakeFirstOrThrow();
  return created.id;
}

export async function addMember(db: Db, workspaceId: string, agentId: string, role: Role): Promise<void> {
  await db
    .insertInto("memberships")
    .values({ workspace_id: workspaceId, agent_id: agentId, role })
    .onConflict((oc) => oc.columns(["workspace_id", "agent_id"]).doUpdateSet({ role }))
    .execute();
}
