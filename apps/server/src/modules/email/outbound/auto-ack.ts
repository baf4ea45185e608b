import type { AppContext } from "../../../context.ts";
import { getContact } from "../../contacts/service.ts";
import { type PendingEvent, } from "../../conversations/activity.ts";
import { writeMessage } from "../../conversations/message-service.ts";
import { lockConversation } from "../../conversations/queries.ts";
import { normalizeAddress, ownAddresses } from "../addresses.ts";
import { type EmailMessage, findMessage, opensConversation } from "./message-store.ts";
import {
  automaticSendsSince,
  findAutoAckTemplate,
  lockAutomaticAddress,
  recordAutomaticSend,
} from "./queries.ts";
import { getEmailInbox } from "./smtp-settings.ts";

export const AUTO_ACK_QUEUE = "email-auto-ack";

export interface AutoAckJob {
  workspace_id: string;
  message_id: string;
}

/** Automatic messages one address may receive per hour, whatever inbox or automation sends them. */
export const AUTOMATIC_LIMIT_PER_HOUR = 3;
const HOUR = 60 * 60 * 1000;

export const DEFAULT_AUTO_ACK = {
  subject: "Re: {{subject}}",
  body:
    "Hello {{contact_name}},\n\nThank you for writing to {{inbox_name}}. We have received your message and " +
    "will answer as soon as we can. Your reference is #{{number}}; reply to this email to add anything.\n",
};

/** Senders that are robots or lists by their address: never answered automatically. */
const ROBOT_LOCAL_PART =
  /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?|notifications?)([+._-]|$)/i;

/**
 * True when the inbound side marked the message as sent by a machine (RFC 3834 auto-reply, vacation
 * notice, list or bulk mail, delivery report). Automation must never answer such a message, or two
 * robots answer each other forever. Other modules' automations should ask this too.
 */
export function isAutomatedMessage(metadata: Record<string, unknown>): boolean {
  const email = (metadata.email ?? {}) as Record<string, unknown>;
  return [metadata, email].some((m) => m.auto_reply === true || m.bounce === true || m.automated === true);
}

/** Fills {{placeholders}} of a template; unknown ones stay as written, so a typo is visible. */
export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * The job run for each incoming email message: when the inbox has acknowledgements switched on and
 * this message opens a new conversation, queues the acknowledgement as an automatic outgoing message
 * (sent by the normal send job, with Auto-Submitted headers). Skips messages from robots, mail loops
 * back to our own addresses, and addresses that already got their hourly share of automatic mail.
 */
export async function acknowledge(ctx: AppContext, job: AutoAckJob): Promise<void> {
  const workspaceId = job.workspace_id;
  const message = await findMessage(ctx.db, workspaceId, job.message_id);
  if (message?.kind !== "incoming" || message.channel !== "email") return;
  const inbox = await getEmailInbox(ctx.db, workspaceId, message.inbox_id).catch(() => null);
  if (!inbox || (inbox.settings as { auto_ack_enabled?: boolean }).auto_ack_enabled !== true) return;
  if (isAutomatedMessage(message.metadata)) return;
  if (!(await opensConversation(ctx.db, workspaceId, message))) return;
  const contact = await getContact(ctx.db, workspaceId, message.contact_id);
  const address = normalizeAddress(contact.email);
  if (!address || ROBOT_LOCAL_PART.test(address.split("@")[0])) return;
  const own = await ownAddresses(ctx.db, workspaceId);
  if (own.inboxes.has(address) || own.agents.has(address)) return;

  const template = (await findAutoAckTemplate(ctx.db, workspaceId, inbox.id)) ?? DEFAULT_AUTO_ACK;
  const values = {
    subject: message.subject?.trim() || "your message",
    number: String(message.number),
    contact_name: contact.name?.trim() || "there",
    inbox_name: inbox.name,
  };
  const at = ctx.now();
  const events: PendingEvent[] = [];
  const queued = await ctx.events.transaction(workspaceId, events, async (trx) => {
    await lockAutomaticAddress(trx, workspaceId, address);
    const recent = await automaticSendsSince(trx, workspaceId, address, new Date(at.getTime() - HOUR));
    if (recent >= AUTOMATIC_LIMIT_PER_HOUR) return false;
    const first = await recordAutomaticSend(trx, {
      workspaceId,
      kind: "auto_ack",
      address,
      triggerMessageId: message.id,
      at,
    });
    if (!first) return false;
    const conversation = await lockConversation(trx, workspaceId, message.conversation_id);
    if (!conversation) return false;
    await writeMessage(
      trx,
      workspaceId,
      conversation,
      {
        kind: "outgoing",
        authorAgentId: null,
        authorContactId: null,
        bodyText: renderTemplate(template.body, values),
        bodyHtml: null,
        sentByHuman: false,
        deliveryState: "queued",
        metadata: {
          automatic: "auto_ack",
          email_subject: renderTemplate(template.subject, values),
          in_answer_to: message.id,
        },
        at,
      },
      [],
      events,
    );
    return true;
  });
  if (!queued) logSkipped(ctx, message, address);
}

function logSkipped(ctx: AppContext, message: EmailMessage, address: string): void {
  ctx.log.info(
    { messageId: message.id, address },
    "auto-acknowledgement skipped: hourly limit or already sent",
  );
}
