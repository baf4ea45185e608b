import type { AppContext } from "../../context.ts";
import type { Role } from "../../db/schema.ts";
import { outranks } from "../../http/permissions.ts";
import type { Principal } from "../../http/principal.ts";
import { conflict, forbidden, invalid, notFound } from "../../lib/errors.ts";
import { randomToken, sha256 } from "../../lib/tokens.ts";
import { type LoginResult, login } from "../access/service.ts";
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from "../access/passwords.ts";
import { recordAudit } from "../audit/service.ts";

const INVITATION_DAYS = 7;
const DAY = 24 * 60 * 60 * 1000;

const invitationColumns = [
  "id",
  "email",
  "role",
  "invited_by",
  "expires_at",
  "accepted_at",
  "revoked_at",
  "created_at",
] as const;

const unusableToken = () =>
  invalid("token", "This invitation is invalid, already used, revoked or expired; ask for a new one");

/**
 * Invites someone by email. The token is shown only in the mail and stored as its hash; a new
 * invitation to the same address replaces the one still pending.
 */
export async function inviteAgent(
  ctx: AppContext,
  principal: Principal,
  input: { email: string; role: Role },
) {
  if (!outranks(principal.role, input.role))
    throw forbidden(`An ${principal.role} cannot invite someone as ${input.role}`);
  const email = input.email.trim();
  const token = randomToken();
  const now = ctx.now();
  const result = await ctx.db.transaction().execute(async (trx) => {
    const member = await trx
      .selectFrom("memberships as m")
      .innerJoin("agents as a", "a.id", "m.agent_id")
      .select("a.id")
      .where("m.workspace_id", "=", principal.workspaceId)
      .where((eb) => eb(eb.fn("lower", ["a.email"]), "=", email.toLowerCase()))
      .executeTakeFirst();
    if (member) throw conflict("already_member", `${email} is already a member of this workspace`, "email");
    await trx
      .updateTable("invitations")
      .set({ revoked_at: now })
      .where("workspace_id", "=", principal.workspaceId)
      .where((eb) => eb(eb.fn("lower", ["email"]), "=", email.toLowerCase()))
      .where("accepted_at", "is", null)
      .where("revoked_at", "is", null)
      .execute();
    const invitation = await trx
      .insertInto("invitations")
      .values({
        workspace_id: principal.workspaceId,
        email,
        role: input.role,
        token_hash: sha256(token),
        invited_by: principal.agentId,
        expires_at: new Date(now.getTime() + INVITATION_DAYS * DAY),
      })
      .returning(invitationColumns)
      .executeTakeFirstOrThrow();
    const names = await trx
      .selectFrom("workspaces as w")
      .innerJoin("agents as a", (join) => join.on("a.id", "=", principal.agentId))
      .select(["w.name as workspace", "a.name as inviter"])
      .where("w.id", "=", principal.workspaceId)
      .executeTakeFirstOrThrow();
    await recordAudit(trx, principal, {
      action: "invitation.created",
      targetType: "invitation",
      targetId: invitation.id,
      data: { email, role: input.role },
    });
    return { invitation, names };
  });
  await ctx.notify.invitation({
    email,
    link: `${ctx.config.baseUrl}/accept-invitation?token=${token}`,
    workspaceName: result.names.workspace,
    inviterName: result.names.inviter,
  });
  await ctx.events.publish(principal.workspaceId, "invitation.created", {
    id: result.invitation.id,
    role: input.role,
  });
  return result.invitation;
}

/** Invitations still waiting for an answer. */
export async function listPendingInvitations(ctx: AppContext, principal: Principal) {
  return ctx.db
    .selectFrom("invitations")
    .select(invitationColumns)
    .where("workspace_id", "=", principal.workspaceId)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", ctx.now())
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
}

