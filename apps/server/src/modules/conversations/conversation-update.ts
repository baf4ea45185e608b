import type { AppContext } from "../../context.ts";
import type { ConversationStatus, Priority } from "../../db/schema.ts";
import type { Principal } from "../../http/principal.ts";
import { invalid, notFound } from "../../lib/errors.ts";
import { recordAudit } from "../audit/service.ts";
import { getMember } from "../workspaces/service.ts";
import type { ConversationChange } from "../../events/types.ts";
import { type Activity, activities, type PendingEvent, } from "./activity.ts";
import { writeActivity } from "./message-service.ts";
import {
  type ConversationChanges,
  type ConversationRow,
  lockConversation,
  updateConversationRow,
} from "./queries.ts";
import { getConversation, type PresentedConversation } from "./service.ts";
import { scheduleWakeUp } from "./snooze.ts";

export interface ConversationPatch {
  status?: ConversationStatus;
  snoozed_until?: string;
  assignee_id?: string | null;
  priority?: Priority;
  subject?: string;
}

type Actor = { id: string; name: string };

/**
 * Changes a conversation's status, assignee, priority or subject. Each real change writes an activity
 * line and an audit entry in the same transaction, and publishes events once committed; a request that
 * changes nothing writes nothing.
 */
export async function updateConversation(
  ctx: AppContext,
  principal: Principal,
  id: string,
  input: ConversationPatch,
  options: { at?: Date } = {},
): Promise<PresentedConversation> {
  const now = options.at ?? ctx.now();
  const workspaceId = principal.workspaceId;
  const events: PendingEvent[] = [];
  await ctx.events.transaction(workspaceId, events, async (trx) => {
    const current = await lockConversation(trx, workspaceId, id);
    if (!current) throw notFound("Conversation");
    const actorRow = await getMember(trx, workspaceId, principal.agentId);
    const actor: Actor = { id: principal.agentId, name: actorRow?.name ?? "An agent" };
    const changes: ConversationChanges = {};
    const lines: Activity[] = [];
    const diff: Record<string, [unknown, unknown]> = {};
    let wakeAt: Date | null = null;

    if (input.assignee_id !== undefined && input.assignee_id !== current.assignee_id) {
      if (input.assignee_id === null) {
        lines.push(activities.unassigned(actor, current.assignee_id));
      } else {
        const assignee = await getMember(trx, workspaceId, input.assignee_id);
        if (!assignee || assignee.role === "viewer") {
          throw invalid("assignee_id", "Assign to a member of this workspace who may answer (not a viewer)");
        }
        lines.push(activities.assigned(actor, assignee));
      }
      changes.assignee_id = input.assignee_id;
      diff.assignee_id = [current.assignee_id, input.assignee_id];
    }

    const status = statusChange(current, input, now);
    if (status) {
      Object.assign(changes, status.changes);
      lines.push(status.line(actor));
      diff.status = [current.status, status.changes.status];
      if (status.changes.status === "snoozed") {
        wakeAt = status.changes.snoozed_until as Date;
        diff.snoozed_until = [current.snoozed_until, wakeAt.toISOString()];
      }
    }

    if (input.priority !== undefined && input.priority !== current.priority) {
      changes.priority = input.priority;
      lines.push(activities.priority(actor, input.priority));
      diff.priority = [current.priority, input.priority];
    }

    const subject = input.subject?.trim();
    if (subject !== undefined && subject !== (current.subject ?? "")) {
      changes.subject = subject || null;
      lines.push(activities.subject(actor, subject));
      diff.subject = [current.subject, subject || null];
    }

    if (lines.length === 0) return;
    const updated = await updateConversationRow(trx, workspaceId, id, { ...changes, updated_at: now });
    for (const line of lines) await writeActivity(trx, workspaceId, updated, actor.id, line, now, events);
    if (wakeAt) {
      await scheduleWakeUp(ctx, trx, {
        workspace_id: workspaceId,
        conversation_id: id,
        until: wakeAt.toISOString(),
      });
    }
    await recordAudit(trx, principal, {
      action: "conversation.updated",
      targetType: "conversation",
      targetId: id,
      data: { changes: diff },
    });
    events.push({
      type: "conversation.updated",
      data: { id, status: updated.status, changes: Object.keys(diff) as ConversationChange[] },
    });
    if ("assignee_id" in diff) {
      events.push({
        type: "conversation.assigned",
        data: { id, assignee_id: updated.assignee_id, previous_assignee_id: current.assignee_id },
      });
    }
  });
  return getConversation(ctx.db, workspaceId, id);
}

/**
 * The status part of a change. snoozed_until belongs to snoozing: it is required (and must be in the
 * future) when snoozing, may move the wake-up of a conversation that is snoozed already, and is refused
 * with any other status. Leaving "snoozed" forgets the wake-up time; leaving "resolved" the resolve time.
 */
export function statusChange(
  current: ConversationRow,
  input: ConversationPatch,
  now: Date,
): { changes: ConversationChanges; line: (actor: Actor) => Activity } | null {
  const target = input.status ?? current.status;
  if (input.snoozed_until !== undefined && target !== "snoozed") {
    throw invalid("snoozed_until", 'snoozed_until goes with status "snoozed" only');
  }
  if (target === "snoozed" && (input.status === "snoozed" || input.snoozed_until !== undefined)) {
    if (input.snoozed_until === undefined) {
      throw invalid("snoozed_until", "Say until when to snooze (snoozed_until, in the future)");
    }
    const until = new Date(input.snoozed_until);
    if (!(until.getTime() > now.getTime())) {
      throw invalid("snoozed_until", "snoozed_until must be in the future");
    }
    const same =
      current.status === "snoozed" &&
      current.snoozed_until !== null &&
      new Date(current.snoozed_until).getTime() === until.getTime();
    if (same) return null;
    return {
      changes: { status: "snoozed", snoozed_until: until, resolved_at: null },
      line: (actor) => activities.snoozed(actor, until),
    };
  }
  if (input.status === undefined || input.status === current.status) return null;
  const changes: ConversationChanges = { status: input.status, snoozed_until: null };
  if (input.status === "resolved") {
    return { changes: { ...changes, resolved_at: now }, line: (actor) => activities.resolved(actor) };
  }
  changes.resolved_at = null;
  if (input.status === "pending") return { changes, line: (actor) => activities.markedPending(actor) };
  const wasClosed = current.status === "resolved" || current.status === "snoozed";
  return {
    changes,
    line: (actor) => (wasClosed ? activities.reopened(actor) : activities.markedOpen(actor)),
  };
}
