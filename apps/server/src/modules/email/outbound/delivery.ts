import type { Readable } from "node:stream";
import type { AppContext } from "../../../context.ts";
import { attachmentsOfMessages, openAttachment } from "../../attachments/service.ts";
import { getContact } from "../../contacts/service.ts";
import { getMember } from "../../workspaces/service.ts";
import { outgoingMessageId } from "../message-id.ts";
import { createReplyToken } from "../reply-token.ts";
import { rememberMessageId } from "../threading.ts";
import { composeMail } from "./compose.ts";
import { type EmailMessage, findMessage, setDelivery } from "./message-store.ts";
import { claimDelivery, findDelivery, settleDelivery, threadMessageIds } from "./queries.ts";
import { getEmailInbox, smtpTargetOf } from "./smtp-settings.ts";
import type { SendMailOptions } from "nodemailer";
import {
  describeFailure,
  outboxDirectory,
  SEND_DEADLINE_MS,
  type SmtpTarget,
  sendMail,
} from "./transport.ts";

export const SEND_QUEUE = "email-send";

export interface SendJob {
  workspace_id: string;
  message_id: string;
}

/**
 * Retries of a send that failed for a reason that may pass (4xx, timeouts, connection refused):
 * exponential backoff from about a minute, capped at an hour, about six hours in all.
 * Tests shorten the delays by changing this object before the server starts.
 */
export const sendRetry = { limit: 10, delaySeconds: 60, maxDelaySeconds: 3600 };

/**
 * A claim older than this was left by a sender that died mid-send: nobody can tell whether the
 * server accepted the mail. Longer than the send deadline and than the job's own expiry.
 */
export const ABANDONED_AFTER_MS = 2 * SEND_DEADLINE_MS + 60_000;

const ABANDONED_REASON =
  "Keepwell stopped while sending this reply, so it may or may not have reached the customer. " +
  "It was not sent again, to avoid a duplicate; send it again if needed.";

/** A message that can never go out this way (no address, no sending inbox): failed at once, not retried. */
export class UndeliverableMessage extends Error {}

/** The inbox a message is mailed from, with the name its sender shows. */
export interface SendingInbox {
  id: string;
  name: string;
  address: string;
  settings: unknown;
  fromName: string | null;
}

/** What one attempt mails, written fresh for each attempt (the agent may have fixed a setting). */
export interface MessageMail {
  to: { name: string | null; address: string };
  fromName: string;
  subject: string;
  /** Whether the subject reads as a reply. */
  isReply: boolean;
  text: string;
  html: string | null;
  signature: string;
  automatic: boolean;
}

export interface SendOnce {
  /** The email inbox it goes out from; the conversation's own for an email reply. */
  inboxId: string | null;
  retryCount: number;
  retryLimit: number;
  /** Writes the mail; `continuesThread` says whether the conversation already has mail to follow. */
  write: (inbox: SendingInbox, continuesThread: boolean) => Promise<MessageMail>;
  /** While retries remain, the message shows "queued" with the latest reason (an email reply does). */
  showRetries: boolean;
  /** Facts kept on the message once it was mailed, beside the email's own. */
  sentFacts?: Record<string, unknown>;
}

/**
 * The email channel's replies. A message is sent at most once: the send-once claim (queries.ts) is
 * taken before any server is contacted; a failure that certainly sent nothing releases it for the
 * next retry; the last retry, or a permanent refusal, marks the message failed with the reason.
 */
export async function deliverMessage(
  ctx: AppContext,
  job: SendJob,
  meta: { retryCount: number },
): Promise<void> {
  const workspaceId = job.workspace_id;
  const message = await findMessage(ctx.db, workspaceId, job.message_id);
  if (message?.kind !== "outgoing" || message.channel !== "email") return;
  if (message.delivery_state !== "queued") return;
  await sendMessageOnce(ctx, workspaceId, message, {
    inboxId: message.inbox_id,
    retryCount: meta.retryCount,
    retryLimit: sendRetry.limit,
    showRetries: true,
    write: (inbox, continuesThread) => emailReply(ctx, workspaceId, message, inbox, continuesThread),
  });
}

/**
 * Mails one conversation message at most once, with our Message-ID, the conversation's thread and
 * a reply token, whatever its channel (a chat reply to a visitor who left goes out this way too).
 * Throws while retries remain, so the caller's job runs again.
 */
