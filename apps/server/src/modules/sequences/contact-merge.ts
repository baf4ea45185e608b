import { sql } from "kysely";
import type { Db } from "../../db/database.ts";
import type { EnrollmentState } from "../../db/schema.ts";
import { reassignContactRows } from "../contacts/merge.ts";

const reassignSends = reassignContactRows("sequence_sends");

/*
 * Contact merge step for lifecycle email: the duplicate's enrollments, send history, entry events
 * and suppression move to the kept contact. A person is enrolled in a sequence at most once, and
 * has at most one suppression, so where both contacts hold one the step keeps the row that protects
 * the customer most: an unsubscribe beats everything, a finished run beats a running one (the steps
 * are not sent again), and among equals the one further along.
 */

/** Higher wins when both contacts are enrolled in the same sequence. */
const enrollmentRank: Record<EnrollmentState, number> = {
  unsubscribed: 5,
  stopped: 4,
  completed: 3,
  paused: 2,
  active: 1,
};

export async function moveSequenceContactRows(
  trx: Db,
  workspaceId: string,
  fromContactId: string,
  toContactId: string,
): Promise<void> {
  await mergeEnrollments(trx, workspaceId, fromContactId, toContactId);
  await reassignSends(trx, workspaceId, fromContactId, toContactId);
  await mergeSuppression(trx, workspaceId, fromContactId, toContactId);
  await mergeContactEvents(trx, workspaceId, fromContactId, toContactId);
}

async function mergeEnrollments(trx: Db, workspaceId: string, fromId: string, toId: string) {
  const rows = await trx
    .selectFrom("sequence_enrollments")
    .select(["id", "sequence_id", "contact_id", "state", "next_position"])
    .where("workspace_id", "=", workspaceId)
    .where("contact_id", "in", [fromId, toId])
    .execute();
  const bySequence = new Map<string, typeof rows>();
  for (const row of rows) bySequence.set(row.sequence_id, [...(bySequence.get(row.sequence_id) ?? []), row]);

  for (const pair of bySequence.values()) {
    if (pair.length < 2) continue;
    const [winner, loser] = pair.toSorted(
      (a, b) =>
        enrollmentRank[b.state] - enrollmentRank[a.state] ||
        b.next_position - a.next_position ||
        Number(b.contact_id === toId) - Number(a.contact_id === toId),
    );
    // Sends of steps the winner never made stay as history (and keep those steps from going out
    // twice); a step both sent keeps the winner's record.
    await sql`
      update sequence_sends l set enrollment_id = ${winner.id}, contact_id = ${toId}
      where l.workspace_id = ${workspaceId} and l.enrollment_id = ${loser.id}
        and not exists (
          select 1 from sequence_sends w
          where w.workspace_id = ${workspaceId} and w.enrollment_id = ${winner.id} and w.position = l.position
        )`.execute(trx);
    await trx
      .deleteFrom("sequence_enrollments")
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", loser.id)
      .execute();
  }
  await trx
    .updateTable("sequence_enrollments")
    .set({ contact_id: toId })
    .where("workspace_id", "=", workspaceId)
    .where("contact_id", "=", fromId)
    .execute();
}

async function mergeSuppression(trx: Db, workspaceId: string, fromId: string, toId: string) {
  const rows = await trx
    .selectFrom("email_suppressions")
    .select(["contact_id", "reason"])
    .where("workspace_id", "=", workspaceId)
    .where("contact_id", "in", [fromId, toId])
    .execute();
  const from = rows.find((r) => r.contact_id === fromId);
  const to = rows.find((r) => r.contact_id === toId);
  if (!from) return;
  // Both suppressed: the customer's own unsubscribe is the one worth keeping over a bounce.
  const fromWins = !to || (from.reason === "unsubscribed" && to.reason !== "unsubscribed");
  await trx
    .deleteFrom("email_suppressions")
    .where("workspace_id", "=", workspaceId)
    .where("contact_id", "=", fromWins ? toId : fromId)
    .execute();
  if (fromWins)
    await trx
      .updateTable("email_suppressions")
      .set({ contact_id: toId })
      .where("workspace_id", "=", workspaceId)
      .where("contact_id", "=", fromId)
      .execute();
}

/** Entry events seen on both contacts add up: first and last seen span both, counts sum. */
async function mergeContactEvents(trx: Db, workspaceId: string, fromId: string, toId: string) {
  await sql`
    update contact_events k
    set count = k.count + d.count, first_at = least(k.first_at, d.first_at), last_at = greatest(k.last_at, d.last_at)
    from contact_events d
    where k.workspace_id = ${workspaceId} and k.contact_id = ${toId}
      and d.workspace_id = ${workspaceId} and d.contact_id = ${fromId} and d.name = k.name`.execute(trx);
  await sql`
    delete from contact_events d
    where d.workspace_id = ${workspaceId} and d.contact_id = ${fromId}
      and exists (
        select 1 from contact_events k
        where k.workspace_id = ${workspaceId} and k.contact_id = ${toId} and k.name = d.name
      )`.execute(trx);
  await trx
    .updateTable("contact_events")
    .set({ contact_id: toId })
    .where("workspace_id", "=", workspaceId)
    .where("contact_id", "=", fromId)
    .execute();
}
