import type { Db } from "../../db/database.ts";
import type { BounceNotice } from "../email/service.ts";
import { suppress } from "./suppressions.ts";

/*
 * A bounce of sequence or broadcast mail: the report names the Message-ID we generated for the send
 * (random, so a forged report cannot guess it). The contact is suppressed for good, their send is
 * marked bounced in their history, and every sequence they are in stops, in the same transaction
 * that stores the bounce. A delay report about such mail changes nothing, but is recognised all the
 * same, so that neither opens a conversation from the mailer daemon.
 */
export async function onSequenceBounce(trx: Db, notice: BounceNotice): Promise<boolean> {
  const sends = await trx
    .selectFrom("sequence_sends")
    .select(["id", "contact_id"])
    .where("workspace_id", "=", notice.workspaceId)
    .where("rfc_message_id", "in", notice.originalMessageIds)
    .where("state", "in", ["sent", "bounced"])
    .execute();
  if (sends.length === 0) return false;
  if (!notice.permanent) return true;
  const detail = [notice.status, notice.reason].filter(Boolean).join(" ").slice(0, 1000);
  for (const send of sends) {
    await trx
      .updateTable("sequence_sends")
      .set({ state: "bounced", detail })
      .where("workspace_id", "=", notice.workspaceId)
      .where("id", "=", send.id)
      .execute();
  }
  for (const contactId of new Set(sends.map((s) => s.contact_id))) {
    await suppress(trx, {
      workspaceId: notice.workspaceId,
      contactId,
      reason: "bounced",
      detail,
      at: notice.at,
    });
    await trx
      .updateTable("sequence_enrollments")
      .set({ state: "stopped", due_at: null, resume_at: null, finished_at: notice.at })
      .where("workspace_id", "=", notice.workspaceId)
      .where("contact_id", "=", contactId)
      .where("state", "in", ["active", "paused"])
      .execute();
  }
  return true;
}
