import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import {
  MergeConversationBody,
  SplitMessageBody,
} from "../../../../../packages/contracts/src/conversation-tools.ts";
import { Conversation, errorResponses, IdParams } from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { Principal } from "../../http/principal.ts";
import { invalid, notFound } from "../../lib/errors.ts";
import { principalOf } from "../access/authenticate.ts";
import { recordAudit } from "../audit/service.ts";
import { addTagToConversation, tagsOfConversations } from "../tags/service.ts";
import { getMember } from "../workspaces/service.ts";
import type { Activity, PendingEvent } from "./activity.ts";
import { writeActivity } from "./message-service.ts";
import { type ConversationClock, changesForMessage } from "./metrics.ts";
import {
  type ConversationChanges,
  type ConversationRow,
  conversationColumns,
  insertConversation,
  nextConversationNumber,
  updateConversationRow,
} from "./queries.ts";
import { getConversation, type PresentedConversation } from "./service.ts";

/*
 * Merge folds one conversation of a customer into another of the same customer; split moves one
 * customer message out into a conversation of its own. Both move messages between conversations,
 * so both replay the moved-into and moved-from threads to set each conversation's clock (first
 * response, waiting since, preview, count) exactly as if the messages had arrived there; the
 * metrics module recomputes from the events that follow.
 */

const mergeActivity = {
  mergedInto: (actor: { name: string }, into: ConversationRow): Activity => ({
    text: `${actor.name} merged this into #${into.number}`,
    metadata: { action: "merged_into", conversation_id: into.id, number: Number(into.number) },
  }),
  merged: (actor: { name: string }, from: ConversationRow): Activity => ({
    text: `${actor.name} merged #${from.number} into this conversation`,
    metadata: { action: "merged", conversation_id: from.id, number: Number(from.number) },
  }),
  splitFrom: (actor: { name: string }, from: ConversationRow): Activity => ({
    text: `${actor.name} split this out of #${from.number}`,
    metadata: { action: "split_from", conversation_id: from.id, number: Number(from.number) },
  }),
  splitInto: (actor: { name: string }, into: ConversationRow): Activity => ({
    text: `${actor.name} split a message out into #${into.number}`,
    metadata: { action: "split_into", conversation_id: into.id, number: Number(into.number) },
  }),
};

async function lockPair(trx: Db, workspaceId: string, ids: string[]) {
  return trx
    .selectFrom("conversations")
    .select(conversationColumns)
    .where("workspace_id", "=", workspaceId)
    .where("id", "in", ids)
    .orderBy("id")
    .forUpdate()
    .execute();
}

/** The clock of a conversation as its messages, replayed in order, leave it. */
async function replayClock(
  trx: Db,
  workspaceId: string,
  conversation: ConversationRow,
): Promise<ConversationChanges> {
  const messages = await trx
    .selectFrom("messages")
    .select(["kind", "sent_by_human", "body_text", "created_at"])
    .where("workspace_id", "=", workspaceId)
    .where("conversation_id", "=", conversation.id)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  const clock: ConversationClock & ConversationChanges = {
    status: conversation.status,
    message_count: 0,
    first_customer_message_at: null,
    first_human_response_at: null,
    waiting_since: null,
    preview: null,
    last_activity_at: new Date(conversation.created_at),
  };
  for (const m of messages) {
    const { changes } = changesForMessage(clock, {
      kind: m.kind,
      sentByHuman: m.sent_by_human,
      bodyText: m.body_text,
      at: new Date(m.created_at),
    });
    // The status is the agents' decision, kept as it is; only the clock is replayed.
    const { status: _, snoozed_until: __, resolved_at: ___, ...clockChanges } = changes;
    Object.assign(clock, clockChanges);
  }
  const { status: _, ...changes } = clock;
  return changes as ConversationChanges;
}

async function actorOf(trx: Db, principal: Principal) {
  const row = await getMember(trx, principal.workspaceId, principal.agentId);
  return { id: principal.agentId, name: row?.name ?? "An agent" };
}

/**
 * Folds `sourceId` into `targetId`: every message and tag moves, the source is resolved with a line
 * pointing at the survivor, and the survivor is reopened when the source was still being worked.
 */
