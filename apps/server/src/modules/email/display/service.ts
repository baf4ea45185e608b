import type { AppContext } from "../../../context.ts";
import { can } from "../../../http/permissions.ts";
import type { Principal } from "../../../http/principal.ts";
import { attachmentsOfMessages } from "../../attachments/service.ts";
import { getMessage, mergeMessageMetadata } from "../outbound/message-store.ts";
import { attachmentUrlPrefix, documentHeaders, emailDocument, plainTextBody } from "./document.ts";
import { foldQuotedHtml } from "./fold-quoted-html.ts";
import { sanitizeEmailHtml } from "./sanitize.ts";

export interface RenderedMessage {
  html: string;
  headers: Record<string, string>;
}

/**
 * A message's body as a standalone, sanitized HTML document for the agent app's sandboxed frame.
 * Remote images stay blocked until an agent allows them for this message; that choice is kept in
 * the message's metadata (remote_images_allowed) so the next view shows them too.
 */
export async function renderMessageHtml(
  ctx: AppContext,
  principal: Principal,
  messageId: string,
  options: { allowImages: boolean; origin: string },
): Promise<RenderedMessage> {
  const workspaceId = principal.workspaceId;
  const message = await getMessage(ctx.db, workspaceId, messageId);
  const remembered = typeof message.metadata.remote_images_allowed === "object";
  // Viewers may look with images for themselves; only those who may change conversations record it.
  if (options.allowImages && !remembered && can(principal.role, "conversations:write")) {
    await mergeMessageMetadata(ctx.db, workspaceId, message.id, {
      remote_images_allowed: { by: principal.agentId, at: ctx.now().toISOString() },
    });
  }
  const allowRemoteImages = options.allowImages || remembered;

  const attachments = (await attachmentsOfMessages(ctx.db, workspaceId, [message.id])).get(message.id) ?? [];
  const prefix = attachmentUrlPrefix(options.origin);
  const ownIds = new Set(attachments.map((a) => a.id));

  let body: string;
  let blocked = 0;
  if (message.body_html?.trim()) {
    // The quoted thread is folded first; the sanitizer then sees the whole result.
    const sanitized = sanitizeEmailHtml(foldQuotedHtml(message.body_html).html, {
      allowRemoteImages,
      // Inline parts the inbound side could match are already rewritten; any cid: left has no part.
      resolveCid: () => null,
      ownAttachmentUrl: (url) => {
        const id = /^(?:https?:\/\/[^/]+)?\/api\/v1\/attachments\/([0-9a-f-]{36})$/i
          .exec(url)?.[1]
          ?.toLowerCase();
        return id && ownIds.has(id) ? `${prefix}${id}` : null;
      },
    });
    body = sanitized.html;
    blocked = sanitized.blockedImages;
  } else {
    body = plainTextBody(message.body_text);
  }
  return {
    html: emailDocument(body),
    headers: {
      ...documentHeaders(options.origin, allowRemoteImages),
      // Lets the app offer "load images" only when there is something to load.
      "x-remote-images-blocked": String(blocked),
    },
  };
}