export async function sendMessageOnce(
  ctx: AppContext,
  workspaceId: string,
  message: EmailMessage,
  send: SendOnce,
): Promise<void> {
  const inbox = send.inboxId
    ? await getEmailInbox(ctx.db, workspaceId, send.inboxId).catch(() => null)
    : null;
  const host = inbox?.address.split("@")[1] ?? new URL(ctx.config.baseUrl).hostname;
  const rfcMessageId = outgoingMessageId(
    ctx.config.secret,
    { workspaceId, conversationId: message.conversation_id, messageId: message.id },
    host,
  );
  const now = ctx.now();
  const staleBefore = new Date(now.getTime() - ABANDONED_AFTER_MS);
  const streams: Readable[] = [];
  try {
    // The mail is made before the claim, so that only the hand-over to the server can leave a
    // claim in doubt; a failure before it certainly sent nothing.
    let prepared: { target: SmtpTarget | null; options: SendMailOptions; recipient: string };
    try {
      if (!inbox) throw new UndeliverableMessage("the inbox of this conversation no longer sends email");
      const { target, fromName } = await smtpTargetOf(ctx, workspaceId, inbox.id);
      const mail = await buildMail(
        ctx,
        workspaceId,
        message,
        { ...inbox, fromName },
        rfcMessageId,
        send,
        streams,
      );
      prepared = { target, options: mail.options, recipient: mail.recipient };
    } catch (error) {
      // Nothing was sent. Retry while retries remain; then claim it only to record the reason once.
      const permanent = error instanceof UndeliverableMessage;
      if (!permanent && send.retryCount < send.retryLimit) throw error;
      const reason = permanent ? error.message : describeFailure(error).reason;
      const claim = await claimDelivery(ctx.db, workspaceId, message.id, rfcMessageId, now, staleBefore);
      if (claim.outcome !== "claimed") return reconcile(ctx, workspaceId, message, send.sentFacts);
      await settleDelivery(ctx.db, workspaceId, message.id, {
        state: "failed",
        at: ctx.now(),
        error: reason,
      });
      await markMessage(ctx, workspaceId, message, "failed", reason);
      return;
    }
    const claim = await claimDelivery(ctx.db, workspaceId, message.id, rfcMessageId, now, staleBefore);
    if (claim.outcome === "final") return reconcile(ctx, workspaceId, message, send.sentFacts);
    // The development outbox can tell whether it already has this mail (it is created exclusively
    // under its Message-ID), so a claim left by a stopped sender is simply written again.
    const resumable = prepared.target === null;
    if (claim.outcome === "busy" && !resumable)
      throw new Error("another attempt is sending this message right now");
    if (claim.outcome === "abandoned" && !resumable) {
      await settleDelivery(ctx.db, workspaceId, message.id, {
        state: "failed",
        at: now,
        error: ABANDONED_REASON,
        claimedBefore: staleBefore,
      });
      return reconcile(ctx, workspaceId, message, send.sentFacts);
    }

    let sent: { mode: "smtp" | "outbox"; response: string; recipient: string };
    try {
      const result = await sendMail(prepared.target, outboxDirectory(ctx.config.dataDir), prepared.options);
      sent = { ...result, recipient: prepared.recipient };
    } catch (error) {
      const failure = describeFailure(error);
      // Attempts are counted on the claim: a first attempt made at once and its job's runs alike.
      const attempts = claim.outcome === "claimed" ? claim.attempts : send.retryCount + 1;
      const last = failure.permanent || attempts > send.retryLimit;
      await settleDelivery(ctx.db, workspaceId, message.id, {
        state: last ? "failed" : "retry",
        at: ctx.now(),
        error: failure.reason,
      });
      if (last) await markMessage(ctx, workspaceId, message, "failed", failure.reason);
      else if (send.showRetries) await markMessage(ctx, workspaceId, message, "queued", failure.reason);
      if (!last) throw error;
      ctx.log.warn({ messageId: message.id, reason: failure.reason }, "mailing a message failed");
      return;
    }
    await recordSent(ctx, workspaceId, message, rfcMessageId, sent, send.sentFacts);
  } finally {
    for (const stream of streams) stream.destroy();
  }
}

/** The server has the mail: record that first, so nothing after it can ever cause a second send. */
async function recordSent(
  ctx: AppContext,
  workspaceId: string,
  message: EmailMessage,
  rfcMessageId: string,
  sent: { mode: "smtp" | "outbox"; response: string; recipient: string },
  sentFacts: Record<string, unknown> | undefined,
): Promise<void> {
  await settleDelivery(ctx.db, workspaceId, message.id, {
    state: "sent",
    at: ctx.now(),
    transport: sent.mode,
    response: sent.response,
  });
  await rememberMessageId(ctx.db, {
    workspaceId,
    messageIdHeader: rfcMessageId,
    conversationId: message.conversation_id,
    messageId: message.id,
    direction: "outgoing",
    participants: [sent.recipient],
  });
  await reconcile(ctx, workspaceId, message, sentFacts);
}

