import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { Principal } from "../../http/principal.ts";
import { invalid, notFound, tooManyRequests, unauthorized } from "../../lib/errors.ts";
import { randomToken, sha256 } from "../../lib/tokens.ts";
import { recordAudit } from "../audit/service.ts";
import { forgetCachedTokens } from "./authenticate.ts";
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from "./passwords.ts";
import {
  clearFailures,
  lockedFor,
  MAX_FAILURES_PER_EMAIL,
  MAX_FAILURES_PER_IP,
  recordFailure,
} from "./throttle.ts";

const SESSION_DAYS = 14;
const RESET_MINUTES = 60;
const DAY = 24 * 60 * 60 * 1000;

export interface LoginResult {
  sessionToken: string;
  expiresAt: Date;
  principal: Principal;
}

/**
 * Signs an agent in. Failures are counted per email and per client IP; both answer the same
 * "wrong email or password" whether or not the email exists.
 */
export async function login(
  ctx: AppContext,
  input: { email: string; password: string; workspace_id?: string },
  ip: string,
): Promise<LoginResult> {
  const now = ctx.now();
  const keys = [`email:${input.email.toLowerCase()}`, `ip:${ip}`];
  for (const key of keys) {
    const wait = await lockedFor(ctx.db, key, now);
    if (wait > 0)
      throw tooManyRequests(`Too many failed sign-ins; try again in ${Math.ceil(wait / 60)} minutes`, wait);
  }
  const agent = await ctx.db
    .selectFrom("agents")
    .select(["id", "password_hash"])
    .where((eb) => eb(eb.fn("lower", ["email"]), "=", input.email.toLowerCase()))
    .executeTakeFirst();
  const ok = await verifyPassword(agent?.password_hash ?? null, input.password);
  if (!agent || !ok) {
    await recordFailure(ctx.db, keys[0], MAX_FAILURES_PER_EMAIL, now);
    await recordFailure(ctx.db, keys[1], MAX_FAILURES_PER_IP, now);
    throw unauthorized("Wrong email or password");
  }
  await clearFailures(ctx.db, keys[0]);

  const memberships = await ctx.db
    .selectFrom("memberships")
    .select(["workspace_id", "role"])
    .where("agent_id", "=", agent.id)
    .orderBy("created_at")
    .execute();
  const membership = input.workspace_id
    ? memberships.find((m) => m.workspace_id === input.workspace_id)
    : memberships[0];
  if (!membership) {
    throw input.workspace_id
      ? notFound("Workspace")
      : unauthorized("This account belongs to no workspace yet");
  }

  const sessionToken = randomToken();
  const csrfToken = randomToken();
  const expiresAt = new Date(now.getTime() + SESSION_DAYS * DAY);
  await ctx.db
    .insertInto("sessions")
    .values({
      token_hash: sha256(sessionToken),
      agent_id: agent.id,
      workspace_id: membership.workspace_id,
      csrf_token: csrfToken,
      expires_at: expiresAt,
    })
    .execute();
  const principal: Principal = {
    agentId: agent.id,
    workspaceId: membership.workspace_id,
    role: membership.role,
    via: "session",
    credentialId: sha256(sessionToken),
    csrfToken,
  };
  await recordAudit(ctx.db, principal, { action: "auth.login", targetType: "agent", targetId: agent.id, ip });
  return { sessionToken, expiresAt, principal };
}

export async function logout(ctx: AppContext, principal: Principal): Promise<void> {
  if (principal.via === "session")
    await ctx.db.deleteFrom("sessions").where("token_hash", "=", principal.credentialId).execute();
}

/** Who the caller is, and every workspace they may switch to. */
export async function sessionInfo(ctx: AppContext, principal: Principal) {
  const agent = await ctx.db
    .selectFrom("agents")
    .select(["id", "email", "name", "time_zone"])
    .where("id", "=", principal.agentId)
    .executeTakeFirstOrThrow();
  const workspaces = await ctx.db
    .selectFrom("memberships as m")
    .innerJoin("workspaces as w", "w.id", "m.workspace_id")
    .select(["w.id", "w.name", "w.slug", "m.role"])
    .where("m.agent_id", "=", principal.agentId)
    .orderBy("w.name")
    .execute();
  const workspace = workspaces.find((w) => w.id === principal.workspaceId)!;
  return { agent, workspace, workspaces, csrf_token: principal.csrfToken ?? null };
}

/** A session acts in one workspace at a time; switching keeps the session but changes its workspace. */
export async function switchWorkspace(
  ctx: AppContext,
  principal: Principal,
  workspaceId: string,
): Promise<void> {
  if (principal.via !== "session")
    throw invalid("workspace_id", "API tokens belong to one workspace and cannot switch");
  const membership = await ctx.db
    .selectFrom("memberships")
    .select("role")
    .where("agent_id", "=", principal.agentId)
    .where("workspace_id", "=", workspaceId)
    .executeTakeFirst();
  if (!membership) throw notFound("Workspace");
  await ctx.db
    .updateTable("sessions")
    .set({ workspace_id: workspaceId })
    .where("token_hash", "=", principal.credentialId)
    .execute();
}