export async function mergeConversations(
  ctx: AppContext,
  principal: Principal,
  targetId: string,
  sourceId: string,
): Promise<PresentedConversation> {
  const workspaceId = principal.workspaceId;
  const now = ctx.now();
  const events: PendingEvent[] = [];
  await ctx.events.transaction(workspaceId, events, async (trx) => {
    const rows = await lockPair(trx, workspaceId, [targetId, sourceId]);
    const target = rows.find((r) => r.id === targetId);
    if (!target) throw notFound("Conversation");
    const source = rows.find((r) => r.id === sourceId);
    if (targetId === sourceId) throw invalid("source_id", "A conversation cannot be merged into itself");
    if (!source) throw invalid("source_id", "No conversation with this id in this workspace");
    if (source.contact_id !== target.contact_id) {
      throw invalid(
        "source_id",
        "Only conversations of the same customer can be merged; merge the contacts first",
      );
    }
    const actor = await actorOf(trx, principal);

    await trx
      .updateTable("messages")
      .set({ conversation_id: target.id })
      .where("workspace_id", "=", workspaceId)
      .where("conversation_id", "=", source.id)
      .execute();
    const sourceTags = (await tagsOfConversations(trx, workspaceId, [source.id])).get(source.id) ?? [];
    for (const tag of sourceTags) await addTagToConversation(trx, workspaceId, target.id, tag.id);

    const reopen = target.status === "resolved" && source.status !== "resolved";
    const targetChanges: ConversationChanges = {
      ...(await replayClock(trx, workspaceId, target)),
      updated_at: now,
      ...(reopen ? { status: "open", resolved_at: null } : {}),
      ...(target.assignee_id === null && source.assignee_id ? { assignee_id: source.assignee_id } : {}),
    };
    const merged = await updateConversationRow(trx, workspaceId, target.id, targetChanges);
    const closed = await updateConversationRow(trx, workspaceId, source.id, {
      ...(await replayClock(trx, workspaceId, source)),
      status: "resolved",
      resolved_at: source.resolved_at ?? now,
      snoozed_until: null,
      updated_at: now,
    });
    await writeActivity(trx, workspaceId, merged, actor.id, mergeActivity.merged(actor, source), now, events);
    await writeActivity(
      trx,
      workspaceId,
      closed,
      actor.id,
      mergeActivity.mergedInto(actor, target),
      now,
      events,
    );
    await recordAudit(trx, principal, {
      action: "conversation.merged",
      targetType: "conversation",
      targetId: target.id,
      data: { source_id: source.id },
    });
    events.push(
      { type: "conversation.updated", data: { id: target.id, status: merged.status, changes: ["merged"] } },
      { type: "conversation.updated", data: { id: source.id, status: "resolved", changes: ["merged_into"] } },
    );
  });
  return getConversation(ctx.db, workspaceId, targetId);
}

/** Moves one customer message out of a conversation into a new conversation of the same customer. */
export async function splitMessage(
  ctx: AppContext,
  principal: Principal,
  conversationId: string,
  input: { message_id: string; subject?: string },
): Promise<PresentedConversation> {
  const workspaceId = principal.workspaceId;
  const now = ctx.now();
  const events: PendingEvent[] = [];
  const newId = await ctx.events.transaction(workspaceId, events, async (trx) => {
    const [source] = await lockPair(trx, workspaceId, [conversationId]);
    if (!source) throw notFound("Conversation");
    const message = await trx
      .selectFrom("messages")
      .select(["id", "kind", "created_at"])
      .where("workspace_id", "=", workspaceId)
      .where("conversation_id", "=", source.id)
      .where("id", "=", input.message_id)
      .executeTakeFirst();
    if (!message) throw invalid("message_id", "No message with this id in this conversation");
    if (message.kind !== "incoming")
      throw invalid("message_id", "Only a customer's message can be split out");
    const first = await trx
      .selectFrom("messages")
      .select("id")
      .where("workspace_id", "=", workspaceId)
      .where("conversation_id", "=", source.id)
      .where("kind", "in", ["incoming", "outgoing"])
      .orderBy("created_at")
      .orderBy("id")
      .limit(1)
      .executeTakeFirstOrThrow();
    if (first.id === message.id) {
      throw invalid("message_id", "The first message is the conversation itself; split out a later one");
    }
    const actor = await actorOf(trx, principal);
    const number = await nextConversationNumber(trx, workspaceId);
    const created = await insertConversation(trx, {
      workspace_id: workspaceId,
      number,
      inbox_id: source.inbox_id,
      contact_id: source.contact_id,
      channel: source.channel,
      subject: input.subject?.trim() || source.subject,
      at: new Date(message.created_at),
    });
    await trx
      .updateTable("messages")
      .set({ conversation_id: created.id })
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", message.id)
      .execute();
    const fresh = await updateConversationRow(trx, workspaceId, created.id, {
      ...(await replayClock(trx, workspaceId, created)),
      updated_at: now,
    });
    const left = await updateConversationRow(trx, workspaceId, source.id, {
      ...(await replayClock(trx, workspaceId, source)),
      updated_at: now,
    });
    await writeActivity(
      trx,
      workspaceId,
      fresh,
      actor.id,
      mergeActivity.splitFrom(actor, source),
      now,
      events,
    );
    await writeActivity(trx, workspaceId, left, actor.id, mergeActivity.splitInto(actor, fresh), now, events);
    await recordAudit(trx, principal, {
      action: "conversation.split",
      targetType: "conversation",
      targetId: source.id,
      data: { message_id: message.id, new_conversation_id: created.id },
    });
    events.push(
      {
        type: "conversation.created",
        data: { id: created.id, number, inbox_id: source.inbox_id, contact_id: source.contact_id },
      },
      { type: "conversation.updated", data: { id: source.id, status: left.status, changes: ["split"] } },
    );
    return created.id;
  });
  return getConversation(ctx.db, workspaceId, newId);
}

