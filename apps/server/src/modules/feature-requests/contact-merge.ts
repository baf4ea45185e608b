import type { Db } from "../../db/database.ts";
import { reassignContactRows } from "../contacts/merge.ts";

const reassignAsks = reassignContactRows("feature_request_asks");
const reassignNotices = reassignContactRows("feature_request_notices");

/** Which of two notices for the same request and person to keep: one already sent wins. */
const noticeRank = { sent: 3, draft: 2, skipped: 1 } as const;

/**
 * Contact merge step: the duplicate's asks follow the kept contact (each ask stays its own row, so
 * the request's history and weight are unchanged). A request allows one notice per person: where
 * both contacts have one, the more advanced is kept, so nobody is told twice.
 */
export async function moveFeatureRequestContactRows(
  trx: Db,
  workspaceId: string,
  fromContactId: string,
  toContactId: string,
): Promise<void> {
  await reassignAsks(trx, workspaceId, fromContactId, toContactId);

  const notices = await trx
    .selectFrom("feature_request_notices")
    .select(["id", "request_id", "contact_id", "state", "created_at"])
    .where("workspace_id", "=", workspaceId)
    .where("contact_id", "in", [fromContactId, toContactId])
    .execute();
  const byRequest = new Map<string, typeof notices>();
  for (const n of notices) byRequest.set(n.request_id, [...(byRequest.get(n.request_id) ?? []), n]);
  const losers: string[] = [];
  for (const pair of byRequest.values()) {
    if (pair.length < 2) continue;
    const [, drop] = pair.toSorted(
      (a, b) =>
        noticeRank[b.state] - noticeRank[a.state] ||
        Number(b.contact_id === toContactId) - Number(a.contact_id === toContactId),
    );
    losers.push(drop.id);
  }
  if (losers.length > 0)
    await trx
      .deleteFrom("feature_request_notices")
      .where("workspace_id", "=", workspaceId)
      .where("id", "in", losers)
      .execute();
  await reassignNotices(trx, workspaceId, fromContactId, toContactId);
}
