import type { Static } from "typebox";
import type { ImapSettingsBody } from "../../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../../context.ts";
import type { Db } from "../../../db/database.ts";
import type { Principal } from "../../../http/principal.ts";
import { invalid, notFound } from "../../../lib/errors.ts";
import { secretBox } from "../../../lib/secret-box.ts";
import { recordAudit } from "../../audit/service.ts";
import { getInbox } from "../../inboxes/service.ts";

export type ImapSettingsInput = Static<typeof ImapSettingsBody>;

/** IMAP passwords are sealed under their own purpose key: a webhook or SMTP secret never opens as one. */
export const imapPasswordBox = (secret: string) => secretBox(secret, "imap-password");

async function emailInbox(db: Db, workspaceId: string, inboxId: string) {
  const inbox = await getInbox(db, workspaceId, inboxId);
  if (inbox.channel !== "email") throw invalid("inbox", "Only email inboxes can poll a mailbox over IMAP");
  return inbox;
}

async function findAccount(db: Db, workspaceId: string, inboxId: string) {
  return db
    .selectFrom("imap_accounts")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("inbox_id", "=", inboxId)
    .executeTakeFirst();
}

type AccountRow = NonNullable<Awaited<ReturnType<typeof findAccount>>>;

function present(row: AccountRow) {
  return {
    inbox_id: row.inbox_id,
    host: row.host,
    port: row.port,
    tls: row.tls,
    username: row.username,
    password_set: row.password_sealed.length > 0,
    folder: row.folder,
    move_to_folder: row.move_to_folder,
    enabled: row.enabled,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export async function showImapSettings(ctx: AppContext, principal: Principal, inboxId: string) {
  await emailInbox(ctx.db, principal.workspaceId, inboxId);
  const row = await findAccount(ctx.db, principal.workspaceId, inboxId);
  if (!row) throw notFound("IMAP settings");
  return present(row);
}

/**
 * Creates or replaces the inbox's IMAP settings. A different server, user or folder starts the
 * position over (UIDs mean nothing across mailboxes); de-duplication keeps what was imported once.
 */
export async function saveImapSettings(
  ctx: AppContext,
  principal: Principal,
  inboxId: string,
  input: ImapSettingsInput,
) {
  const workspaceId = principal.workspaceId;
  const saved = await ctx.db.transaction().execute(async (trx) => {
    await emailInbox(trx, workspaceId, inboxId);
    const current = await findAccount(trx, workspaceId, inboxId);
    if (!current && input.password === undefined) throw invalid("password", "Give the mailbox password");
    const folder = input.folder ?? "INBOX";
    if (input.move_to_folder && input.move_to_folder === folder)
      throw invalid("move_to_folder", "Move imported mail to a folder other than the one polled");
    const sealed =
      input.password !== undefined
        ? imapPasswordBox(ctx.config.secret).seal(input.password)
        : current!.password_sealed;
    const samePlace =
      current &&
      current.host === input.host &&
      current.port === input.port &&
      current.username === input.username &&
      current.folder === folder;
    const values = {
      host: input.host,
      port: input.port,
      tls: input.tls ?? true,
      username: input.username,
      password_sealed: sealed,
      folder,
      move_to_folder: input.move_to_folder ?? null,
      enabled: input.enabled ?? true,
      updated_at: ctx.now(),
      ...(samePlace
        ? {}
        : {
            uidvalidity: null,
            last_uid: 0,
            messages_on_server: null,
            last_error: null,
            last_error_at: null,
          }),
    };
    const row = await trx
      .insertInto("imap_accounts")
      .values({ workspace_id: workspaceId, inbox_id: inboxId, ...values })
      .onConflict((oc) => oc.columns(["workspace_id", "inbox_id"]).doUpdateSet(values))
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, principal, {
      action: current ? "inbox.imap_updated" : "inbox.imap_configured",
      targetType: "inbox",
      targetId: inboxId,
      data: {
        host: input.host,
        port: input.port,
        username: input.username,
        password_changed: input.password !== undefined,
      },
    });
    await ctx.events.record(trx, workspaceId, [
      { type: "inbox.updated", data: { id: inboxId, changes: ["imap"] } },
    ]);
    return row;
  });
  return present(saved);
}

export async function removeImapSettings(
  ctx: AppContext,
  principal: Principal,
  inboxId: string,
): Promise<void> {
  const workspaceId = principal.workspaceId;
  await ctx.db.transaction().execute(async (trx) => {
    await emailInbox(trx, workspaceId, inboxId);
    const deleted = await trx
      .deleteFrom("imap_accounts")
      .where("workspace_id", "=", workspaceId)
      .where("inbox_id", "=", inboxId)
      .executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0) throw notFound("IMAP settings");
    await recordAudit(trx, principal, {
      action: "inbox.imap_removed",
      targetType: "inbox",
      targetId: inboxId,
    });
    await ctx.events.record(trx, workspaceId, [
      { type: "inbox.updated", data: { id: inboxId, changes: ["imap"] } },
    ]);
  });
}

export async function imapStatus(ctx: AppContext, principal: Principal, inboxId: string) {
  const workspaceId = principal.workspaceId;
  await emailInbox(ctx.db, workspaceId, inboxId);
  const row = await findAccount(ctx.db, workspaceId, inboxId);
  const imported = await ctx.db
    .selectFrom("inbound_emails")
    .select((eb) => eb.fn.countAll<string>().as("count"))
    .where("workspace_id", "=", workspaceId)
    .where("inbox_id", "=", inboxId)
    .where("source", "=", "imap")
    .executeTakeFirstOrThrow();
  const now = ctx.now();
  return {
    inbox_id: inboxId,
    configured: row !== undefined,
    enabled: row?.enabled ?? false,
    messages_on_server: row?.messages_on_server ?? null,
    imported: Number(imported.count),
    // int8 columns come back as strings from pg and as numbers from PGlite.
    uidvalidity: row?.uidvalidity == null ? null : String(row.uidvalidity),
    last_uid: String(row?.last_uid ?? "0"),
    last_poll_at: row?.last_poll_at ?? null,
    last_success_at: row?.last_success_at ?? null,
    last_error: row?.last_error ?? null,
    last_error_at: row?.last_error_at ?? null,
    polling_now: row?.lease_until ? new Date(row.lease_until) > now : false,
  };
}
