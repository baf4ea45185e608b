import type { Static } from "typebox";
import type { AppContext } from "../../context.ts";
import type { Principal } from "../../http/principal.ts";
import { invalid } from "../../lib/errors.ts";
import type { BroadcastBody } from "./schemas.ts";
import { createSequence, enrollContacts, segmentContacts, subjectOf } from "./service.ts";
import { isSuppressed } from "./suppressions.ts";
import { render, unknownVariables } from "./template.ts";

/*
 * Broadcasts: one-off announcements (a new article, an outage notice) to a segment. A broadcast is
 * a one-step sequence sent at once, so it keeps every rule of automated mail: one-click
 * unsubscribe, never to an unsubscribed or bounced address, paused for a contact a human is
 * talking with. The preview shows who receives it and who is left out, before anything is sent.
 */

type Broadcast = Static<typeof BroadcastBody>;
const SAMPLE = 20;

function checkTemplate(input: Broadcast): void {
  for (const field of ["subject", "body"] as const) {
    const unknown = unknownVariables(input[field]);
    if (unknown.length > 0) throw invalid(field, `Unknown variable ${unknown[0]}`);
  }
}

export async function previewBroadcast(ctx: AppContext, principal: Principal, input: Broadcast) {
  checkTemplate(input);
  const ids = await segmentContacts(ctx, principal, input.segment);
  const sample = [];
  const skipped: { contact_id: string; reason: string }[] = [];
  let recipients = 0;
  for (const id of ids) {
    const subject = await subjectOf(ctx.db, principal.workspaceId, id);
    const suppressed = await isSuppressed(ctx.db, principal.workspaceId, id);
    if (!subject.contact.email) skipped.push({ contact_id: id, reason: "the contact has no email address" });
    else if (suppressed) skipped.push({ contact_id: id, reason: `the contact ${suppressed}` });
    else {
      recipients += 1;
      if (sample.length < SAMPLE) {
        const title = render(input.subject, subject);
        const body = render(input.body, subject);
        sample.push({
          contact_id: id,
          name: subject.contact.name,
          email: subject.contact.email,
          subject: title.text,
          warnings: [...new Set([...title.missing, ...body.missing])].map(
            (name) => `${name} is missing for this contact: the fallback (or nothing) is sent instead`,
          ),
        });
      }
    }
  }
  return { recipients, sample, skipped };
}

export async function sendBroadcast(ctx: AppContext, principal: Principal, input: Broadcast) {
  checkTemplate(input);
  const ids = await segmentContacts(ctx, principal, input.segment);
  if (ids.length === 0) throw invalid("segment", "No contact matches this segment");
  const sequence = await createSequence(
    ctx,
    principal,
    {
      name: input.name ?? `Broadcast: ${input.subject}`,
      inbox_id: input.inbox_id,
      state: "active",
      steps: [{ delay_amount: 0, delay_unit: "days", subject: input.subject, body: input.body }],
    },
    "broadcast",
  );
  const result = await enrollContacts(ctx, principal.workspaceId, sequence.id, ids, "segment");
  return { sequence_id: sequence.id, ...result };
}
