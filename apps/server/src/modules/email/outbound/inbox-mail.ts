import { randomUUID } from "node:crypto";
import type { AppContext } from "../../../context.ts";
import { composeMail } from "./compose.ts";
import { getEmailInbox, smtpTargetOf } from "./smtp-settings.ts";
import { outboxDirectory, sendMail } from "./transport.ts";

/** A mail that belongs to no conversation: a sequence step, a broadcast, a pause link. */
export interface InboxMail {
  to: { name: string | null; address: string };
  subject: string;
  text: string;
  html: string | null;
  /** Names the kind in the Message-ID's left part ("seq", "pause"), which helps when reading logs. */
  kind: string;
  /** Headers beside ours (List-Unsubscribe, Precedence). */
  headers?: Record<string, string>;
}

/**
 * Sends one automated mail from an email inbox, under the inbox's sender name, through its SMTP
 * settings (or the outbox). Replies go to the inbox itself, where they open a conversation like
 * any customer's mail. Marked Auto-Submitted, so vacation responders stay quiet.
 */
export async function mailFromInbox(
  ctx: AppContext,
  workspaceId: string,
  inboxId: string,
  mail: InboxMail,
): Promise<{ messageId: string; response: string }> {
  const inbox = await getEmailInbox(ctx.db, workspaceId, inboxId);
  const { target, fromName } = await smtpTargetOf(ctx, workspaceId, inbox.id);
  const messageId = `<${mail.kind}.${randomUUID()}@${inbox.address.split("@")[1]}>`;
  const options = composeMail({
    from: { name: fromName ?? inbox.name, address: inbox.address },
    to: mail.to,
    subject: mail.subject,
    isReply: false,
    messageId,
    threadIds: [],
    replyTo: inbox.address,
    text: mail.text,
    html: mail.html,
    signature: "",
    attachments: [],
    automatic: false,
  });
  options.headers = {
    ...(options.headers as Record<string, string>),
    ...mail.headers,
    "Auto-Submitted": "auto-generated",
  };
  const result = await sendMail(target, outboxDirectory(ctx.config.dataDir), options);
  return { messageId, response: result.response };
}
