
import { workspacesWithRows } from "../../db/workspaces-with-rows.ts";
import type { AppContext } from "../../context.ts";
import type { Principal } from "../../http/principal.ts";
import type { WorkspaceEvent } from "../../events/types.ts";
import { updateConversation } from "../conversations/conversation-update.ts";
import { getConversation } from "../conversations/service.ts";
import { findMessage } from "../email/outbound/message-store.ts";
import { founderOnDuty } from "./service.ts";

/*
 * During office hours a new chat goes to the founder on duty: it is assigned to them (as if they
 * had taken it themselves) and recorded, and their first reply marks it answered, which is what the
 * weekly presence report counts.
 */

export function startOfficeHours(ctx: AppContext): Promise<void> {
  ctx.events.consumers.define({
    name: "office-hours",
    types: ["conversation.created", "message.created"],
    handle: async (events) => {
      // Only workspaces that keep office hours route chats or count answers: one query per batch.
      const workspaces = [...new Set(events.map((event) => event.workspace_id))];
      const keeping = await workspacesWithRows(ctx.db, "office_hours", workspaces);
      for (const event of events) if (keeping.has(event.workspace_id)) await onEvent(ctx, event);
    },
  });
  return Promise.resolve();
}

async function onEvent(ctx: AppContext, event: WorkspaceEvent): Promise<void> {
  const ws = event.workspace_id;
  if (event.type === "conversation.created" && typeof event.data.id === "string") {
    await routeNewChat(ctx, ws, event.data.id);
  } else if (
    event.type === "message.created" &&
    event.data.kind === "outgoing" &&
    typeof event.data.id === "string"
  ) {
    const message = await findMessage(ctx.db, ws, event.data.id);
    if (!message?.author_agent_id) return;
    await ctx.db
      .updateTable("office_hours_chats")
      .set({ answered_at: message.created_at })
      .where("workspace_id", "=", ws)
      .where("conversation_id", "=", message.conversation_id)
      .where("agent_id", "=", message.author_agent_id)
      .where("answered_at", "is", null)
      .execute();
  }
}

async function routeNewChat(ctx: AppContext, ws: string, conversationId: string): Promise<void> {
  const conversation = await getConversation(ctx.db, ws, conversationId);
  if (conversation.channel !== "chat" || conversation.assignee_id) return;
  const founder = await founderOnDuty(ctx, ws, ctx.now());
  if (!founder) return;
  const inserted = await ctx.db
    .insertInto("office_hours_chats")
    .values({
      workspace_id: ws,
      conversation_id: conversationId,
      agent_id: founder.agentId,
      office_hours_id: founder.officeHoursId,
      routed_at: ctx.now(),
    })
    .onConflict((oc) => oc.columns(["workspace_id", "conversation_id"]).doNothing())
    .returning("conversation_id")
    .executeTakeFirst();
  if (!inserted) return;
  const asFounder: Principal = {
    workspaceId: ws,
    agentId: founder.agentId,
    role: "owner",
    via: "token",
    credentialId: "office-hours",
  };
  await updateConversation(ctx, asFounder, conversationId, { assignee_id: founder.agentId });
}
