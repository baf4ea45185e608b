
import { workspacesWithRows } from "../../db/workspaces-with-rows.ts";
import type { AppContext } from "../../context.ts";
import type { Principal } from "../../http/principal.ts";
import type { WorkspaceEvent } from "../../events/types.ts";
import { findConversation } from "../conversations/queries.ts";
import { getConversation, listConversations } from "../conversations/service.ts";
import { findMessage } from "../email/outbound/message-store.ts";
import { suppress } from "./suppressions.ts";

/*
 * Humans interrupt automation. Any human conversation with a contact (a customer's message, an
 * agent's reply, a new chat or callback request) pauses that contact's active sequences at once,
 * with the reason. When the conversation is resolved and the contact has no other conversation
 * still going, each sequence resumes after its quiet period (the scheduler's tick does it), unless a
 * human speaks again first. Sequences an agent paused by hand stay paused until resumed by hand.
 */

const CHANNEL_WORDS: Record<string, string> = {
  email: "email",
  chat: "chat",
  callback: "callback request",
  api: "conversation",
};

/**
 * Reads a batch of conversation events and acts on them. Workspaces where no contact was ever
 * enrolled have nothing to pause or resume: their events cost one query for the whole batch.
 */
export async function onConversationEvents(ctx: AppContext, events: WorkspaceEvent[]): Promise<void> {
  const workspaces = [...new Set(events.map((event) => event.workspace_id))];
  const enrolled = await workspacesWithRows(ctx.db, "sequence_enrollments", workspaces);
  for (const event of events) await handle(ctx, event, enrolled.has(event.workspace_id));
}

async function handle(ctx: AppContext, event: WorkspaceEvent, enrolled: boolean): Promise<void> {
  const ws = event.workspace_id;
  const data = event.data;
  if (!enrolled) {
    // Bounces suppress a contact for future sequences all the same.
    if (event.type === "message.updated" && data.delivery_state === "failed" && typeof data.id === "string") {
      await noteBounce(ctx, ws, data.id);
    }
    return;
  }
  if (event.type === "conversation.created" && typeof data.id === "string") {
    const conversation = await getConversation(ctx.db, ws, data.id);
    await pauseContact(
      ctx,
      ws,
      conversation,
      `New ${CHANNEL_WORDS[conversation.channel] ?? "conversation"} #${conversation.number}`,
    );
  } else if (event.type === "message.created" && typeof data.conversation_id === "string") {
    if (data.kind !== "incoming" && data.kind !== "outgoing") return;
    // The row alone (its tags are not needed here): one query per message.
    const conversation = await findConversation(ctx.db, ws, data.conversation_id);
    if (!conversation) return;
    const who = data.kind === "incoming" ? "The customer wrote" : "An agent replied";
    await pauseContact(
      ctx,
      ws,
      conversation,
      `${who} in ${CHANNEL_WORDS[conversation.channel] ?? "conversation"} #${conversation.number}`,
    );
    if (data.kind === "outgoing" && typeof data.id === "string") await noteBounce(ctx, ws, data.id);
  } else if (
    event.type === "conversation.updated" &&
    typeof data.id === "string" &&
    data.status === "resolved"
  ) {
    await scheduleResume(ctx, ws, data.id);
  } else if (
    event.type === "message.updated" &&
    data.delivery_state === "failed" &&
    typeof data.id === "string"
  ) {
    await noteBounce(ctx, ws, data.id);
  }
}

async function pauseContact(
  ctx: AppContext,
  ws: string,
  conversation: { id: string; contact_id: string },
  reason: string,
): Promise<void> {
  const now = ctx.now();
  // Active ones pause; those already paused by a conversation follow the latest one (and wait again).
  await ctx.db
    .updateTable("sequence_enrollments")
    .set({
      state: "paused",
      pause_cause: "conversation",
      pause_reason: reason,
      paused_conversation_id: conversation.id,
      paused_at: now,
      resume_at: null,
    })
    .where("workspace_id", "=", ws)
    .where("contact_id", "=", conversation.contact_id)
    .where((eb) =>
      eb.or([
        eb("state", "=", "active"),
        eb.and([eb("state", "=", "paused"), eb("pause_cause", "=", "conversation")]),
      ]),
    )
    .execute();
}

/** Whether the contact still has a conversation that is not resolved. */
async function stillTalking(ctx: AppContext, ws: string, contactId: string): Promise<boolean> {
  const system: Principal = {
    workspaceId: ws,
    agentId: "00000000-0000-0000-0000-000000000000",
    role: "viewer",
    via: "token",
    credentialId: "sequences",
  };
  for (const status of ["open", "pending", "snoozed"] as const) {
    const page = await listConversations(ctx, system, { contact_id: contactId, status, limit: 1 });
    if (page.data.length > 0) return true;
  }
  return false;
}

async function scheduleResume(ctx: AppContext, ws: string, conversationId: string): Promise<void> {
  const conversation = await getConversation(ctx.db, ws, conversationId);
  if (await stillTalking(ctx, ws, conversation.contact_id)) return;
  const paused = await ctx.db
    .selectFrom("sequence_enrollments as e")
    .innerJoin("sequences as s", (join) =>
      join.onRef("s.workspace_id", "=", "e.workspace_id").onRef("s.id", "=", "e.sequence_id"),
    )
    .select(["e.id", "s.quiet_hours"])
    .where("e.workspace_id", "=", ws)
    .where("e.contact_id", "=", conversation.contact_id)
    .where("e.state", "=", "paused")
    .where("e.pause_cause", "=", "conversation")
    .execute();
  const now = ctx.now().getTime();
  for (const row of paused) {
    await ctx.db
      .updateTable("sequence_enrollments")
      .set({
        resume_at: new Date(now + row.quiet_hours * 3_600_000),
        pause_reason: `Conversation #${conversation.number} resolved; resumes after ${row.quiet_hours} quiet hours`,
      })
      .where("workspace_id", "=", ws)
      .where("id", "=", row.id)
      .where("state", "=", "paused")
      .execute();
  }
}

/** A reply that bounced marks the address: automation will not mail it again. */
async function noteBounce(ctx: AppContext, ws: string, messageId: string): Promise<void> {
  const message = await findMessage(ctx.db, ws, messageId);
  const bounce = message?.metadata.bounce;
  if (!message || !bounce || typeof bounce !== "object") return;
  await suppress(ctx.db, {
    workspaceId: ws,
    contactId: message.contact_id,
    reason: "bounced",
    detail: String((bounce as { reason?: unknown }).reason ?? "bounced"),
    at: ctx.now(),
  });
}
