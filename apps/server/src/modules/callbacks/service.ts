import { type SqlBool, sql } from "kysely";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { CallbackOutcome } from "../../db/schema.ts";
import type { Principal } from "../../http/principal.ts";
import { decodeCursor, encodeCursor } from "../../lib/cursor.ts";
import { conflict, invalid, notFound, Problem } from "../../lib/errors.ts";
import { recordAudit } from "../audit/service.ts";
import { createContact, findOrCreateContactByEmail, getContact } from "../contacts/service.ts";
import { type PendingEvent, } from "../conversations/activity.ts";
import { writeMessage } from "../conversations/message-service.ts";
import {
  findConversation,
  insertConversation,
  lockConversation,
  nextConversationNumber,
} from "../conversations/queries.ts";
import { getInbox, listInboxes } from "../inboxes/service.ts";
import { type CallbackWindowInput, callbackWindow, normalizePhone } from "./request-input.ts";

/*
 * A callback request is a conversation in a callback inbox plus its call details: the number (E.164),
 * the customer's preferred window, and the attempts agents made. The first attempt is the callback's
 * answer: it is written as a human's outgoing message, so the metrics module measures the speed of
 * answer from request to first call with the same definition as every other channel.
 */

export interface NewCallback extends CallbackWindowInput {
  reason?: string;
}

const columns = [
  "conversation_id",
  "inbox_id",
  "phone",
  "time_zone",
  "window_start",
  "window_end",
  "reason",
  "state",
  "outcome",
  "attempts",
  "first_attempt_at",
  "completed_at",
  "created_at",
] as const;

type CallbackRow = Awaited<ReturnType<typeof lockCallback>> & {};

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

function present(row: NonNullable<CallbackRow>, contact: { id: string; name: string | null }) {
  return {
    conversation_id: row.conversation_id,
    inbox_id: row.inbox_id,
    contact: { id: contact.id, name: contact.name },
    phone: row.phone,
    tel_url: `tel:${row.phone}`,
    time_zone: row.time_zone,
    window_start: iso(row.window_start)!,
    window_end: iso(row.window_end)!,
    reason: row.reason,
    state: row.state,
    outcome: row.outcome,
    attempts: row.attempts,
    first_attempt_at: iso(row.first_attempt_at),
    speed_of_answer_ms:
      row.first_attempt_at === null
        ? null
        : new Date(row.first_attempt_at).getTime() - new Date(row.created_at).getTime(),
    completed_at: iso(row.completed_at),
    created_at: iso(row.created_at)!,
  };
}

export type PresentedCallback = ReturnType<typeof present>;

async function lockCallback(trx: Db, workspaceId: string, conversationId: string) {
  return trx
    .selectFrom("callback_requests")
    .select(columns)
    .where("workspace_id", "=", workspaceId)
    .where("conversation_id", "=", conversationId)
    .forUpdate()
    .executeTakeFirst();
}

/** The workspace's callback inbox that requests from the widget and the callback page go to (first by name). */
export async function callbackInboxOf(ctx: AppContext, workspaceId: string): Promise<string | null> {
  // listInboxes reads only the principal's workspace.
  const inboxes = await listInboxes(ctx, { workspaceId } as Principal);
  return inboxes.find((inbox) => inbox.channel === "callback")?.id ?? null;
}

function summary(phone: string, window: ReturnType<typeof callbackWindow>, reason: string): string {
  const format = (d: Date) =>
    new Intl.DateTimeFormat("en-GB", {
      timeZone: window.timeZone,
      weekday: "short",
      day: "numeric",
      month: "short",
      hour: "2-digit",
      minute: "2-digit",
    }).format(d);
  const lines = [
    `Please call me back at ${phone}`,
    `between ${format(window.start)} and ${format(window.end)} (${window.timeZone}).`,
  ];
  if (reason) lines.push("", reason);
  return lines.join("\n");
}

/**
 * Records a callback request: conversation, call details and the customer's request as its first
 * message, in one transaction. Input is checked before anything is written.
 */
