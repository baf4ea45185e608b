import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { Role } from "../../db/schema.ts";
import { outranks } from "../../http/permissions.ts";
import type { Principal } from "../../http/principal.ts";
import { conflict, forbidden, invalid, notFound } from "../../lib/errors.ts";
import { endSessions, revokeAgentTokens } from "../access/service.ts";
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from "../access/passwords.ts";
import { recordAudit } from "../audit/service.ts";
import type { PendingEvent } from "../../events/types.ts";
import { forgetCachedTokens } from "../access/authenticate.ts";
import { unassignConversationsOf } from "../conversations/unassign-member.ts";
import { avatarUrlColumn } from "./avatars.ts";
import { getMember } from "./service.ts";
import { canonicalTimeZone } from "./time-zones.ts";

function members(db: Db, workspaceId: string) {
  return db
    .selectFrom("memberships as m")
    .innerJoin("agents as a", "a.id", "m.agent_id")
    .leftJoin("agent_avatars as av", "av.agent_id", "a.id")
    .select(["a.id", "a.email", "a.name", "a.time_zone", "m.role", "m.created_at as joined_at"])
    .select(avatarUrlColumn.as("avatar_url"))
    .where("m.workspace_id", "=", workspaceId);
}

export async function listTeam(ctx: AppContext, principal: Principal) {
  return members(ctx.db, principal.workspaceId).orderBy("a.name").orderBy("a.id").execute();
}

/**
 * Locks the workspace row so that concurrent role changes and removals are decided one at a time:
 * two owners demoting each other at once must not leave the workspace without an owner.
 */
async function lockTeam(db: Db, workspaceId: string): Promise<void> {
  await db.selectFrom("workspaces").select("id").where("id", "=", workspaceId).forUpdate().execute();
}

