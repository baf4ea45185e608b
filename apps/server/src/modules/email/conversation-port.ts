import type { Db } from "../../db/database.ts";
import type { PendingEvent } from "../conversations/activity.ts";
import { writeMessage } from "../conversations/message-service.ts";
import { previewOf } from "../conversations/metrics.ts";
import {
  type ConversationRow,
  insertConversation,
  insertMessage,
  type NewMessage,
  nextConversationNumber,
  updateConversationRow,
} from "../conversations/queries.ts";

/*
 * The writes the email channel needs from the conversations and attachments modules, in one place.
 * Most go through their exported functions; two do not exist there yet and are written here:
 * - writing a customer-side message that does not count as the customer waiting (auto-replies,
 *   bounces): changesForMessage has no such option;
 * - recording an attachment row for a file already in content-addressed storage, with its message.
 * TODO(conversations, attachments): replace these with service functions of those modules.
 */

export async function openConversation(
  trx: Db,
  workspaceId: string,
  input: { inboxId: string; contactId: string; subject: string | null; at: Date },
  events: PendingEvent[],
): Promise<ConversationRow> {
  const number = await nextConversationNumber(trx, workspaceId);
  const row = await insertConversation(trx, {
    workspace_id: workspaceId,
    number,
    inbox_id: input.inboxId,
    contact_id: input.contactId,
    channel: "email",
    subject: input.subject,
    at: input.at,
  });
  events.push({
    type: "conversation.created",
    data: { id: row.id, number, inbox_id: input.inboxId, contact_id: input.contactId },
  });
  return row;
}

/**
 * Adds a message to a locked conversation. A message that must not count as the customer waiting
 * (automatic mail) still moves the conversation's activity, count and preview, but never its
 * waiting clock, its first-customer-message time or its status.
 */
export async function writeEmailMessage(
  trx: Db,
  workspaceId: string,
  conversation: ConversationRow,
  message: NewMessage,
  options: { countsAsCustomer: boolean },
  events: PendingEvent[],
): Promise<{ messageId: string; conversation: ConversationRow }> {
  if (message.kind !== "incoming" || options.countsAsCustomer) {
    const written = await writeMessage(trx, workspaceId, conversation, message, [], events);
    events.push({
      type: "conversation.updated",
      data: { id: conversation.id, status: written.conversation.status, cause: "message" },
    });
    return { messageId: written.message.id, conversation: written.conversation };
  }
  const row = await insertMessage(trx, workspaceId, conversation.id, message);
  events.push({
    type: "message.created",
    data: { id: row.id, conversation_id: conversation.id, kind: row.kind },
  });
  const updated = await updateConversationRow(trx, workspaceId, conversation.id, {
    last_activity_at: message.at,
    updated_at: message.at,
    message_count: conversation.message_count + 1,
    preview: previewOf(message.bodyText),
  });
  events.push({
    type: "conversation.updated",
    data: { id: conversation.id, status: updated.status, cause: "message" },
  });
  return { messageId: row.id, conversation: updated };
}

export interface StoredAttachment {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
}

/** Records attachments whose bytes are already stored (attachments/storage.ts) as the message's. */
export async function recordAttachments(
  trx: Db,
  workspaceId: string,
  messageId: string,
  attachments: StoredAttachment[],
): Promise<void> {
  if (attachments.length === 0) return;
  await trx
    .insertInto("attachments")
    .values(
      attachments.map((a) => ({
        workspace_id: workspaceId,
        id: a.id,
        message_id: messageId,
        uploaded_by: null,
        filename: a.filename,
        content_type: a.contentType,
        size_bytes: a.size,
        sha256: a.sha256,
      })),
    )
    .execute();
}
