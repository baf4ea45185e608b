import type { Readable } from "node:stream";
import type { AppContext } from "../../context.ts";
import type { WorkspaceEvent } from "../../realtime/event-bus.ts";
import { attachmentsOfMessages, openAttachment } from "../attachments/service.ts";
import { escapeHtml } from "../email/display/document.ts";
import { outgoingMessageId } from "../email/message-id.ts";
import { composeMail } from "../email/outbound/compose.ts";
import { type EmailMessage, findMessage, setDelivery } from "../email/outbound/message-store.ts";
import { claimDelivery, findDelivery, settleDelivery, threadMessageIds } from "../email/outbound/queries.ts";
import { getEmailInbox, smtpTargetOf } from "../email/outbound/smtp-settings.ts";
import { describeFailure, outboxDirectory, SEND_DEADLINE_MS, sendMail } from "../email/outbound/transport.ts";
import { createReplyToken } from "../email/reply-token.ts";
import { rememberMessageId } from "../email/threading.ts";
import { getInbox, oldestEmailInbox } from "../inboxes/service.ts";
import { getMember } from "../workspaces/service.ts";
import { fillWords, mailWordsFor } from "./mail-words.ts";
import { visitorOfConversation } from "./visitors.ts";

/*
 * A chat continues by email when the visitor is gone: an agent's reply that the visitor has not read
 * after a short grace period is mailed to the address they left (or their verified identity's),
 * through the workspace's email inbox, with our Message-ID and reply token like every other reply.
 * Their answer reaches that inbox, and the email channel's threading puts it into the same chat
 * conversation (the token names the conversation, whatever its channel).
 */

export const OFFLINE_EMAIL_QUEUE = "widget-offline-email";

/** How long a reply waits for the visitor to read it in the widget. Tests set it to 0. */
export const offlineEmail = { graceSeconds: 60 };

interface OfflineEmailJob {
  workspace_id: string;
  message_id: string;
}

export function defineWidgetJobs(ctx: AppContext): void {
  ctx.jobs.define<OfflineEmailJob>(
    OFFLINE_EMAIL_QUEUE,
    {
      retryLimit: 8,
      retryDelay: 60,
      retryBackoff: true,
      expireInSeconds: Math.ceil((2 * SEND_DEADLINE_MS) / 1000),
    },
    (data, meta) => emailUnreadReply(ctx, data, meta),
  );
}

/** Listens (on the instance that wrote the reply) for agents' chat replies to visitors with an email. */
export async function startWidget(ctx: AppContext): Promise<void> {
  ctx.events.addSink((event) => onEvent(ctx, event));
}

async function onEvent(ctx: AppContext, event: WorkspaceEvent): Promise<void> {
  if (event.type !== "message.created" || event.data.kind !== "outgoing") return;
  const id = event.data.id;
  const conversationId = event.data.conversation_id;
  if (typeof id !== "string" || typeof conversationId !== "string") return;
  try {
    const visitor = await visitorOfConversation(ctx.db, event.workspace_id, conversationId);
    if (!visitor?.email) return;
    await ctx.jobs.send<OfflineEmailJob>(
      OFFLINE_EMAIL_QUEUE,
      { workspace_id: event.workspace_id, message_id: id },
      { singletonKey: id, startAfter: offlineEmail.graceSeconds },
    );
  } catch (error) {
    ctx.log.error({ err: error, messageId: id }, "widget: could not schedule the offline email");
  }
}

/**
 * The job: mails one agent reply unless the visitor read it in the meantime. Sent at most once,
 * through the email channel's send-once claim on the message.
 */
