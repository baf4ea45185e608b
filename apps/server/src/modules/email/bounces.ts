import type { Db } from "../../db/database.ts";
import type { DeliveryReport } from "./automatic.ts";
import { setDelivery } from "./outbound/message-store.ts";
import { findKnownMessageIds } from "./queries.ts";

/**
 * Marks our outgoing messages named by a bounce as failed, with the remote server's reason, so the
 * agent sees the reply never arrived. Returns the ids of the messages it marked.
 */
export async function recordBounce(
  trx: Db,
  workspaceId: string,
  bounceMessageId: string,
  report: DeliveryReport,
): Promise<string[]> {
  if (report.action && !/fail/i.test(report.action)) return [];
  const known = await findKnownMessageIds(trx, workspaceId, report.originalMessageIds);
  const marked: string[] = [];
  for (const entry of known) {
    if (entry.direction !== "outgoing" || !entry.message_id) continue;
    await setDelivery(trx, workspaceId, entry.message_id, {
      state: "failed",
      error: report.reason,
      metadata: {
        bounce: {
          message_id: bounceMessageId,
          status: report.status,
          recipient: report.recipient,
          reason: report.reason,
        },
      },
    });
    marked.push(entry.message_id);
  }
  return marked;
}
