import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { NewMessage } from "../conversations/queries.ts";
import { type PendingEvent, } from "../conversations/activity.ts";
import { type ConversationRow, lockConversation } from "../conversations/queries.ts";
import { findOrCreateContactByEmail } from "../contacts/service.ts";
import { getInbox } from "../inboxes/service.ts";
import { normalizeAddress, ownAddresses } from "./addresses.ts";
import { rewriteCidLinks, storeIncomingFiles } from "./attachments-in.ts";
import { type AutomaticVerdict, classifyAutomatic, readDeliveryReport } from "./automatic.ts";
import { announceBounce } from "./bounce-listeners.ts";
import { recordBounce } from "./bounces.ts";
import { openConversation, recordAttachments, writeEmailMessage } from "./conversation-port.ts";
import { asBuffer } from "./header-scan.ts";
import { type ParsedEmail, parseEmail } from "./parse.ts";
import {
  addParticipants,
  type InboundRow,
  lockInbound,
  lockWorkspaceThreading,
  pendingWithMessageIds,
} from "./queries.ts";
import { foldQuotedText } from "./quoted-text.ts";
import { decideThread, rememberMessageId, type ThreadDecision } from "./threading.ts";

/** After this many failed attempts a stored message is marked failed (it stays stored, raw and all). */
export const MAX_ATTEMPTS = 5;
const UNKNOWN_SENDER = "unknown-sender@invalid";

/**
 * Turns one stored message into a conversation message: parse, thread, write. Idempotent: a message
 * already processed is left alone, so a job that runs twice (a retry, crash recovery) is harmless.
 * Unprocessed messages it replies to are processed first, so a reply never races ahead of its parent.
 */
export async function processInbound(
  ctx: AppContext,
  workspaceId: string,
  id: string,
  depth = 0,
): Promise<void> {
  const row = await ctx.db
    .selectFrom("inbound_emails")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (row?.state !== "received") return;
  try {
    const parsed = await parseEmail(asBuffer(row.raw));
    if (depth < 3) {
      const parents = await pendingWithMessageIds(
        ctx.db,
        workspaceId,
        [...parsed.inReplyTo, ...parsed.references],
        id,
      );
      for (const parent of parents) await processInbound(ctx, workspaceId, parent.id, depth + 1);
    }
    const files = await storeIncomingFiles(ctx.config.dataDir, parsed.attachments);
    const events: PendingEvent[] = [];
    await ctx.events.transaction(workspaceId, events, async (trx) => {
      await lockWorkspaceThreading(trx, workspaceId);
      const locked = await lockInbound(trx, workspaceId, id);
      if (locked?.state !== "received") return;
      await writeInbound(ctx, trx, locked, parsed, files, events);
    });
  } catch (error) {
    const attempts = row.attempts + 1;
    await ctx.db
      .updateTable("inbound_emails")
      .set({
        attempts,
        last_error: String((error as Error)?.message ?? error).slice(0, 2000),
        ...(attempts >= MAX_ATTEMPTS ? { state: "failed" as const } : {}),
      })
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .execute();
    ctx.log.error({ err: error, inbound_id: id, attempts }, "processing a received email failed");
    if (attempts < MAX_ATTEMPTS) throw error;
  }
}

