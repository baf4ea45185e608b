import { randomUUID } from "node:crypto";
import { ImapFlow } from "imapflow";
import { sql } from "kysely";
import type { AppContext } from "../../../context.ts";
import { getInbox } from "../../inboxes/service.ts";
import { forwardingAddress } from "../addresses.ts";
import { storeDelivery } from "../inbound-store.ts";
import { inboundMessageLimit } from "../service.ts";
import { imapPasswordBox } from "./settings.ts";

const LEASE_SECONDS = 300;
const BATCH = 50;

export interface PollResult {
  status: "polled" | "busy" | "not_configured" | "failed";
  imported: number;
  error?: string;
}

/**
 * Imports new mail of one inbox's IMAP folder. Progress is the folder's UIDVALIDITY and the last
 * UID imported, never the \Seen flag, so mail another client already read is still imported, and
 * after any downtime the next poll carries on from the last UID. When UIDVALIDITY changes the folder
 * is read again from the start; de-duplication by Message-ID keeps what was already imported. Mail is
 * moved to move_to_folder only after it is committed. A lease row makes one poller per inbox at a
 * time, across instances; every error is recorded for the inbox page.
 */
export async function pollImapAccount(
  ctx: AppContext,
  workspaceId: string,
  inboxId: string,
): Promise<PollResult> {
  const owner = randomUUID();
  const account = await acquireLease(ctx, workspaceId, inboxId, owner);
  if (!account) {
    const exists = await ctx.db
      .selectFrom("imap_accounts")
      .select("enabled")
      .where("workspace_id", "=", workspaceId)
      .where("inbox_id", "=", inboxId)
      .executeTakeFirst();
    return { status: exists?.enabled ? "busy" : "not_configured", imported: 0 };
  }
  const update = (values: Record<string, unknown>) =>
    ctx.db
      .updateTable("imap_accounts")
      .set(values)
      .where("workspace_id", "=", workspaceId)
      .where("inbox_id", "=", inboxId)
      .where("lease_owner", "=", owner)
      .execute();

  let imported = 0;
  let client: ImapFlow | undefined;
  try {
    client = new ImapFlow({
      host: account.host,
      port: account.port,
      secure: account.tls,
      auth: {
        user: account.username,
        pass: imapPasswordBox(ctx.config.secret).open(account.password_sealed),
      },
      logger: false,
      connectionTimeout: 30_000,
      greetingTimeout: 15_000,
      socketTimeout: 120_000,
      disableAutoIdle: true,
    });
    client.on("error", (error) => ctx.log.warn({ err: error, inbox_id: inboxId }, "imap: connection error"));
    const inbox = await getInbox(ctx.db, workspaceId, inboxId);
    const recipient = inbox.address ?? forwardingAddress(inboxId, ctx.config.smtp.domain);
    await client.connect();
    const lock = await client.getMailboxLock(account.folder);
    try {
      const mailbox = client.mailbox;
      if (!mailbox) throw new Error(`The folder ${account.folder} could not be opened`);
      const uidvalidity = String(mailbox.uidValidity);
      let lastUid = account.uidvalidity === uidvalidity ? BigInt(account.last_uid) : 0n;
      if (account.uidvalidity !== uidvalidity) await update({ uidvalidity, last_uid: 0 });
      const found = (await client.search({ uid: `${lastUid + 1n}:*` }, { uid: true })) || [];
      // "n:*" also matches the highest UID when it is below n, so filter again.
      const uids = found.filter((uid) => BigInt(uid) > lastUid).sort((a, b) => a - b);
      const limit = await inboundMessageLimit(ctx, workspaceId);
      for (let i = 0; i < uids.length; i += BATCH) {
        const batch = uids.slice(i, i + BATCH);
        const sizes = new Map<number, number>();
        for await (const message of client.fetch(batch, { uid: true, size: true }, { uid: true })) {
          sizes.set(message.uid, message.size ?? 0);
        }
        const wanted = batch.filter((uid) => (sizes.get(uid) ?? 0) <= limit);
        for (const uid of batch.filter((uid) => (sizes.get(uid) ?? 0) > limit)) {
          await update({
            last_error: `Message UID ${uid} is larger than ${limit} bytes; it was left on the server`,
            last_error_at: ctx.now(),
          });
        }
        const stored: number[] = [];
        if (wanted.length > 0) {
          for await (const message of client.fetch(wanted, { uid: true, source: true }, { uid: true })) {
            if (!message.source) continue;
            const rows = await storeDelivery(ctx, {
              raw: message.source,
              envelopeFrom: null,
              recipients: [{ workspaceId, inboxId, address: recipient }],
              source: "imap",
              imap: { uidvalidity: Number(mailbox.uidValidity), uid: message.uid },
            });
            if (rows[0]?.created) imported += 1;
            stored.push(message.uid);
          }
        }
        if (account.move_to_folder && stored.length > 0) {
          await client.messageMove(stored, account.move_to_folder, { uid: true });
        }
        lastUid = BigInt(batch[batch.length - 1]);
        await update({
          last_uid: lastUid.toString(),
          lease_until: sql`now() + make_interval(secs => ${LEASE_SECONDS})`,
        });
      }
      await update({
        messages_on_server: client.mailbox ? client.mailbox.exists : mailbox.exists,
        last_success_at: ctx.now(),
        last_error: null,
        last_error_at: null,
      });
    } finally {
      lock.release();
    }
    return { status: "polled", imported };
  } catch (error) {
    const message = describeImapError(error);
    await update({ last_error: message, last_error_at: ctx.now() });
    ctx.log.warn({ err: error, inbox_id: inboxId }, "imap: poll failed");
    return { status: "failed", imported, error: message };
  } finally {
    await client?.logout().catch(() => client?.close());
    await update({ last_poll_at: ctx.now(), lease_owner: null, lease_until: null });
  }
}

async function acquireLease(ctx: AppContext, workspaceId: string, inboxId: string, owner: string) {
  return ctx.db
    .updateTable("imap_accounts")
    .set({ lease_owner: owner, lease_until: sql`now() + make_interval(secs => ${LEASE_SECONDS})` })
    .where("workspace_id", "=", workspaceId)
    .where("inbox_id", "=", inboxId)
    .where("enabled", "=", true)
    .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", sql<Date>`now()`)]))
    .returningAll()
    .executeTakeFirst();
}

/** A sentence for the inbox page: the server's own words where it gave some. */
function describeImapError(error: unknown): string {
  const e = error as {
    message?: string;
    responseText?: string;
    code?: string;
    authenticationFailed?: boolean;
  };
  if (e?.authenticationFailed)
    return `The IMAP server refused the user name or password${e.responseText ? `: ${e.responseText}` : ""}`;
  if (e?.code === "ECONNREFUSED")
    return "The IMAP server refused the connection (is the host and port right?)";
  if (e?.code === "ENOTFOUND") return "The IMAP host name does not resolve";
  if (e?.code === "ETIMEDOUT" || e?.code === "CONNECT_TIMEOUT")
    return "The IMAP server did not answer in time";
  return (e?.responseText || e?.message || String(error)).slice(0, 1000);
}