export async function emailUnreadReply(
  ctx: AppContext,
  job: OfflineEmailJob,
  meta: { retryCount: number },
): Promise<void> {
  const workspaceId = job.workspace_id;
  const message = await findMessage(ctx.db, workspaceId, job.message_id);
  if (message?.kind !== "outgoing" || message.channel !== "chat" || !message.author_agent_id) return;
  const visitor = await visitorOfConversation(ctx.db, workspaceId, message.conversation_id);
  if (!visitor?.email) return;
  if (visitor.read_at && new Date(visitor.read_at) >= new Date(message.created_at)) return;
  // The workspace's oldest email inbox carries chat replies by email; without one the reply waits.
  const inboxId = (await oldestEmailInbox(ctx.db, workspaceId))?.id;
  if (!inboxId) {
    ctx.log.info({ messageId: message.id }, "widget: no email inbox to continue an offline chat from");
    return;
  }
  const inbox = await getEmailInbox(ctx.db, workspaceId, inboxId);
  const host = inbox.address.split("@")[1];
  const rfcMessageId = outgoingMessageId(
    ctx.config.secret,
    { workspaceId, conversationId: message.conversation_id, messageId: message.id },
    host,
  );
  const now = ctx.now();
  const staleBefore = new Date(now.getTime() - 2 * SEND_DEADLINE_MS - 60_000);
  const claim = await claimDelivery(ctx.db, workspaceId, message.id, rfcMessageId, now, staleBefore);
  if (claim.outcome === "final") return;
  if (claim.outcome === "busy") throw new Error("another attempt is mailing this chat reply right now");
  if (claim.outcome === "abandoned") {
    // Whether the abandoned attempt reached the server is unknown; never risk a second copy.
    await settleDelivery(ctx.db, workspaceId, message.id, {
      state: "failed",
      at: now,
      error: "stopped while sending",
      claimedBefore: staleBefore,
    });
    return;
  }

  const streams: Readable[] = [];
  let sent: { mode: "smtp" | "outbox"; response: string };
  try {
    const { target, fromName } = await smtpTargetOf(ctx, workspaceId, inbox.id);
    const mail = await buildMail(
      ctx,
      workspaceId,
      message,
      { address: visitor.email, language: visitor.language },
      { ...inbox, fromName },
      rfcMessageId,
      streams,
    );
    sent = await sendMail(target, outboxDirectory(ctx.config.dataDir), mail);
  } catch (error) {
    const failure = describeFailure(error);
    const last = failure.permanent || meta.retryCount >= 8;
    await settleDelivery(ctx.db, workspaceId, message.id, {
      state: last ? "failed" : "retry",
      at: ctx.now(),
      error: failure.reason,
    });
    if (last) {
      await markMessage(ctx, workspaceId, message, "failed", failure.reason, {});
      return;
    }
    throw error;
  } finally {
    for (const stream of streams) stream.destroy();
  }

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
    participants: [visitor.email],
  });
  const delivery = await findDelivery(ctx.db, workspaceId, message.id);
  await markMessage(ctx, workspaceId, message, "sent", null, {
    emailed_to: visitor.email,
    email: { message_id: rfcMessageId, transport: sent.mode, sent_at: delivery?.finished_at ?? null },
  });
}

/** The agent sees that the reply went out by email (or why it could not). */
async function markMessage(
  ctx: AppContext,
  workspaceId: string,
  message: EmailMessage,
  state: "sent" | "failed",
  error: string | null,
  metadata: Record<string, unknown>,
): Promise<void> {
  await setDelivery(ctx.db, workspaceId, message.id, { state, error, metadata });
  await ctx.events.publish(workspaceId, "message.updated", {
    id: message.id,
    conversation_id: message.conversation_id,
    delivery_state: state,
  });
}

async function buildMail(
  ctx: AppContext,
  ws: string,
  message: EmailMessage,
  to: { address: string; language: string | null },
  inbox: { address: string; name: string; fromName: string | null; settings: unknown },
  rfcMessageId: string,
  streams: Readable[],
) {
  const chatInbox = await getInbox(ctx.db, ws, message.inbox_id);
  const agent = message.author_agent_id ? await getMember(ctx.db, ws, message.author_agent_id) : undefined;
  const team = inbox.fromName ?? inbox.name;
  const threadIds = (await threadMessageIds(ctx.db, ws, message.conversation_id)).filter(
    (id) => `<${id}>` !== rfcMessageId,
  );
  const attachments = (await attachmentsOfMessages(ctx.db, ws, [message.id])).get(message.id) ?? [];
  const parts = [];
  for (const attachment of attachments) {
    const { stream } = await openAttachment(ctx, ws, attachment.id);
    streams.push(stream);
    parts.push({ filename: attachment.filename, contentType: attachment.content_type, content: stream });
  }
  const at = inbox.address.lastIndexOf("@");
  const token = createReplyToken(ctx.config.secret, {
    workspaceId: ws,
    conversationId: message.conversation_id,
  });
  const settings = (inbox.settings ?? {}) as { signature?: string };
  // The mail speaks the visitor's language around the agent's own words.
  const words = mailWordsFor(to.language);
  const intro = fillWords(words.intro, { agent: agent?.name.split(/\s+/)[0] || team });
  return composeMail({
    from: { name: agent ? `${agent.name} (${team})` : team, address: inbox.address },
    to: { name: null, address: to.address },
    subject: fillWords(words.subject, { inbox: chatInbox.name, number: String(message.number) }),
    isReply: threadIds.length > 0,
    messageId: rfcMessageId,
    threadIds,
    replyTo: `${inbox.address.slice(0, at)}+${token}@${inbox.address.slice(at + 1)}`,
    text: `${intro}\n\n${message.body_text.replace(/\s+$/, "")}\n\n${words.footer}`,
    html: message.body_html?.trim()
      ? `<p>${escapeHtml(intro)}</p>${message.body_html}<p style="color:#6b7280">${escapeHtml(words.footer)}</p>`
      : null,
    signature: settings.signature ?? "",
    attachments: parts,
    automatic: false,
  });
}
