import type { AppContext } from "../../context.ts";
import type { Principal } from "../../http/principal.ts";
import { listConversations } from "../conversations/service.ts";
import { listInboxes } from "../inboxes/service.ts";
import { addSlot, listSlots } from "../office-hours/service.ts";
import { createSequence, listSequences } from "../sequences/service.ts";
import { createRequest, linkAsk } from "./service.ts";
import { requestsMatching } from "./queries.ts";

/*
 * The demo workspace's feature requests (linked to its conversations, so MRR shows), an onboarding
 * sequence left as a draft (the demo never mails anyone by itself), and the owner's office hours.
 * Safe to run again: what exists is left alone.
 */

const REQUESTS = ["Dark mode", "Single sign-on (SAML)", "Export to CSV"];

export async function seedFeatures(ctx: AppContext, owner: Principal, progress: (m: string) => void) {
  const existing = await requestsMatching(ctx.db, owner.workspaceId, {}, 100);
  if (existing.length === 0) {
    progress(`adding ${REQUESTS.length} feature requests linked to demo conversations`);
    const conversations = (await listConversations(ctx, owner, { limit: 10 })).data;
    for (const [i, title] of REQUESTS.entries()) {
      const request = await createRequest(ctx, owner, {
        title,
        status: i === 0 ? "planned" : "under_review",
      });
      for (const conversation of conversations.filter((_, j) => j % (i + 2) === 0)) {
        await linkAsk(ctx, owner, request.id, { conversation_id: conversation.id });
      }
    }
  }
  if ((await listSequences(ctx, owner)).data.length === 0) {
    const inbox = (await listInboxes(ctx, owner)).find((i) => i.channel === "email");
    if (inbox) {
      progress("adding a draft onboarding sequence");
      await createSequence(ctx, owner, {
        name: "Onboarding",
        inbox_id: inbox.id,
        quiet_hours: 72,
        steps: [
          {
            delay_amount: 0,
            delay_unit: "days",
            subject: 'Welcome aboard, {{contact.first_name | "friend"}}',
            body: 'Hi {{contact.first_name | "there"}},\n\nThanks for joining. Reply to this email any time: a person reads it.',
          },
          {
            delay_amount: 2,
            delay_unit: "business_days",
            subject: "Three things teams set up first",
            body: "1. Invite your team\n2. Connect your inbox\n3. Turn on satisfaction surveys",
          },
        ],
      });
    }
  }
  if ((await listSlots(ctx, owner)).data.length === 0) {
    progress("adding the owner's office hours (Tuesdays 16:00–18:00)");
    await addSlot(ctx, owner, { weekday: 1, start: "16:00", end: "18:00" });
  }
}
