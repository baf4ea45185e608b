import type { Db } from "../../db/database.ts";
import type { Principal } from "../../http/principal.ts";

export interface AuditEntry {
  action: string;
  targetType?: string;
  targetId?: string;
  data?: Record<string, unknown>;
  ip?: string;
}

/** Records who did what; call it inside the same transaction as the change it describes. */
export async function recordAudit(
  db: Db,
  principal: Pick<Principal, "workspaceId" | "agentId" | "via">,
  entry: AuditEntry,
): Promise<void> {
  await db
    .insertInto("audit_log")
    .values({
      workspace_id: principal.workspaceId,
      actor_agent_id: principal.agentId,
      actor_kind: principal.via === "token" ? "api_token" : "agent",
      action: entry.action,
      target_type: entry.targetType ?? null,
      target_id: entry.targetId ?? null,
      data: JSON.stringify(entry.data ?? {}),
      ip: entry.ip ?? null,
    })
    .execute();
}
