import type { FastifyInstance } from "fastify";
import type { Static } from "typebox";
import {
  BulkUpdateBody,
  BulkUpdateResult,
} from "../../../../../packages/contracts/src/conversation-tools.ts";
import { errorResponses } from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { Principal } from "../../http/principal.ts";
import { invalid } from "../../lib/errors.ts";
import { recordAudit } from "../audit/service.ts";
import { principalOf } from "../access/authenticate.ts";
import { addTagToConversation, resolveTag } from "../tags/service.ts";
import { getMember } from "../workspaces/service.ts";
import type { ConversationChange } from "../../events/types.ts";
import { type Activity, activities, type PendingEvent, } from "./activity.ts";
import { statusChange } from "./conversation-update.ts";
import { writeActivity } from "./message-service.ts";
import { type ConversationChanges, conversationColumns, updateConversationRow } from "./queries.ts";

export type BulkUpdate = Static<typeof BulkUpdateBody>;

/**
 * Assigns, tags or changes the status of many conversations at once, all or nothing: one
 * transaction locks every conversation (in id order, so two bulk changes cannot deadlock), each
 * real change writes the same activity line, audit entry and events as a single change would, and
 * conversations already in the asked state are left untouched.
 */
export async function bulkUpdate(ctx: AppContext, principal: Principal, input: BulkUpdate) {
  if (input.assignee_id === undefined && input.status === undefined && !input.add_tags?.length) {
    throw invalid("conversation_ids", "Say what to change: assignee_id, status or add_tags");
  }
  const workspaceId = principal.workspaceId;
  const now = ctx.now();
  const events: PendingEvent[] = [];
  const updated = await ctx.events.transaction(workspaceId, events, async (trx) => {
    const rows = await lockAll(trx, workspaceId, input.conversation_ids);
    if (rows.length !== input.conversation_ids.length) {
      throw invalid("conversation_ids", "Some of these conversations are not in this workspace");
    }
    const actorRow = await getMember(trx, workspaceId, principal.agentId);
    const actor = { id: principal.agentId, name: actorRow?.name ?? "An agent" };
    let assignee: { id: string; name: string } | null = null;
    if (input.assignee_id) {
      const member = await getMember(trx, workspaceId, input.assignee_id);
      if (!member || member.role === "viewer") {
        throw invalid("assignee_id", "Assign to a member of this workspace who may answer (not a viewer)");
      }
      assignee = member;
    }
    const tags = [];
    for (const name of input.add_tags ?? []) {
      const { tag, created } = await resolveTag(trx, workspaceId, { tag: name });
      if (created) {
        await recordAudit(trx, principal, {
          action: "tag.created",
          targetType: "tag",
          targetId: tag.id,
          data: { name: tag.name },
        });
      }
      tags.push(tag);
    }

    const changed: string[] = [];
    for (const current of rows) {
      const changes: ConversationChanges = {};
      const lines: Activity[] = [];
      const diff: Record<string, [unknown, unknown]> = {};
      if (input.assignee_id !== undefined && input.assignee_id !== current.assignee_id) {
        lines.push(
          assignee ? activities.assigned(actor, assignee) : activities.unassigned(actor, current.assignee_id),
        );
        changes.assignee_id = input.assignee_id;
        diff.assignee_id = [current.assignee_id, input.assignee_id];
      }
      const status = input.status ? statusChange(current, { status: input.status }, now) : null;
      if (status) {
        Object.assign(changes, status.changes);
        lines.push(status.line(actor));
        diff.status = [current.status, status.changes.status];
      }
      const added = [];
      for (const tag of tags)
        if (await addTagToConversation(trx, workspaceId, current.id, tag.id)) added.push(tag);
      if (lines.length === 0 && added.length === 0) continue;

      const row =
        lines.length > 0
          ? await updateConversationRow(trx, workspaceId, current.id, { ...changes, updated_at: now })
          : current;
      for (const line of lines) await writeActivity(trx, workspaceId, row, actor.id, line, now, events);
      if (added.length > 0) diff.tags = [null, added.map((t) => t.name)];
      await recordAudit(trx, principal, {
        action: "conversation.updated",
        targetType: "conversation",
        targetId: current.id,
        data: { changes: diff, bulk: true },
      });
      events.push({
        type: "conversation.updated",
        data: { id: current.id, status: row.status, changes: Object.keys(diff) as ConversationChange[] },
      });
      if ("assignee_id" in diff) {
        events.push({
          type: "conversation.assigned",
          data: { id: current.id, assignee_id: row.assignee_id, previous_assignee_id: current.assignee_id },
        });
      }
      changed.push(current.id);
    }
    return changed;
  });
  return { updated };
}

async function lockAll(trx: Db, workspaceId: string, ids: string[]) {
  return trx
    .selectFrom("conversations")
    .select(conversationColumns)
    .where("workspace_id", "=", workspaceId)
    .where("id", "in", ids)
    .orderBy("id")
    .forUpdate()
    .execute();
}

export async function conversationBulkRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post<{ Body: BulkUpdate }>(
    "/conversations/bulk",
    {
      config: { permission: "conversations:write" },
      schema: {
        tags: ["conversations"],
        summary: "Assign, tag or change the status of up to 500 conversations at once (all or nothing)",
        body: BulkUpdateBody,
        response: { 200: BulkUpdateResult, ...errorResponses },
      },
    },
    async (request) => bulkUpdate(ctx, principalOf(request), request.body),
  );
}