export async function createCallback(
  ctx: AppContext,
  workspaceId: string,
  inboxId: string,
  contact: { id: string } | { name?: string | null; email?: string | null },
  input: NewCallback,
  actor: Principal | null,
): Promise<PresentedCallback> {
  const phone = normalizePhone(input.phone, input.country, input.locale);
  const now = ctx.now();
  const window = callbackWindow(input, now);
  const reason = (input.reason ?? "").trim();
  if (reason.length > 2000) throw invalid("reason", "Keep the reason under 2,000 characters");
  const events: PendingEvent[] = [];
  const result = await ctx.events.transaction(workspaceId, events, async (trx) => {
    const inbox = await getInbox(trx, workspaceId, inboxId).catch((error) => {
      if (error instanceof Problem && error.status === 404)
        throw invalid("inbox_id", "No inbox with this id in this workspace");
      throw error;
    });
    if (inbox.channel !== "callback") throw invalid("inbox_id", "Callback requests go to a callback inbox");
    const person =
      "id" in contact
        ? await getContact(trx, workspaceId, contact.id)
        : contact.email
          ? await findOrCreateContactByEmail(trx, workspaceId, {
              email: contact.email,
              name: contact.name ?? null,
            })
          : await createContact(trx, workspaceId, { name: contact.name?.trim() || undefined, phone });
    const number = await nextConversationNumber(trx, workspaceId);
    const conversation = await insertConversation(trx, {
      workspace_id: workspaceId,
      number,
      inbox_id: inbox.id,
      contact_id: person.id,
      channel: "callback",
      subject: `Call back ${phone}`,
      at: now,
    });
    events.push({
      type: "conversation.created",
      data: { id: conversation.id, number, inbox_id: inbox.id, contact_id: person.id },
    });
    const row = await trx
      .insertInto("callback_requests")
      .values({
        workspace_id: workspaceId,
        conversation_id: conversation.id,
        inbox_id: inbox.id,
        phone,
        time_zone: window.timeZone,
        window_start: window.start,
        window_end: window.end,
        reason,
        created_at: now,
      })
      .returning(columns)
      .executeTakeFirstOrThrow();
    await writeMessage(
      trx,
      workspaceId,
      conversation,
      {
        kind: "incoming",
        authorAgentId: null,
        authorContactId: person.id,
        bodyText: summary(phone, window, reason),
        bodyHtml: null,
        sentByHuman: false,
        deliveryState: null,
        metadata: { source: "callback_request", ...(actor ? { recorded_by_agent_id: actor.agentId } : {}) },
        at: now,
      },
      [],
      events,
    );
    if (actor) {
      await recordAudit(trx, actor, {
        action: "callback.requested",
        targetType: "conversation",
        targetId: conversation.id,
        data: { inbox_id: inbox.id },
      });
    }
    events.push({
      type: "callback.requested",
      data: { conversation_id: conversation.id, inbox_id: inbox.id },
    });
    return present(row, person);
  });
  return result;
}