export async function revokeInvitation(ctx: AppContext, principal: Principal, id: string): Promise<void> {
  const revoked = await ctx.db.transaction().execute(async (trx) => {
    const invitation = await trx
      .selectFrom("invitations")
      .select(["role", "accepted_at", "revoked_at"])
      .where("workspace_id", "=", principal.workspaceId)
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst();
    if (!invitation) throw notFound("Invitation");
    if (!outranks(principal.role, invitation.role))
      throw forbidden("Only an owner can revoke an invitation to be owner");
    if (invitation.accepted_at)
      throw conflict("invitation_accepted", "This invitation was accepted; remove the agent instead");
    if (invitation.revoked_at) return false;
    await trx
      .updateTable("invitations")
      .set({ revoked_at: ctx.now() })
      .where("workspace_id", "=", principal.workspaceId)
      .where("id", "=", id)
      .execute();
    await recordAudit(trx, principal, {
      action: "invitation.revoked",
      targetType: "invitation",
      targetId: id,
    });
    return true;
  });
  if (revoked) await ctx.events.publish(principal.workspaceId, "invitation.revoked", { id });
}

/**
 * Accepts an invitation and signs the agent in to its workspace. Someone new chooses a name and a
 * password; someone with an account proves it with that account's password. An account that has
 * no password yet gets the one sent: the token came by mail, which proves the address like a reset.
 */
export async function acceptInvitation(
  ctx: AppContext,
  input: { token: string; password: string; name?: string },
  ip: string,
): Promise<LoginResult> {
  const now = ctx.now();
  const invitation = await ctx.db
    .selectFrom("invitations")
    .select(["workspace_id", "id", "email", "role", "expires_at", "accepted_at", "revoked_at"])
    .where("token_hash", "=", sha256(input.token))
    .executeTakeFirst();
  if (
    !invitation ||
    invitation.accepted_at ||
    invitation.revoked_at ||
    new Date(invitation.expires_at) <= now
  )
    throw unusableToken();

  const existing = await ctx.db
    .selectFrom("agents")
    .select(["id", "password_hash"])
    .where((eb) => eb(eb.fn("lower", ["email"]), "=", invitation.email.toLowerCase()))
    .executeTakeFirst();
  let newPasswordHash: string | undefined;
  if (existing?.password_hash) {
    if (!(await verifyPassword(existing.password_hash, input.password)))
      throw invalid("password", "This email already has a Keepwell account: enter its password");
  } else {
    if (!existing && !input.name) throw invalid("name", "Tell us your name to create your account");
    if (input.password.length < MIN_PASSWORD_LENGTH)
      throw invalid("password", `Use at least ${MIN_PASSWORD_LENGTH} characters`);
    newPasswordHash = await hashPassword(input.password);
  }

  const agentId = await ctx.db.transaction().execute(async (trx) => {
    // Claiming the invitation in one conditional update makes the token single-use under concurrency.
    const claimed = await trx
      .updateTable("invitations")
      .set({ accepted_at: now })
      .where("workspace_id", "=", invitation.workspace_id)
      .where("id", "=", invitation.id)
      .where("accepted_at", "is", null)
      .where("revoked_at", "is", null)
      .where("expires_at", ">", now)
      .returning("id")
      .executeTakeFirst();
    if (!claimed) throw unusableToken();
    let id = existing?.id;
    if (!id) {
      const created = await trx
        .insertInto("agents")
        .values({ email: invitation.email, name: input.name!, password_hash: newPasswordHash ?? null })
        .onConflict((oc) => oc.doNothing())
        .returning("id")
        .executeTakeFirst();
      if (!created)
        throw conflict(
          "email_taken",
          "An account with this email was just created; accept with its password",
        );
      id = created.id;
    } else if (newPasswordHash) {
      await trx
        .updateTable("agents")
        .set({ password_hash: newPasswordHash })
        .where("id", "=", id)
        .where("password_hash", "is", null)
        .execute();
    }
    await trx
      .insertInto("memberships")
      .values({ workspace_id: invitation.workspace_id, agent_id: id, role: invitation.role })
      .onConflict((oc) => oc.columns(["workspace_id", "agent_id"]).doNothing())
      .execute();
    await recordAudit(
      trx,
      { workspaceId: invitation.workspace_id, agentId: id, via: "session" },
      {
        action: "invitation.accepted",
        targetType: "invitation",
        targetId: invitation.id,
        data: { email: invitation.email, role: invitation.role },
        ip,
      },
    );
    await ctx.events.record(trx, invitation.workspace_id, [
      { type: "agent.created", data: { id, role: invitation.role } },
    ]);
    return id;
  });
  return login(
    ctx,
    { email: invitation.email, password: input.password, workspace_id: invitation.workspace_id },
    ip,
  );
}