/* API tokens: stored as a hash, shown once, revocable; a token acts as its agent within one workspace. */

const tokenColumns = [
  "id",
  "name",
  "prefix",
  "agent_id",
  "expires_at",
  "revoked_at",
  "last_used_at",
  "created_at",
] as const;

export async function createApiToken(
  ctx: AppContext,
  principal: Principal,
  input: { name: string; expires_in_days?: number },
) {
  const token = randomToken("kw_");
  const expiresAt = input.expires_in_days
    ? new Date(ctx.now().getTime() + input.expires_in_days * DAY)
    : null;
  return ctx.db.transaction().execute(async (trx) => {
    const apiToken = await trx
      .insertInto("api_tokens")
      .values({
        workspace_id: principal.workspaceId,
        agent_id: principal.agentId,
        name: input.name,
        token_hash: sha256(token),
        prefix: token.slice(0, 7),
        expires_at: expiresAt,
      })
      .returning(tokenColumns)
      .executeTakeFirstOrThrow();
    await recordAudit(trx, principal, {
      action: "api_token.created",
      targetType: "api_token",
      targetId: apiToken.id,
      data: { name: input.name },
    });
    return { token, api_token: apiToken };
  });
}

/** Owners and admins see every token of the workspace; others see their own. */
export async function listApiTokens(ctx: AppContext, principal: Principal) {
  let query = ctx.db
    .selectFrom("api_tokens")
    .select(tokenColumns)
    .where("workspace_id", "=", principal.workspaceId);
  if (principal.role !== "owner" && principal.role !== "admin")
    query = query.where("agent_id", "=", principal.agentId);
  return query.orderBy("created_at", "desc").execute();
}

export async function revokeApiToken(ctx: AppContext, principal: Principal, id: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    let query = trx
      .updateTable("api_tokens")
      .set({ revoked_at: ctx.now() })
      .where("workspace_id", "=", principal.workspaceId)
      .where("id", "=", id)
      .where("revoked_at", "is", null);
    if (principal.role !== "owner" && principal.role !== "admin")
      query = query.where("agent_id", "=", principal.agentId);
    const result = await query.executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw notFound("API token");
    await recordAudit(trx, principal, { action: "api_token.revoked", targetType: "api_token", targetId: id });
  });
  await forgetCachedTokens(ctx);
}

/* Password reset: the answer is the same for known and unknown emails; the token is single-use. */

export async function requestPasswordReset(ctx: AppContext, email: string): Promise<void> {
  const agent = await ctx.db
    .selectFrom("agents")
    .select(["id", "email"])
    .where((eb) => eb(eb.fn("lower", ["email"]), "=", email.toLowerCase()))
    .executeTakeFirst();
  if (!agent) return;
  const token = randomToken();
  await ctx.db
    .insertInto("password_resets")
    .values({
      token_hash: sha256(token),
      agent_id: agent.id,
      expires_at: new Date(ctx.now().getTime() + RESET_MINUTES * 60_000),
    })
    .execute();
  await ctx.notify.passwordReset({
    email: agent.email,
    link: `${ctx.config.baseUrl}/reset-password?token=${token}`,
  });
}

export async function confirmPasswordReset(ctx: AppContext, token: string, password: string): Promise<void> {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw invalid("password", `Use at least ${MIN_PASSWORD_LENGTH} characters`);
  const passwordHash = await hashPassword(password);
  await ctx.db.transaction().execute(async (trx) => {
    const reset = await trx
      .updateTable("password_resets")
      .set({ used_at: ctx.now() })
      .where("token_hash", "=", sha256(token))
      .where("used_at", "is", null)
      .where("expires_at", ">", ctx.now())
      .returning("agent_id")
      .executeTakeFirst();
    if (!reset) throw invalid("token", "This reset link is invalid, used or expired; ask for a new one");
    await trx
      .updateTable("agents")
      .set({ password_hash: passwordHash })
      .where("id", "=", reset.agent_id)
      .execute();
    // A new password ends every existing session.
    await trx.deleteFrom("sessions").where("agent_id", "=", reset.agent_id).execute();
  });
}

/* Used when an agent leaves a workspace or changes their password. */

/** Ends an agent's sessions: all of them, or those in one workspace; `keep` spares the caller's own. */
export async function endSessions(
  db: Db,
  agentId: string,
  scope: { workspaceId?: string; keep?: string } = {},
): Promise<void> {
  let query = db.deleteFrom("sessions").where("agent_id", "=", agentId);
  if (scope.workspaceId) query = query.where("workspace_id", "=", scope.workspaceId);
  if (scope.keep) query = query.where("token_hash", "!=", scope.keep);
  await query.execute();
}

/** Revokes an agent's API tokens in one workspace, so that joining it again does not revive them. */
export async function revokeAgentTokens(
  db: Db,
  workspaceId: string,
  agentId: string,
  now: Date,
): Promise<void> {
  await db
    .updateTable("api_tokens")
    .set({ revoked_at: now })
    .where("workspace_id", "=", workspaceId)
    .where("agent_id", "=", agentId)
    .where("revoked_at", "is", null)
    .execute();
}