export async function showCallback(ctx: AppContext, principal: Principal, conversationId: string) {
  const row = await ctx.db
    .selectFrom("callback_requests")
    .select(columns)
    .where("workspace_id", "=", principal.workspaceId)
    .where("conversation_id", "=", conversationId)
    .executeTakeFirst();
  if (!row) throw notFound("Callback request");
  const attempts = await ctx.db
    .selectFrom("callback_attempts")
    .select(["id", "agent_id", "outcome", "notes", "created_at"])
    .where("workspace_id", "=", principal.workspaceId)
    .where("conversation_id", "=", conversationId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  const contactId = await contactOfConversation(ctx.db, principal.workspaceId, conversationId);
  const contact = await getContact(ctx.db, principal.workspaceId, contactId);
  return {
    ...present(row, contact),
    attempt_log: attempts.map((a) => ({ ...a, created_at: iso(a.created_at)! })),
  };
}

async function contactOfConversation(db: Db, workspaceId: string, conversationId: string): Promise<string> {
  const conversation = await findConversation(db, workspaceId, conversationId);
  if (!conversation) throw notFound("Conversation");
  return conversation.contact_id;
}

export interface CallbackFilter {
  state?: "waiting" | "done";
  inbox_id?: string;
  cursor?: string;
  limit?: number;
}

/** Callback requests by due time (the start of the customer's window), earliest first. */
export async function listCallbacks(ctx: AppContext, principal: Principal, filter: CallbackFilter) {
  const limit = filter.limit ?? 25;
  let query = ctx.db
    .selectFrom("callback_requests")
    .select(columns)
    .select(
      sql<string>`to_char(window_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as("sort_key"),
    )
    .where("workspace_id", "=", principal.workspaceId)
    .where("state", "=", filter.state ?? "waiting")
    .orderBy("window_start")
    .orderBy("conversation_id")
    .limit(limit + 1);
  if (filter.inbox_id) query = query.where("inbox_id", "=", filter.inbox_id);
  if (filter.cursor) {
    const [at, id] = decodeCursor(filter.cursor, ["date", "uuid"]);
    query = query.where(sql<SqlBool>`(window_start, conversation_id) > (${at}::timestamptz, ${id}::uuid)`);
  }
  const rows = await query.execute();
  const page = rows.slice(0, limit);
  const contacts = new Map<string, { id: string; name: string | null }>();
  const data: PresentedCallback[] = [];
  for (const { sort_key: _, ...row } of page) {
    const contactId = await contactOfConversation(ctx.db, principal.workspaceId, row.conversation_id);
    let contact = contacts.get(contactId);
    if (!contact) {
      contact = await getContact(ctx.db, principal.workspaceId, contactId);
      contacts.set(contactId, contact);
    }
    data.push(present(row, contact));
  }
  const last = page.at(-1);
  return {
    data,
    next_cursor: rows.length > limit && last ? encodeCursor([last.sort_key, last.conversation_id]) : null,
  };
}

const outcomeText: Record<CallbackOutcome, string> = {
  reached: "reached the customer",
  no_answer: "no answer",
  retry_later: "asked to call again later",
};

/**
 * Records a call attempt: the attempt, the callback's state (done once the customer was reached),
 * the call as the agent's outgoing message (the answer the metrics count) and the notes as an
 * internal note — all in one transaction.
 */
export async function recordAttempt(
  ctx: AppContext,
  principal: Principal,
  conversationId: string,
  input: { outcome: CallbackOutcome; notes?: string },
) {
  const workspaceId = principal.workspaceId;
  const notes = (input.notes ?? "").trim();
  const at = ctx.now();
  const events: PendingEvent[] = [];
  await ctx.events.transaction(workspaceId, events, async (trx) => {
    const conversation = await lockConversation(trx, workspaceId, conversationId);
    if (!conversation) throw notFound("Conversation");
    const callback = await lockCallback(trx, workspaceId, conversationId);
    if (!callback) throw notFound("Callback request");
    if (callback.state === "done") throw conflict("callback_done", "This callback is already completed");
    const attempt = await trx
      .insertInto("callback_attempts")
      .values({
        workspace_id: workspaceId,
        conversation_id: conversationId,
        agent_id: principal.agentId,
        outcome: input.outcome,
        notes,
        created_at: at,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .updateTable("callback_requests")
      .set({
        attempts: callback.attempts + 1,
        first_attempt_at: callback.first_attempt_at ?? at,
        outcome: input.outcome,
        state: input.outcome === "reached" ? "done" : "waiting",
        completed_at: input.outcome === "reached" ? at : null,
      })
      .where("workspace_id", "=", workspaceId)
      .where("conversation_id", "=", conversationId)
      .execute();
    const written = await writeMessage(
      trx,
      workspaceId,
      conversation,
      {
        kind: "outgoing",
        authorAgentId: principal.agentId,
        authorContactId: null,
        bodyText: `Called ${callback.phone}: ${outcomeText[input.outcome]}.`,
        bodyHtml: null,
        sentByHuman: true,
        deliveryState: null,
        metadata: { callback_attempt_id: attempt.id, outcome: input.outcome },
        at,
      },
      [],
      events,
    );
    if (notes) {
      await writeMessage(
        trx,
        workspaceId,
        written.conversation,
        {
          kind: "note",
          authorAgentId: principal.agentId,
          authorContactId: null,
          bodyText: notes,
          bodyHtml: null,
          sentByHuman: false,
          deliveryState: null,
          metadata: { callback_attempt_id: attempt.id },
          at,
        },
        [],
        events,
      );
    }
    await recordAudit(trx, principal, {
      action: "callback.attempted",
      targetType: "conversation",
      targetId: conversationId,
      data: { outcome: input.outcome },
    });
    events.push({
      type: "conversation.updated",
      data: { id: conversationId, status: written.conversation.status, cause: "callback_attempt" },
    });
  });
  return showCallback(ctx, principal, conversationId);
}