async function writeInbound(
  ctx: AppContext,
  trx: Db,
  row: InboundRow,
  parsed: ParsedEmail,
  files: Awaited<ReturnType<typeof storeIncomingFiles>>,
  events: PendingEvent[],
): Promise<void> {
  const workspaceId = row.workspace_id;
  // The customer has been waiting since the mail reached us, however late it is processed.
  const at = new Date(row.received_at);
  const warnings = [...parsed.warnings, ...files.warnings];
  const inbox = await getInbox(trx, workspaceId, row.inbox_id);
  const own = await ownAddresses(trx, workspaceId);
  const sender = normalizeAddress(parsed.from?.address) ?? normalizeAddress(row.envelope_from);
  const automatic = classifyAutomatic(parsed, row.envelope_from);
  const report = automatic.bounce ? readDeliveryReport(parsed) : null;
  const decision = await decideThread(trx, ctx.config.secret, {
    workspaceId,
    messageId: parsed.messageId,
    inReplyTo: parsed.inReplyTo,
    references: [...(report?.originalMessageIds ?? []), ...parsed.references],
    recipients: [row.envelope_to, ...parsed.to.map((a) => a.address), ...parsed.cc.map((a) => a.address)],
    sender,
    own,
  });

  if (decision.kind === "duplicate") {
    await finish(trx, row, {
      conversationId: decision.conversationId,
      messageId: decision.messageId,
      warnings,
    });
    return;
  }

  // A report about automation mail (a sequence step, a broadcast) names no conversation: the listener
  // records it in the contact's automation history, and no conversation from the mailer daemon opens.
  // Reports about agents' replies thread into their conversation like any reply.
  const announced = report !== null && decision.kind === "new";
  if (announced && (await announceBounce(ctx, trx, workspaceId, report, at))) {
    await finish(trx, row, { conversationId: null, messageId: null, warnings });
    return;
  }

  const claimedOwn = sender !== null && (own.inboxes.has(sender) || own.agents.has(sender));
  let conversation: ConversationRow | undefined;
  if (decision.kind === "existing") {
    conversation = await lockConversation(trx, workspaceId, decision.conversationId);
  }
  let contactId = conversation?.contact_id;
  if (!conversation) {
    const contact = await findOrCreateContactByEmail(trx, workspaceId, {
      email: sender ?? UNKNOWN_SENDER,
      name: parsed.from?.name || (sender ? null : "Unknown sender"),
    });
    contactId = contact.id;
    conversation = await openConversation(
      trx,
      workspaceId,
      { inboxId: inbox.id, contactId: contact.id, subject: parsed.subject, at },
      events,
    );
  }

  const outgoing = decision.kind === "existing" && decision.outgoing;
  const folded = outgoing ? null : foldQuotedText(parsed.text);
  const html = parsed.html
    ? rewriteCidLinks(parsed.html, files.byCid, (attachmentId) => `/api/v1/attachments/${attachmentId}`)
    : null;
  const message: NewMessage = {
    kind: outgoing ? "outgoing" : "incoming",
    authorAgentId: outgoing && decision.kind === "existing" ? decision.agentId : null,
    authorContactId: outgoing ? null : (contactId ?? null),
    bodyText: parsed.text,
    bodyHtml: html,
    sentByHuman: outgoing && !automatic.autoReply,
    deliveryState: null,
    metadata: metadataOf(row, parsed, decision, automatic, folded, warnings, claimedOwn && !outgoing),
    at,
  };
  const written = await writeEmailMessage(
    trx,
    workspaceId,
    conversation,
    message,
    { countsAsCustomer: !automatic.autoReply && !claimedOwn },
    events,
  );
  await recordAttachments(trx, workspaceId, written.messageId, files.stored);
  if (parsed.messageId) {
    await rememberMessageId(trx, {
      workspaceId,
      messageIdHeader: parsed.messageId,
      conversationId: conversation.id,
      messageId: written.messageId,
      direction: outgoing ? "outgoing" : "incoming",
    });
  }
  // Unauthenticated mail claiming to be ours brings nobody into the thread (see threading.ts).
  if (!claimedOwn || outgoing) {
    const addressed = [parsed.from, ...parsed.to, ...parsed.cc]
      .map((a) => normalizeAddress(a?.address))
      .filter((a): a is string => a !== null && !own.inboxes.has(a) && !own.agents.has(a))
      .slice(0, 50);
    await addParticipants(trx, workspaceId, conversation.id, addressed);
  }
  if (report) await recordBounce(trx, workspaceId, written.messageId, report);
  if (report && !announced) await announceBounce(ctx, trx, workspaceId, report, at);
  await finish(trx, row, { conversationId: conversation.id, messageId: written.messageId, warnings });
}

function metadataOf(
  row: InboundRow,
  parsed: ParsedEmail,
  decision: ThreadDecision,
  automatic: AutomaticVerdict,
  folded: { visibleText: string; folded: boolean } | null,
  warnings: string[],
  claimedOwn: boolean,
): Record<string, unknown> {
  return {
    source: "email",
    ...(folded ? { visible_text: folded.visibleText, quoted_text_folded: folded.folded } : {}),
    ...(automatic.autoReply ? { auto_reply: true, automatic_reasons: automatic.reasons } : {}),
    ...(automatic.bounce ? { bounce: true } : {}),
    ...(warnings.length > 0 ? { parse_warnings: warnings } : {}),
    ...(claimedOwn ? { unverified_own_sender: true } : {}),
    email: {
      inbound_id: row.id,
      source: row.source,
      message_id: parsed.messageId,
      in_reply_to: parsed.inReplyTo,
      references: parsed.references.slice(-20),
      from: parsed.from,
      reply_to: parsed.replyTo.slice(0, 20),
      to: parsed.to.slice(0, 50),
      cc: parsed.cc.slice(0, 50),
      subject: parsed.subject,
      date: parsed.date?.toISOString() ?? null,
      envelope_from: row.envelope_from,
      envelope_to: row.envelope_to,
      fully_parsed: parsed.fullyParsed,
      threaded_by: decision.kind === "existing" ? decision.via : "new",
      ...(decision.kind === "new" && decision.relatedConversationId
        ? { related_conversation_id: decision.relatedConversationId }
        : {}),
      ...(decision.kind === "existing" && decision.outgoing ? { sent_from_outside_client: true } : {}),
    },
  };
}

async function finish(
  trx: Db,
  row: InboundRow,
  result: { conversationId: string | null; messageId: string | null; warnings: string[] },
): Promise<void> {
  await trx
    .updateTable("inbound_emails")
    .set({
      state: "processed",
      processed_at: new Date(),
      conversation_id: result.conversationId,
      message_id: result.messageId,
      warnings: JSON.stringify(result.warnings),
      last_error: null,
    })
    .where("workspace_id", "=", row.workspace_id)
    .where("id", "=", row.id)
    .execute();
}
