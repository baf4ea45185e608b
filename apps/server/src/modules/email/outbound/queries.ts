import { sql } from "kysely";
import type { Db } from "../../../db/database.ts";

/*
 * The send-once record: one email_deliveries row per outgoing message. A sender must claim the row
 * (state "sending") before it talks to any server, and only a row released after a send that
 * certainly did not happen ("retry") can be claimed again; "sent" and "failed" are final.
 */

export type Claim =
  | { outcome: "claimed"; attempts: number }
  | { outcome: "final" }
  | { outcome: "busy" }
  | { outcome: "abandoned" };

export async function claimDelivery(
  db: Db,
  workspaceId: string,
  messageId: string,
  rfcMessageId: string,
  now: Date,
  staleBefore: Date,
): Promise<Claim> {
  const claimed = await db
    .insertInto("email_deliveries")
    .values({
      workspace_id: workspaceId,
      message_id: messageId,
      state: "sending",
      rfc_message_id: rfcMessageId,
      attempts: 1,
      claimed_at: now,
    })
    .onConflict((oc) =>
      oc
        .columns(["workspace_id", "message_id"])
        .doUpdateSet({ state: "sending", attempts: sql`email_deliveries.attempts + 1`, claimed_at: now })
        .where("email_deliveries.state", "=", "retry"),
    )
    .returning("attempts")
    .executeTakeFirst();
  if (claimed) return { outcome: "claimed", attempts: claimed.attempts };
  const row = await db
    .selectFrom("email_deliveries")
    .select(["state", "claimed_at"])
    .where("workspace_id", "=", workspaceId)
    .where("message_id", "=", messageId)
    .executeTakeFirstOrThrow();
  if (row.state !== "sending") return { outcome: "final" };
  if (row.claimed_at && row.claimed_at < staleBefore) return { outcome: "abandoned" };
  return { outcome: "busy" };
}

export async function findDelivery(db: Db, workspaceId: string, messageId: string) {
  return db
    .selectFrom("email_deliveries")
    .select(["state", "rfc_message_id", "transport", "response", "last_error", "finished_at"])
    .where("workspace_id", "=", workspaceId)
    .where("message_id", "=", messageId)
    .executeTakeFirst();
}

/** Ends a claim: sent or failed for good, or released for another attempt ("retry"). */
export async function settleDelivery(
  db: Db,
  workspaceId: string,
  messageId: string,
  change: {
    state: "sent" | "failed" | "retry";
    at: Date;
    transport?: "smtp" | "outbox";
    response?: string | null;
    error?: string | null;
    /** Only settle a claim older than this (an abandoned claim is settled by whoever finds it). */
    claimedBefore?: Date;
  },
): Promise<boolean> {
  let query = db
    .updateTable("email_deliveries")
    .set({
      state: change.state,
      finished_at: change.state === "retry" ? null : change.at,
      transport: change.transport ?? null,
      response: change.response ?? null,
      last_error: change.error ?? null,
    })
    .where("workspace_id", "=", workspaceId)
    .where("message_id", "=", messageId)
    .where("state", "=", "sending");
  if (change.claimedBefore) query = query.where("claimed_at", "<", change.claimedBefore);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The Message-IDs stored for a conversation (received and sent), oldest first, for References. */
export async function threadMessageIds(
  db: Db,
  workspaceId: string,
  conversationId: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom("email_message_ids")
    .select("message_id_header")
    .where("workspace_id", "=", workspaceId)
    .where("conversation_id", "=", conversationId)
    .orderBy("created_at")
    .orderBy("message_id_header")
    .execute();
  return rows.map((r) => r.message_id_header);
}

/* Automatic messages: one log row per automatic send, unique per trigger so a retried job sends once. */

/** Serializes automatic sends to one address, so two at once cannot both slip under the limit. */
export async function lockAutomaticAddress(trx: Db, workspaceId: string, address: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`keepwell:email:auto:${workspaceId}:${address}`}))`.execute(
    trx,
  );
}

export async function automaticSendsSince(db: Db, workspaceId: string, address: string, since: Date) {
  const row = await db
    .selectFrom("email_automatic_sends")
    .select((eb) => eb.fn.countAll<string>().as("count"))
    .where("workspace_id", "=", workspaceId)
    .where("address", "=", address)
    .where("sent_at", ">", since)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Records an automatic send; false when this trigger already had one. */
export async function recordAutomaticSend(
  trx: Db,
  entry: { workspaceId: string; kind: string; address: string; triggerMessageId: string; at: Date },
): Promise<boolean> {
  const row = await trx
    .insertInto("email_automatic_sends")
    .values({
      workspace_id: entry.workspaceId,
      kind: entry.kind,
      address: entry.address,
      trigger_message_id: entry.triggerMessageId,
      sent_at: entry.at,
    })
    .onConflict((oc) => oc.doNothing())
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

export async function findAutoAckTemplate(db: Db, workspaceId: string, inboxId: string) {
  return db
    .selectFrom("email_auto_ack_templates")
    .select(["subject", "body"])
    .where("workspace_id", "=", workspaceId)
    .where("inbox_id", "=", inboxId)
    .executeTakeFirst();
}

export async function saveAutoAckTemplate(
  trx: Db,
  workspaceId: string,
  inboxId: string,
  template: { subject: string; body: string },
  at: Date,
) {
  const values = { subject: template.subject, body: template.body, updated_at: at };
  await trx
    .insertInto("email_auto_ack_templates")
    .values({ workspace_id: workspaceId, inbox_id: inboxId, ...values })
    .onConflict((oc) => oc.columns(["workspace_id", "inbox_id"]).doUpdateSet(values))
    .execute();
}