/**
 * Moves every conversation of one contact to another, and the messages they wrote, inside the
 * caller's transaction (the contacts module's merge). Returns the moved conversations' ids.
 */
export async function moveContactConversations(
  trx: Db,
  workspaceId: string,
  fromContactId: string,
  toContactId: string,
): Promise<string[]> {
  const moved = await trx
    .updateTable("conversations")
    .set({ contact_id: toContactId })
    .where("workspace_id", "=", workspaceId)
    .where("contact_id", "=", fromContactId)
    .returning("id")
    .execute();
  await trx
    .updateTable("messages")
    .set({ author_contact_id: toContactId })
    .where("workspace_id", "=", workspaceId)
    .where("author_contact_id", "=", fromContactId)
    .execute();
  return moved.map((row) => row.id);
}

/**
 * The conversation that now holds a merged conversation's thread (itself when it was never merged).
 * Channels that thread replies by conversation id, such as email reply tokens, call this so a
 * customer answering an old thread lands in the survivor rather than the closed husk.
 */
export async function survivorOf(db: Db, workspaceId: string, conversationId: string): Promise<string> {
  let current = conversationId;
  // A merged conversation can be merged again; a few hops cover any real chain (and stop a loop).
  for (let hop = 0; hop < 5; hop++) {
    const pointer = await db
      .selectFrom("messages")
      .select(sql<string>`metadata->>'conversation_id'`.as("into"))
      .where("workspace_id", "=", workspaceId)
      .where("conversation_id", "=", current)
      .where("kind", "=", "activity")
      .where(sql<boolean>`metadata->>'action' = 'merged_into'`)
      .orderBy("created_at", "desc")
      .limit(1)
      .executeTakeFirst();
    if (!pointer?.into) return current;
    current = pointer.into;
  }
  return current;
}

export async function conversationMergeRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post<{ Params: { id: string }; Body: { source_id: string } }>(
    "/conversations/:id/merge",
    {
      config: { permission: "conversations:write" },
      schema: {
        tags: ["conversations"],
        summary:
          "Merge another conversation of the same customer into this one (it is resolved, its messages move)",
        params: IdParams,
        body: MergeConversationBody,
        response: { 200: Conversation, ...errorResponses },
      },
    },
    async (request) =>
      mergeConversations(ctx, principalOf(request), request.params.id, request.body.source_id),
  );

  app.post<{ Params: { id: string }; Body: { message_id: string; subject?: string } }>(
    "/conversations/:id/split",
    {
      config: { permission: "conversations:write" },
      schema: {
        tags: ["conversations"],
        summary: "Move one customer message out of this conversation into a new conversation",
        params: IdParams,
        body: SplitMessageBody,
        response: { 201: Conversation, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await splitMessage(ctx, principalOf(request), request.params.id, request.body)),
  );
}
