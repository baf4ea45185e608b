import type { AppContext } from "../../context.ts";
import type { Principal } from "../../http/principal.ts";
import { invalid, notFound } from "../../lib/errors.ts";
import { getInbox } from "../inboxes/service.ts";
import { readWorkspaceSettings } from "../workspaces/service.ts";
import { forwardingAddress } from "./addresses.ts";
import { asBuffer } from "./header-scan.ts";
import { smtpListenerPort } from "./jobs.ts";

/*
 * What the email module offers routes and other modules. Threading helpers for the outbound half
 * live in threading.ts (rememberMessageId), reply tokens in reply-token.ts and message-id.ts.
 */

export { rememberMessageId } from "./threading.ts";
export { recordBounce } from "./bounces.ts";
export { type BounceNotice, onBounce } from "./bounce-listeners.ts";

/** The raw source of a received message, exactly as it arrived, for download. */
export async function rawSourceOfMessage(ctx: AppContext, principal: Principal, messageId: string) {
  const row = await ctx.db
    .selectFrom("inbound_emails")
    .select(["raw", "received_at"])
    .where("workspace_id", "=", principal.workspaceId)
    .where("message_id", "=", messageId)
    .orderBy("received_at")
    .limit(1)
    .executeTakeFirst();
  if (!row) throw notFound("Raw source of this message");
  return { raw: asBuffer(row.raw), filename: `message-${messageId}.eml` };
}

/**
 * The largest inbound message a workspace takes: its own setting, never above the server's
 * SMTP_MAX_MESSAGE_BYTES (which the listener advertises through SIZE).
 */
export async function inboundMessageLimit(ctx: AppContext, workspaceId: string): Promise<number> {
  const settings = await readWorkspaceSettings(ctx.db, workspaceId);
  return Math.min(settings.email_max_message_bytes, ctx.config.smtp.maxMessageBytes);
}

/** How mail reaches an email inbox: its address, its forwarding address and the listener's settings. */
export async function inboundRouting(ctx: AppContext, principal: Principal, inboxId: string) {
  const inbox = await getInbox(ctx.db, principal.workspaceId, inboxId);
  if (inbox.channel !== "email") throw invalid("inbox", "Only email inboxes receive mail");
  const { smtp } = ctx.config;
  return {
    inbox_id: inbox.id,
    address: inbox.address,
    forwarding_address: forwardingAddress(inbox.id, smtp.domain),
    smtp: {
      enabled: smtpListenerPort(ctx) !== undefined,
      port: smtpListenerPort(ctx) ?? null,
      domain: smtp.domain,
      max_message_bytes: await inboundMessageLimit(ctx, principal.workspaceId),
      starttls: Boolean(smtp.tls),
    },
  };
}