/**
 * Copies a settled delivery onto the message. Run after each send, and again by any later run of
 * the job, so a stop between the two writes never leaves a sent reply looking queued.
 */
async function reconcile(
  ctx: AppContext,
  workspaceId: string,
  message: EmailMessage,
  sentFacts: Record<string, unknown> = {},
): Promise<void> {
  const delivery = await findDelivery(ctx.db, workspaceId, message.id);
  if (!delivery || (delivery.state !== "sent" && delivery.state !== "failed")) return;
  if (delivery.state === "failed") {
    await markMessage(ctx, workspaceId, message, "failed", delivery.last_error);
    return;
  }
  await markMessage(ctx, workspaceId, message, "sent", null, {
    ...sentFacts,
    email: {
      message_id: delivery.rfc_message_id,
      transport: delivery.transport,
      response: delivery.response,
      sent_at: delivery.finished_at,
    },
  });
}

async function markMessage(
  ctx: AppContext,
  workspaceId: string,
  message: EmailMessage,
  state: "queued" | "sent" | "failed",
  error: string | null,
  metadata?: Record<string, unknown>,
): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await setDelivery(trx, workspaceId, message.id, { state, error, metadata });
    await ctx.events.record(trx, workspaceId, [
      {
        type: "message.updated",
        data: { id: message.id, conversation_id: message.conversation_id, delivery_state: state },
      },
    ]);
  });
}

/** The mail of one attempt: the channel's words, our thread headers, reply token and attachments. */
async function buildMail(
  ctx: AppContext,
  ws: string,
  message: EmailMessage,
  inbox: SendingInbox,
  rfcMessageId: string,
  send: SendOnce,
  streams: Readable[],
) {
  const threadIds = (await threadMessageIds(ctx.db, ws, message.conversation_id)).filter(
    (id) => `<${id}>` !== rfcMessageId,
  );
  const mail = await send.write(inbox, threadIds.length > 0);
  const attachments = (await attachmentsOfMessages(ctx.db, ws, [message.id])).get(message.id) ?? [];
  const parts = [];
  for (const attachment of attachments) {
    const { stream } = await openAttachment(ctx, ws, attachment.id);
    streams.push(stream);
    parts.push({ filename: attachment.filename, contentType: attachment.content_type, content: stream });
  }
  const [local, domain] = splitAddress(inbox.address);
  const token = createReplyToken(ctx.config.secret, {
    workspaceId: ws,
    conversationId: message.conversation_id,
  });
  const options = composeMail({
    from: { name: mail.fromName, address: inbox.address },
    to: mail.to,
    subject: mail.subject,
    isReply: mail.isReply,
    messageId: rfcMessageId,
    threadIds,
    replyTo: `${local}+${token}@${domain}`,
    text: mail.text,
    html: mail.html,
    signature: mail.signature,
    attachments: parts,
    automatic: mail.automatic,
  });
  return { options, recipient: mail.to.address };
}

/** An agent's (or an automation's) reply in an email conversation, to the conversation's contact. */
async function emailReply(
  ctx: AppContext,
  ws: string,
  message: EmailMessage,
  inbox: SendingInbox,
  continuesThread: boolean,
): Promise<MessageMail> {
  const contact = await getContact(ctx.db, ws, message.contact_id);
  if (!contact.email) throw new UndeliverableMessage("the contact has no email address to send to");
  const agent = message.author_agent_id ? await getMember(ctx.db, ws, message.author_agent_id) : undefined;
  const automatic = typeof message.metadata.automatic === "string";
  const teamName = inbox.fromName ?? inbox.name;
  const settings = (inbox.settings ?? {}) as { signature?: string };
  const subjectOverride =
    typeof message.metadata.email_subject === "string" ? message.metadata.email_subject : null;
  return {
    fromName:
      agent && !automatic ? (inbox.fromName ? `${agent.name} (${inbox.fromName})` : agent.name) : teamName,
    to: { name: contact.name, address: contact.email },
    subject: subjectOverride ?? message.subject ?? "",
    isReply: subjectOverride === null && continuesThread,
    text: message.body_text,
    html: message.body_html,
    signature: automatic ? "" : (settings.signature ?? ""),
    automatic,
  };
}

function splitAddress(address: string): [string, string] {
  const at = address.lastIndexOf("@");
  return [address.slice(0, at), address.slice(at + 1)];
}