async function ownerCount(db: Db, workspaceId: string): Promise<number> {
  const row = await db
    .selectFrom("memberships")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("workspace_id", "=", workspaceId)
    .where("role", "=", "owner")
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The member the caller wants to act on, refused when it ranks above the caller (an admin and an owner). */
async function memberToManage(db: Db, principal: Principal, agentId: string) {
  const member = await members(db, principal.workspaceId)
    .where("m.agent_id", "=", agentId)
    .executeTakeFirst();
  if (!member) throw notFound("Agent");
  if (!outranks(principal.role, member.role)) throw forbidden("Only an owner can change or remove an owner");
  return member;
}

export async function changeRole(ctx: AppContext, principal: Principal, agentId: string, role: Role) {
  if (!outranks(principal.role, role)) throw forbidden(`An ${principal.role} cannot grant the ${role} role`);
  const events: PendingEvent[] = [];
  const updated = await ctx.events.transaction(principal.workspaceId, events, async (trx) => {
    await lockTeam(trx, principal.workspaceId);
    const member = await memberToManage(trx, principal, agentId);
    if (member.role === role) return member;
    if (member.role === "owner" && (await ownerCount(trx, principal.workspaceId)) <= 1) {
      throw conflict(
        "last_owner",
        "The workspace needs at least one owner; make someone else owner first",
        "role",
      );
    }
    await trx
      .updateTable("memberships")
      .set({ role })
      .where("workspace_id", "=", principal.workspaceId)
      .where("agent_id", "=", agentId)
      .execute();
    await recordAudit(trx, principal, {
      action: "agent.role_changed",
      targetType: "agent",
      targetId: agentId,
      data: { from: member.role, to: role },
    });
    events.push({ type: "agent.updated", data: { id: agentId, role } });
    return { ...member, role };
  });
  // A token cached with the old role is forgotten here before this answers.
  await forgetCachedTokens(ctx);
  return updated;
}

/** Removes an agent from the workspace, and ends their sessions and API tokens there. */
export async function removeMember(ctx: AppContext, principal: Principal, agentId: string): Promise<void> {
  const events: PendingEvent[] = [];
  await ctx.events.transaction(principal.workspaceId, events, async (trx) => {
    await lockTeam(trx, principal.workspaceId);
    const member = await memberToManage(trx, principal, agentId);
    if (member.role === "owner" && (await ownerCount(trx, principal.workspaceId)) <= 1) {
      throw conflict("last_owner", "The last owner cannot be removed; make someone else owner first");
    }
    // Their working queue goes back to the unassigned view rather than waiting on someone gone.
    const actor = await getMember(trx, principal.workspaceId, principal.agentId);
    const unassigned = await unassignConversationsOf(
      trx,
      principal,
      { id: principal.agentId, name: actor?.name ?? "An agent" },
      { id: member.id, name: member.name },
      ctx.now(),
    );
    await trx
      .deleteFrom("memberships")
      .where("workspace_id", "=", principal.workspaceId)
      .where("agent_id", "=", agentId)
      .execute();
    await endSessions(trx, agentId, { workspaceId: principal.workspaceId });
    await revokeAgentTokens(trx, principal.workspaceId, agentId, ctx.now());
    await recordAudit(trx, principal, {
      action: "agent.removed",
      targetType: "agent",
      targetId: agentId,
      data: { email: member.email, role: member.role },
    });
    events.push(...unassigned, { type: "agent.removed", data: { id: agentId } });
  });
  // Their API tokens stop working here before this answers; other instances hear agent.removed.
  await forgetCachedTokens(ctx);
}

/* The caller's own profile, shared by every workspace they belong to. */

export async function getProfile(ctx: AppContext, principal: Principal) {
  return ctx.db
    .selectFrom("agents as a")
    .leftJoin("agent_avatars as av", "av.agent_id", "a.id")
    .select(["a.id", "a.email", "a.name", "a.time_zone", "a.created_at"])
    .select(avatarUrlColumn.as("avatar_url"))
    .where("a.id", "=", principal.agentId)
    .executeTakeFirstOrThrow();
}

export interface ProfileChange {
  name?: string;
  time_zone?: string;
  password?: string;
  current_password?: string;
}

/** A new password needs the current one, and ends every other session of the agent. */
export async function updateProfile(ctx: AppContext, principal: Principal, input: ProfileChange) {
  const changes: { name?: string; time_zone?: string; password_hash?: string } = {};
  if (input.name !== undefined) changes.name = input.name;
  if (input.time_zone !== undefined) {
    const zone = canonicalTimeZone(input.time_zone);
    if (!zone) throw invalid("time_zone", `"${input.time_zone}" is not an IANA time zone name`);
    changes.time_zone = zone;
  }
  if (input.current_password !== undefined && input.password === undefined)
    throw invalid("password", "Send the new password along with the current one");
  if (input.password !== undefined) {
    if (input.current_password === undefined)
      throw invalid("current_password", "Changing the password needs the current password");
    if (input.password.length < MIN_PASSWORD_LENGTH)
      throw invalid("password", `Use at least ${MIN_PASSWORD_LENGTH} characters`);
    const agent = await ctx.db
      .selectFrom("agents")
      .select("password_hash")
      .where("id", "=", principal.agentId)
      .executeTakeFirstOrThrow();
    if (!(await verifyPassword(agent.password_hash, input.current_password)))
      throw invalid("current_password", "The current password is wrong");
    changes.password_hash = await hashPassword(input.password);
  }

  if (Object.keys(changes).length === 0) return getProfile(ctx, principal);

  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .updateTable("agents")
      .set(changes)
      .where("id", "=", principal.agentId)
      .executeTakeFirstOrThrow();
    if (changes.password_hash) {
      await endSessions(trx, principal.agentId, {
        keep: principal.via === "session" ? principal.credentialId : undefined,
      });
    }
    await recordAudit(trx, principal, {
      action: changes.password_hash ? "agent.password_changed" : "agent.profile_updated",
      targetType: "agent",
      targetId: principal.agentId,
      data: { changed: Object.keys(changes).map((key) => (key === "password_hash" ? "password" : key)) },
    });
  });

  if (changes.name !== undefined || changes.time_zone !== undefined) {
    const workspaces = await ctx.db
      .selectFrom("memberships")
      .select("workspace_id")
      .where("agent_id", "=", principal.agentId)
      .execute();
    for (const { workspace_id } of workspaces)
      await ctx.events.publish(workspace_id, "agent.updated", { id: principal.agentId });
  }
  return getProfile(ctx, principal);
}
