import type { Static } from "typebox";
import type { Conversation } from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { ConversationStatus } from "../../db/schema.ts";
import type { Principal } from "../../http/principal.ts";
import { decodeCursor } from "../../lib/cursor.ts";
import { invalid, notFound, Problem } from "../../lib/errors.ts";
import { keysetPage } from "../../lib/pagination.ts";
import { recordAudit } from "../audit/service.ts";
import { findOrCreateContactByEmail, getContact } from "../contacts/service.ts";
import { getInbox } from "../inboxes/service.ts";
import {
  addTagToConversation,
  conversationHasTag,
  findTagByName,
  getTag,
  removeTagFromConversation,
  resolveTag,
  type TagRef,
  conversationTagsJson,
  tagsOfConversations,
} from "../tags/service.ts";
import { type PendingEvent, } from "./activity.ts";
import { type MessageInput, messageFrom, type PresentedMessage, writeMessage } from "./message-service.ts";
import {
  type ConversationRow,
  conversationJson,
  findConversation,
  insertConversation,
  lockConversation,
  nextConversationNumber,
} from "./queries.ts";

export function presentConversation(row: ConversationRow, tags: TagRef[]) {
  const { workspace_id: _, ...rest } = row as ConversationRow & { workspace_id?: string };
  return { ...rest, number: Number(row.number), tags };
}

export type PresentedConversation = ReturnType<typeof presentConversation>;

export async function getConversation(
  db: Db,
  workspaceId: string,
  id: string,
): Promise<PresentedConversation> {
  const row = await findConversation(db, workspaceId, id);
  if (!row) throw notFound("Conversation");
  const tags = await tagsOfConversations(db, workspaceId, [id]);
  return presentConversation(row, tags.get(id) ?? []);
}

export interface ConversationFilter {
  status?: ConversationStatus;
  inbox_id?: string;
  assignee?: string;
  tag?: string;
  contact_id?: string;
  cursor?: string;
  limit?: number;
}

/** A conversation as the list sends it: presentConversation's fields, timestamps as ISO strings. */
export type ListedConversation = Static<typeof Conversation>;

/**
 * Conversations by last activity, newest first, one keyset page at a time, in one query: each filter
 * maps onto one of the conversations indexes (see the EXPLAIN test), and each row comes back already
 * rendered as the API's JSON, tags included (conversationJson).
 */
async function conversationListPage(
  ctx: AppContext,
  principal: Principal,
  filter: ConversationFilter,
): Promise<{ rows: string[]; next_cursor: string | null }> {
  const workspaceId = principal.workspaceId;
  // Checked up front, so a bad cursor is a 400 even when the filter short-cuts to an empty page.
  if (filter.cursor) decodeCursor(filter.cursor, ["date", "uuid"]);
  let query = ctx.db
    .selectFrom("conversations as c")
    .select([conversationJson(conversationTagsJson()).as("json"), "c.id"])
    .where("c.workspace_id", "=", workspaceId);
  if (filter.status) query = query.where("c.status", "=", filter.status);
  if (filter.inbox_id) query = query.where("c.inbox_id", "=", filter.inbox_id);
  if (filter.contact_id) query = query.where("c.contact_id", "=", filter.contact_id);
  if (filter.assignee === "none") {
    query = query.where("c.assignee_id", "is", null);
    // PostgreSQL does not treat "is null" like "= constant" when matching an index's order, so it would
    // not see that (workspace_id, assignee_id, status, last_activity_at, id) already returns unassigned
    // rows of one status in page order. Sorting by the (constant) assignee first makes the match
    // explicit; without it, a workspace with few unassigned conversations scans every open one.
    if (filter.status) query = query.orderBy("c.assignee_id");
  } else if (filter.assignee === "me") query = query.where("c.assignee_id", "=", principal.agentId);
  else if (filter.assignee) query = query.where("c.assignee_id", "=", filter.assignee);
  if (filter.tag) {
    const tag = await findTagByName(ctx.db, workspaceId, filter.tag);
    if (!tag) return { rows: [], next_cursor: null };
    query = query.where(conversationHasTag(tag.id));
  }
  const page = await keysetPage(query, {
    column: "c.last_activity_at",
    cursor: filter.cursor,
    limit: filter.limit ?? 25,
  });
  return { rows: page.data.map((row) => row.json), next_cursor: page.next_cursor };
}

export async function listConversations(
  ctx: AppContext,
  principal: Principal,
  filter: ConversationFilter,
): Promise<{ data: ListedConversation[]; next_cursor: string | null }> {
  const page = await conversationListPage(ctx, principal, filter);
  return { data: page.rows.map((row) => JSON.parse(row)), next_cursor: page.next_cursor };
}

/** The list's response body, serialized: the rows are JSON already, so they are joined, not re-encoded. */
export async function listConversationsBody(
  ctx: AppContext,
  principal: Principal,
  filter: ConversationFilter,
): Promise<string> {
  const page = await conversationListPage(ctx, principal, filter);
  return `{"data":[${page.rows.join(",")}],"next_cursor":${JSON.stringify(page.next_cursor)}}`;
}

