import type { AppContext } from "../../context.ts";
import type { WorkspaceEvent } from "../../events/types.ts";
import { escapeHtml } from "../email/display/document.ts";
import { type MessageMail, type SendingInbox, sendMessageOnce } from "../email/outbound/delivery.ts";
import { type EmailMessage, findMessage } from "../email/outbound/message-store.ts";
import { SEND_DEADLINE_MS } from "../email/outbound/transport.ts";
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

const RETRY_LIMIT = 8;

interface OfflineEmailJob {
  workspace_id: string;
  message_id: string;
}

export function defineWidgetJobs(ctx: AppContext): void {
  ctx.jobs.define<OfflineEmailJob>(
    OFFLINE_EMAIL_QUEUE,
    {
      retryLimit: RETRY_LIMIT,
      retryDelay: 60,
      retryBackoff: true,
      expireInSeconds: Math.ceil((2 * SEND_DEADLINE_MS) / 1000),
    },
    (data, meta) => emailUnreadReply(ctx, data, meta),
  );
}

/** Listens durably for agents' chat replies to visitors who left an email. */
export async function startWidget(ctx: AppContext): Promise<void> {
  ctx.events.consumers.define({
    name: "widget-offline-email",
    types: ["message.created"],
    handle: async (events) => {
      for (const event of events) await onMessageCreated(ctx, event);
    },
  });
}

async function onMessageCreated(ctx: AppContext, event: WorkspaceEvent): Promise<void> {
  if (event.data.kind !== "outgoing") return;
  // Only chat replies can wait unread in a widget (events that do not say their channel are looked up).
  if (typeof event.data.channel === "string" && event.data.channel !== "chat") return;
  const id = event.data.id;
  const conversationId = event.data.conversation_id;
  if (typeof id !== "string" || typeof conversationId !== "string") return;
  const visitor = await visitorOfConversation(ctx.db, event.workspace_id, conversationId);
  if (!visitor?.email) return;
  await ctx.jobs.send<OfflineEmailJob>(
    OFFLINE_EMAIL_QUEUE,
    { workspace_id: event.workspace_id, message_id: id },
    { singletonKey: id, startAfter: offlineEmail.graceSeconds },
  );
}

/**
 * The job: mails one agent reply unless the visitor read it in the meantime. Sent at most once,
 * through the email channel's send-once delivery of conversation messages.
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
  const email = visitor?.email;
  if (!email) return;
  if (visitor.read_at && new Date(visitor.read_at) >= new Date(message.created_at)) return;
  // The workspace's oldest email inbox carries chat replies by email; without one the reply waits.
  const inboxId = (await oldestEmailInbox(ctx.db, workspaceId))?.id;
  if (!inboxId) {
    ctx.log.info({ messageId: message.id }, "widget: no email inbox to continue an offline chat from");
    return;
  }
  await sendMessageOnce(ctx, workspaceId, message, {
    inboxId,
    retryCount: meta.retryCount,
    retryLimit: RETRY_LIMIT,
    // The reply was delivered in the chat; only a mail that finally failed is worth showing.
    showRetries: false,
    sentFacts: { emailed_to: email },
    write: (inbox, continuesThread) =>
      offlineReply(
        ctx,
        workspaceId,
        message,
        { address: email, language: visitor.language },
        inbox,
        continuesThread,
      ),
  });
}

/** The agent's words, framed in the visitor's language, from the agent and the team. */
async function offlineReply(
  ctx: AppContext,
  ws: string,
  message: EmailMessage,
  to: { address: string; language: string | null },
  inbox: SendingInbox,
  continuesThread: boolean,
): Promise<MessageMail> {
  const chatInbox = await getInbox(ctx.db, ws, message.inbox_id);
  const agent = message.author_agent_id ? await getMember(ctx.db, ws, message.author_agent_id) : undefined;
  const team = inbox.fromName ?? inbox.name;
  const settings = (inbox.settings ?? {}) as { signature?: string };
  const words = mailWordsFor(to.language);
  const intro = fillWords(words.intro, { agent: agent?.name.split(/\s+/)[0] || team });
  return {
    fromName: agent ? `${agent.name} (${team})` : team,
    to: { name: null, address: to.address },
    subject: fillWords(words.subject, { inbox: chatInbox.name, number: String(message.number) }),
    isReply: continuesThread,
    text: `${intro}\n\n${message.body_text.replace(/\s+$/, "")}\n\n${words.footer}`,
    html: message.body_html?.trim()
      ? `<p>${escapeHtml(intro)}</p>${message.body_html}<p style="color:#6b7280">${escapeHtml(words.footer)}</p>`
      : null,
    signature: settings.signature ?? "",
    automatic: false,
  };
}
