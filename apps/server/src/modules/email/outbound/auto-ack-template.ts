import type { AppContext } from "../../../context.ts";
import type { Principal } from "../../../http/principal.ts";
import { recordAudit } from "../../audit/service.ts";
import { AUTOMATIC_LIMIT_PER_HOUR, DEFAULT_AUTO_ACK } from "./auto-ack.ts";
import { findAutoAckTemplate, saveAutoAckTemplate } from "./queries.ts";
import { getEmailInbox } from "./smtp-settings.ts";

/** The inbox's acknowledgement: the switch lives in the inbox settings, the wording here. */
export async function showAutoAckTemplate(ctx: AppContext, principal: Principal, inboxId: string) {
  const inbox = await getEmailInbox(ctx.db, principal.workspaceId, inboxId);
  const template = (await findAutoAckTemplate(ctx.db, principal.workspaceId, inboxId)) ?? DEFAULT_AUTO_ACK;
  return {
    enabled: (inbox.settings as { auto_ack_enabled?: boolean }).auto_ack_enabled === true,
    subject: template.subject,
    body: template.body,
    limit_per_address_per_hour: AUTOMATIC_LIMIT_PER_HOUR,
  };
}

export async function updateAutoAckTemplate(
  ctx: AppContext,
  principal: Principal,
  inboxId: string,
  input: { subject: string; body: string },
) {
  await ctx.db.transaction().execute(async (trx) => {
    await getEmailInbox(trx, principal.workspaceId, inboxId);
    await saveAutoAckTemplate(trx, principal.workspaceId, inboxId, input, ctx.now());
    await recordAudit(trx, principal, {
      action: "inbox.auto_ack_template_updated",
      targetType: "inbox",
      targetId: inboxId,
    });
    await ctx.events.record(trx, principal.workspaceId, [{ type: "inbox.updated", data: { id: inboxId } }]);
  });
  return showAutoAckTemplate(ctx, principal, inboxId);
}
