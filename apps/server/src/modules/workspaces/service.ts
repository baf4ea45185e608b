import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { Role } from "../../db/schema.ts";
import type { Principal } from "../../http/principal.ts";
import { conflict, notFound } from "../../lib/errors.ts";
import { hashPassword } from "../access/passwords.ts";
import { recordAudit } from "../audit/service.ts";
import { applySettingsPatch, readSettings, type SettingsPatch, type WorkspaceSettings } from "./settings.ts";

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

/* The workspace itself: its name and its typed settings. */

export async function getWorkspace(ctx: AppContext, workspaceId: string) {
  const row = await ctx.db
    .selectFrom("workspaces")
    .select(["id", "name", "slug", "settings", "created_at"])
    .where("id", "=", workspaceId)
    .executeTakeFirst();
  if (!row) throw notFound("Workspace");
  return { ...row, settings: readSettings(row.settings) };
}

/** The workspace's settings (defaults filled in), for modules that act on them outside a request. */
export async function readWorkspaceSettings(db: Db, workspaceId: string): Promise<WorkspaceSettings> {
  const row = await db
    .selectFrom("workspaces")
    .select("settings")
    .where("id", "=", workspaceId)
    .executeTakeFirst();
  if (!row) throw notFound("Workspace");
  return readSettings(row.settings);
}

/** Renames the workspace or changes its settings; owners and admins only (checked by the route). */
export async function updateWorkspace(
  ctx: AppContext,
  principal: Principal,
  input: { name?: string; settings?: SettingsPatch },
) {
  const updated = await ctx.db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom("workspaces")
      .select(["name", "settings"])
      .where("id", "=", principal.workspaceId)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw notFound("Workspace");
    const settings = input.settings
      ? applySettingsPatch(readSettings(current.settings), input.settings)
      : readSettings(current.settings);
    const row = await trx
      .updateTable("workspaces")
      .set({ name: input.name ?? current.name, settings: JSON.stringify(settings) })
      .where("id", "=", principal.workspaceId)
      .returning(["id", "name", "slug", "settings", "created_at"])
      .executeTakeFirstOrThrow();
    await recordAudit(trx, principal, {
      action: "workspace.updated",
      targetType: "workspace",
      targetId: principal.workspaceId,
      data: {
        changed: Object.keys(input),
        ...(input.settings ? { settings: Object.keys(input.settings) } : {}),
      },
    });
    await ctx.events.record(trx, principal.workspaceId, [
      { type: "workspace.updated", data: { id: principal.workspaceId } },
    ]);
    return { ...row, settings };
  });
  return updated;
}

/** A member of the workspace with their display name and role, or undefined (also for another workspace's agent). */
export async function getMember(
  db: Db,
  workspaceId: string,
  agentId: string,
): Promise<{ id: string; name: string; role: Role } | undefined> {
  return db
    .selectFrom("memberships as m")
    .innerJoin("agents as a", "a.id", "m.agent_id")
    .select(["a.id", "a.name", "m.role"])
    .where("m.workspace_id", "=", workspaceId)
    .where("m.agent_id", "=", agentId)
    .executeTakeFirst();
}

/** The workspace's agents by their lowercased email address. */
export async function memberIdsByEmail(db: Db, workspaceId: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom("memberships as m")
    .innerJoin("agents as a", "a.id", "m.agent_id")
    .select(["a.id", "a.email"])
    .where("m.workspace_id", "=", workspaceId)
    .execute();
  return new Map(rows.map((row) => [row.email.toLowerCase(), row.id]));
}

/** A workspace's id and name by its slug, for public pages addressed by slug (the help center). */
export async function findWorkspaceBySlug(db: Db, slug: string) {
  return db
    .selectFrom("workspaces")
    .select(["id", "name", "slug"])
    .where("slug", "=", slug)
    .executeTakeFirst();
}

/** A workspace's id, name and slug by its id, or undefined. */
export async function findWorkspaceById(db: Db, id: string) {
  return db.selectFrom("workspaces").select(["id", "name", "slug"]).where("id", "=", id).executeTakeFirst();
}
