import type { Db } from "../../db/database.ts";
import type { Principal } from "../../http/principal.ts";
import { recordAudit } from "../audit/service.ts";
import type { PendingEvent } from "./activity.ts";
import { writeActivity } from "./message-service.ts";
import { conversationColumns, updateConversationRow } from "./queries.ts";

/**
 * Puts a departing agent's working queue (open, pending and snoozed conversations) back in the
 * unassigned view, inside the caller's transaction: each conversation gets the same activity line,
 * audit entry and events as an agent unassigning it by hand. Resolved conversations keep their
 * assignee, so reports still credit who answered. Returns the events to publish after commit.
 */
export async function unassignConversationsOf(
  trx: Db,
  principal: Principal,
  actor: { id: string; name: string },
  removed: { id: string; name: string },
  now: Date,
): Promise<PendingEvent[]> {
  const workspaceId = principal.workspaceId;
  const rows = await trx
    .selectFrom("conversations")
    .select(conversationColumns)
    .where("workspace_id", "=", workspaceId)
    .where("assignee_id", "=", removed.id)
    .where("status", "in", ["open", "pending", "snoozed"])
    .orderBy("id")
    .forUpdate()
    .execute();
  const events: PendingEvent[] = [];
  for (const current of rows) {
    const row = await updateConversationRow(trx, workspaceId, current.id, {
      assignee_id: null,
      updated_at: now,
    });
    await writeActivity(
      trx,
      workspaceId,
      row,
      actor.id,
      {
        text: `${actor.name} removed ${removed.name} from the team; this is unassigned`,
        metadata: { action: "unassigned", previous_assignee_id: removed.id, reason: "member_removed" },
      },
      now,
      events,
    );
    await recordAudit(trx, principal, {
      action: "conversation.updated",
      targetType: "conversation",
      targetId: current.id,
      data: { changes: { assignee_id: [removed.id, null] }, reason: "member_removed" },
    });
    events.push(
      {
        type: "conversation.updated",
        data: { id: current.id, status: row.status, changes: ["assignee_id"] },
      },
      {
        type: "conversation.assigned",
        data: { id: current.id, assignee_id: null, previous_assignee_id: removed.id },
      },
    );
  }
  return events;
}
