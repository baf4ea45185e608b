import type { Static } from "typebox";
import type { UpdateSmtpSettingsBody } from "../../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../../context.ts";
import type { Db } from "../../../db/database.ts";
import type { Principal } from "../../../http/principal.ts";
import { Problem } from "../../../lib/errors.ts";
import { secretBox } from "../../../lib/secret-box.ts";
import { recordAudit } from "../../audit/service.ts";
import { getInbox } from "../../inboxes/service.ts";
import { outboxDirectory, type SmtpTarget, sendMail } from "./transport.ts";

export type SmtpSettingsInput = Static<typeof UpdateSmtpSettingsBody>;

/** SMTP passwords are sealed under their own purpose key: a value sealed for webhooks never opens here. */
const passwords = (ctx: AppContext) => secretBox(ctx.config.secret, "smtp-password");

type Row = {
  host: string;
  port: number;
  security: "tls" | "starttls" | "none";
  username: string | null;
  password_sealed: string | null;
  from_name: string | null;
  updated_at: Date;
};

function present(row: Row | undefined) {
  if (!row) {
    return {
      mode: "outbox" as const,
      host: null,
      port: null,
      security: null,
      username: null,
      password_set: false,
      from_name: null,
      updated_at: null,
    };
  }
  return {
    mode: "smtp" as const,
    host: row.host,
    port: row.port,
    security: row.security,
    username: row.username,
    password_set: row.password_sealed !== null,
    from_name: row.from_name,
    updated_at: row.updated_at,
  };
}

async function findRow(db: Db, workspaceId: string, inboxId: string): Promise<Row | undefined> {
  return db
    .selectFrom("email_smtp_settings")
    .select(["host", "port", "security", "username", "password_sealed", "from_name", "updated_at"])
    .where("workspace_id", "=", workspaceId)
    .where("inbox_id", "=", inboxId)
    .executeTakeFirst();
}

/** The email inbox, or 404 (also for another workspace's), or 409 for an inbox of another channel. */
export async function getEmailInbox(db: Db, workspaceId: string, inboxId: string) {
  const inbox = await getInbox(db, workspaceId, inboxId);
  if (inbox.channel !== "email" || !inbox.address) {
    throw new Problem(409, "not_an_email_inbox", "Only email inboxes send mail", { field: "id" });
  }
  return { ...inbox, address: inbox.address };
}

export async function showSmtpSettings(ctx: AppContext, principal: Principal, inboxId: string) {
  await getEmailInbox(ctx.db, principal.workspaceId, inboxId);
  return present(await findRow(ctx.db, principal.workspaceId, inboxId));
}

export async function saveSmtpSettings(
  ctx: AppContext,
  principal: Principal,
  inboxId: string,
  input: SmtpSettingsInput,
) {
  const saved = await ctx.db.transaction().execute(async (trx) => {
    await getEmailInbox(trx, principal.workspaceId, inboxId);
    const current = await findRow(trx, principal.workspaceId, inboxId);
    const passwordSealed =
      input.password === undefined
        ? (current?.password_sealed ?? null)
        : input.password === null
          ? null
          : passwords(ctx).seal(input.password);
    const values = {
      host: input.host.trim(),
      port: input.port,
      security: input.security,
      username: input.username === undefined ? (current?.username ?? null) : input.username,
      password_sealed: passwordSealed,
      from_name: input.from_name === undefined ? (current?.from_name ?? null) : input.from_name,
      updated_at: ctx.now(),
    };
    const row = await trx
      .insertInto("email_smtp_settings")
      .values({ workspace_id: principal.workspaceId, inbox_id: inboxId, ...values })
      .onConflict((oc) => oc.columns(["workspace_id", "inbox_id"]).doUpdateSet(values))
      .returning(["host", "port", "security", "username", "password_sealed", "from_name", "updated_at"])
      .executeTakeFirstOrThrow();
    // The audit trail says that the password changed, never what it is.
    await recordAudit(trx, principal, {
      action: "inbox.smtp_updated",
      targetType: "inbox",
      targetId: inboxId,
      data: {
        host: row.host,
        port: row.port,
        security: row.security,
        password_changed: input.password !== undefined,
      },
    });
    await ctx.events.record(trx, principal.workspaceId, [{ type: "inbox.updated", data: { id: inboxId } }]);
    return row;
  });
  return present(saved);
}

/** Removing the settings puts the inbox back in local development mode (the outbox folder). */
export async function removeSmtpSettings(ctx: AppContext, principal: Principal, inboxId: string) {
  await ctx.db.transaction().execute(async (trx) => {
    await getEmailInbox(trx, principal.workspaceId, inboxId);
    await trx
      .deleteFrom("email_smtp_settings")
      .where("workspace_id", "=", principal.workspaceId)
      .where("inbox_id", "=", inboxId)
      .execute();
    await recordAudit(trx, principal, {
      action: "inbox.smtp_removed",
      targetType: "inbox",
      targetId: inboxId,
    });
    await ctx.events.record(trx, principal.workspaceId, [{ type: "inbox.updated", data: { id: inboxId } }]);
  });
}

/**
 * Where an inbox's mail goes: its SMTP server with the password opened, or null for the outbox.
 * A password that no longer opens (the instance secret changed) is a setting to fix, said plainly.
 */
export async function smtpTargetOf(
  ctx: AppContext,
  workspaceId: string,
  inboxId: string,
): Promise<{ target: SmtpTarget | null; fromName: string | null }> {
  const row = await findRow(ctx.db, workspaceId, inboxId);
  if (!row) return { target: null, fromName: null };
  let password: string | null = null;
  if (row.password_sealed) {
    try {
      password = passwords(ctx).open(row.password_sealed);
    } catch {
      throw new Error(
        "the stored SMTP password cannot be read (was KEEPWELL_SECRET changed?); enter it again in the inbox settings",
      );
    }
  }
  return {
    target: { host: row.host, port: row.port, security: row.security, username: row.username, password },
    fromName: row.from_name,
  };
}

/** Sends a short test mail through the inbox's settings right now and reports what the server said. */
export async function sendTestMail(ctx: AppContext, principal: Principal, inboxId: string, to: string) {
  const inbox = await getEmailInbox(ctx.db, principal.workspaceId, inboxId);
  const mode = (await findRow(ctx.db, principal.workspaceId, inboxId)) ? "smtp" : "outbox";
  try {
    const { target, fromName } = await smtpTargetOf(ctx, principal.workspaceId, inboxId);
    const result = await sendMail(target, outboxDirectory(ctx.config.dataDir), {
      from: { name: fromName ?? inbox.name, address: inbox.address },
      to,
      subject: `Keepwell test mail from ${inbox.name}`,
      text: `This is a test mail sent by Keepwell through the outgoing settings of the inbox ${inbox.name} (${inbox.address}).\nIf you can read it, replies from this inbox will arrive.\n`,
    });
    return { sent: true, mode: result.mode, response: result.response, error: null };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { sent: false, mode, response: null, error: message.replace(/\s+/g, " ").slice(0, 500) };
  }
}