export interface CreateConversationInput {
  inbox_id: string;
  subject?: string;
  contact: { id?: string; email?: string; name?: string };
  message: Omit<MessageInput, "kind"> & { kind: "incoming" | "outgoing" };
}

/** A reference in a body to something the workspace lacks is a 400 on that field (404 is for the URL). */
async function asField<T>(lookup: Promise<T>, field: string, message: string): Promise<T> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof Problem && error.status === 404) throw invalid(field, message);
    throw error;
  }
}

async function resolveContact(trx: Db, workspaceId: string, contact: CreateConversationInput["contact"]) {
  if (contact.id !== undefined) {
    if (contact.email !== undefined || contact.name !== undefined) {
      throw invalid("contact", "Give either contact.id or contact.email (with an optional name), not both");
    }
    return asField(
      getContact(trx, workspaceId, contact.id),
      "contact.id",
      "No contact with this id in this workspace",
    );
  }
  if (contact.email === undefined) throw invalid("contact.email", "Give contact.id or contact.email");
  return findOrCreateContactByEmail(trx, workspaceId, { email: contact.email, name: contact.name ?? null });
}

/**
 * Opens a conversation with its first message: incoming when the API records a customer's request,
 * outgoing when an agent reaches out first.
 */
export async function createConversation(
  ctx: AppContext,
  principal: Principal,
  input: CreateConversationInput,
  options: { at?: Date } = {},
): Promise<PresentedConversation & { first_message: PresentedMessage }> {
  const at = options.at ?? ctx.now();
  const workspaceId = principal.workspaceId;
  const events: PendingEvent[] = [];
  const { conversation, message } = await ctx.events.transaction(workspaceId, events, async (trx) => {
    const inbox = await asField(
      getInbox(trx, workspaceId, input.inbox_id),
      "inbox_id",
      "No inbox with this id in this workspace",
    );
    const contact = await resolveContact(trx, workspaceId, input.contact);
    const number = await nextConversationNumber(trx, workspaceId);
    const row = await insertConversation(trx, {
      workspace_id: workspaceId,
      number,
      inbox_id: inbox.id,
      contact_id: contact.id,
      channel: inbox.channel,
      subject: input.subject?.trim() || null,
      at,
    });
    events.push({
      type: "conversation.created",
      data: { id: row.id, number, inbox_id: inbox.id, contact_id: contact.id },
    });
    const written = await writeMessage(
      trx,
      workspaceId,
      row,
      messageFrom(principal, row, input.message, at),
      input.message.attachment_ids ?? [],
      events,
    );
    await recordAudit(trx, principal, {
      action: "conversation.created",
      targetType: "conversation",
      targetId: row.id,
      data: { number, inbox_id: inbox.id, contact_id: contact.id, first_message_kind: input.message.kind },
    });
    return written;
  });
  return { ...presentConversation(conversation, []), first_message: message };
}

/** Tags a conversation by tag name (creating the tag if needed) or tag id; tagging twice is harmless. */
export async function tagConversation(
  ctx: AppContext,
  principal: Principal,
  id: string,
  ref: { tag?: string; tag_id?: string },
): Promise<PresentedConversation> {
  const workspaceId = principal.workspaceId;
  await ctx.db.transaction().execute(async (trx) => {
    const conversation = await lockConversation(trx, workspaceId, id);
    if (!conversation) throw notFound("Conversation");
    const { tag, created } = await resolveTag(trx, workspaceId, ref);
    if (created) {
      await recordAudit(trx, principal, {
        action: "tag.created",
        targetType: "tag",
        targetId: tag.id,
        data: { name: tag.name },
      });
    }
    if (!(await addTagToConversation(trx, workspaceId, id, tag.id))) return null;
    await recordAudit(trx, principal, {
      action: "conversation.tagged",
      targetType: "conversation",
      targetId: id,
      data: { tag_id: tag.id, name: tag.name },
    });
    await ctx.events.record(trx, workspaceId, [
      { type: "conversation.updated", data: { id, changes: ["tags"], tag_added: tag.id } },
    ]);
    return tag;
  });
  return getConversation(ctx.db, workspaceId, id);
}

export async function untagConversation(
  ctx: AppContext,
  principal: Principal,
  id: string,
  tagId: string,
): Promise<void> {
  const workspaceId = principal.workspaceId;
  await ctx.db.transaction().execute(async (trx) => {
    const conversation = await lockConversation(trx, workspaceId, id);
    if (!conversation) throw notFound("Conversation");
    await getTag(trx, workspaceId, tagId);
    if (!(await removeTagFromConversation(trx, workspaceId, id, tagId))) return;
    await recordAudit(trx, principal, {
      action: "conversation.untagged",
      targetType: "conversation",
      targetId: id,
      data: { tag_id: tagId },
    });
    await ctx.events.record(trx, workspaceId, [
      { type: "conversation.updated", data: { id, changes: ["tags"], tag_removed: tagId } },
    ]);
  });
}
