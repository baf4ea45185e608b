import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import { forwardingIdPrefix, parseRecipient } from "./addresses.ts";
import { dedupeKeyOf, messageIdOf, scanHeaders, sha256Hex } from "./header-scan.ts";
import { findEmailInboxByAddress, findEmailInboxesByIdPrefix } from "../inboxes/service.ts";
import { insertInbound } from "./queries.ts";

export const PROCESS_QUEUE = "email-inbound-process";

export interface ProcessJob {
  workspace_id: string;
  inbound_id: string;
}

export interface ResolvedRecipient {
  workspaceId: string;
  inboxId: string;
  /** The address as the sender wrote it, +tag included. */
  address: string;
}

/** The inbox an address delivers to: its own address, or its forwarding address (see addresses.ts). */
export async function resolveRecipient(
  db: Db,
  domain: string,
  address: string,
): Promise<ResolvedRecipient | null> {
  const parts = parseRecipient(address);
  if (!parts) return null;
  const byAddress = await findEmailInboxByAddress(db, parts.base);
  if (byAddress) return { workspaceId: byAddress.workspace_id, inboxId: byAddress.id, address };
  const prefix = forwardingIdPrefix(parts, domain);
  if (!prefix) return null;
  const matches = await findEmailInboxesByIdPrefix(db, prefix);
  // Two inboxes sharing 48 random bits is all but impossible; refuse rather than guess if it happens.
  if (matches.length !== 1) return null;
  return { workspaceId: matches[0].workspace_id, inboxId: matches[0].id, address };
}

export interface Delivery {
  raw: Buffer;
  envelopeFrom: string | null;
  recipients: ResolvedRecipient[];
  source: "smtp" | "imap";
  imap?: { uidvalidity: number; uid: number };
}

export interface StoredDelivery {
  workspaceId: string;
  id: string;
  created: boolean;
}

/**
 * Commits the raw message, one row per recipient inbox, and the jobs that process them, in one
 * transaction; only then may the sender be told it was accepted. A second delivery of the same
 * message to the same inbox finds the row already there and stores nothing.
 */
export async function storeDelivery(ctx: AppContext, delivery: Delivery): Promise<StoredDelivery[]> {
  const messageId = messageIdOf(scanHeaders(delivery.raw));
  const sha256 = sha256Hex(delivery.raw);
  const dedupeKey = dedupeKeyOf(messageId, sha256);
  const receivedAt = ctx.now();
  const stored = await ctx.db.transaction().execute(async (trx) => {
    const rows: StoredDelivery[] = [];
    for (const recipient of delivery.recipients) {
      const result = await insertInbound(trx, {
        workspaceId: recipient.workspaceId,
        inboxId: recipient.inboxId,
        source: delivery.source,
        envelopeFrom: delivery.envelopeFrom,
        envelopeTo: recipient.address,
        messageIdHeader: messageId,
        dedupeKey,
        sha256,
        raw: delivery.raw,
        receivedAt,
        imap: delivery.imap,
      });
      rows.push({ workspaceId: recipient.workspaceId, ...result });
      if (result.created) await sendProcessingJob(ctx, recipient.workspaceId, result.id, trx);
    }
    return rows;
  });
  return stored;
}

/** Queues the processing of a stored message; inside `transaction` when one is given. */
function sendProcessingJob(ctx: AppContext, workspaceId: string, inboundId: string, transaction?: Db) {
  return ctx.jobs.send<ProcessJob>(
    PROCESS_QUEUE,
    { workspace_id: workspaceId, inbound_id: inboundId },
    { retryLimit: 5, retryDelay: 5, retryBackoff: true, transaction },
  );
}

/** Queues processing outside a delivery (the recovery sweep); a failure is left to the next sweep. */
export async function queueProcessing(
  ctx: AppContext,
  workspaceId: string,
  inboundId: string,
): Promise<void> {
  try {
    await sendProcessingJob(ctx, workspaceId, inboundId);
  } catch (error) {
    // The message is stored and still pending: the next sweep queues it again.
    ctx.log.warn({ err: error, inbound_id: inboundId }, "could not queue a received email; the sweep will");
  }
}
