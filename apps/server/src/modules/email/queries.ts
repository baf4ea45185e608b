import { sql } from "kysely";
import type { Db } from "../../db/database.ts";

/** Queries of the email module's own tables. */

export interface NewInboundRow {
  workspaceId: string;
  inboxId: string;
  source: "smtp" | "imap";
  envelopeFrom: string | null;
  envelopeTo: string;
  messageIdHeader: string | null;
  dedupeKey: string;
  sha256: string;
  raw: Buffer;
  receivedAt: Date;
  imap?: { uidvalidity: number; uid: number };
}

/** Inserts one stored message; an existing row with the same dedupe key wins (duplicate delivery). */
export async function insertInbound(trx: Db, row: NewInboundRow): Promise<{ id: string; created: boolean }> {
  const inserted = await trx
    .insertInto("inbound_emails")
    .values({
      workspace_id: row.workspaceId,
      inbox_id: row.inboxId,
      source: row.source,
      envelope_from: row.envelopeFrom,
      envelope_to: row.envelopeTo,
      message_id_header: row.messageIdHeader,
      dedupe_key: row.dedupeKey,
      sha256: row.sha256,
      size_bytes: row.raw.length,
      raw: row.raw,
      imap_uidvalidity: row.imap?.uidvalidity ?? null,
      imap_uid: row.imap?.uid ?? null,
      received_at: row.receivedAt,
    })
    .onConflict((oc) => oc.columns(["workspace_id", "inbox_id", "dedupe_key"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  if (inserted) return { id: inserted.id, created: true };
  const existing = await trx
    .selectFrom("inbound_emails")
    .select("id")
    .where("workspace_id", "=", row.workspaceId)
    .where("inbox_id", "=", row.inboxId)
    .where("dedupe_key", "=", row.dedupeKey)
    .executeTakeFirstOrThrow();
  return { id: existing.id, created: false };
}

/** Serializes threading within one workspace, so two replies of one thread never race into two conversations. */
export async function lockWorkspaceThreading(trx: Db, workspaceId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`keepwell:email:${workspaceId}`}))`.execute(trx);
}

export async function lockInbound(trx: Db, workspaceId: string, id: string) {
  return trx
    .selectFrom("inbound_emails")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirst();
}

export type InboundRow = NonNullable<Awaited<ReturnType<typeof lockInbound>>>;

/** Stored messages still waiting for processing, oldest first (crash recovery and the sweep). */
export async function pendingInbound(db: Db, olderThan: Date, limit: number) {
  return db
    .selectFrom("inbound_emails")
    .select(["workspace_id", "id"])
    .where("state", "=", "received")
    .where("received_at", "<=", olderThan)
    .orderBy("received_at")
    .limit(limit)
    .execute();
}

/** The workspace's stored messages waiting for processing, oldest first. */
export async function pendingInboundOf(db: Db, workspaceId: string, limit: number) {
  return db
    .selectFrom("inbound_emails")
    .select(["id", "attempts"])
    .where("workspace_id", "=", workspaceId)
    .where("state", "=", "received")
    .orderBy("received_at")
    .orderBy("id")
    .limit(limit)
    .execute();
}

/** Unprocessed messages of the workspace carrying one of these Message-IDs (a reply's parents). */
export async function pendingWithMessageIds(db: Db, workspaceId: string, ids: string[], exceptId: string) {
  if (ids.length === 0) return [];
  return db
    .selectFrom("inbound_emails")
    .select(["id"])
    .where("workspace_id", "=", workspaceId)
    .where("state", "=", "received")
    .where("message_id_header", "in", ids)
    .where("id", "!=", exceptId)
    .orderBy("received_at")
    .execute();
}

export async function findKnownMessageIds(db: Db, workspaceId: string, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom("email_message_ids")
    .select(["message_id_header", "conversation_id", "message_id", "direction"])
    .where("workspace_id", "=", workspaceId)
    .where("message_id_header", "in", ids)
    .execute();
}

export async function isParticipant(db: Db, workspaceId: string, conversationId: string, address: string) {
  const row = await db
    .selectFrom("email_thread_participants")
    .select("address")
    .where("workspace_id", "=", workspaceId)
    .where("conversation_id", "=", conversationId)
    .where("address", "=", address)
    .executeTakeFirst();
  return row !== undefined;
}

export async function addParticipants(
  trx: Db,
  workspaceId: string,
  conversationId: string,
  addresses: string[],
) {
  const unique = [...new Set(addresses)].slice(0, 100);
  if (unique.length === 0) return;
  await trx
    .insertInto("email_thread_participants")
    .values(
      unique.map((address) => ({ workspace_id: workspaceId, conversation_id: conversationId, address })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}
