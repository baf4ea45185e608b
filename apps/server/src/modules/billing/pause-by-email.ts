import type { AppContext } from "../../context.ts";
import { companyFacts } from "../companies/records.ts";
import { contactByEmail } from "../contacts/by-company.ts";
import { getContact } from "../contacts/service.ts";
import { mailFromInbox } from "../email/outbound/inbox-mail.ts";
import { getEmailInbox } from "../email/outbound/smtp-settings.ts";
import { oldestEmailInbox } from "../inboxes/service.ts";
import { type LimitRule, SharedLimits } from "../widget/rate-limit.ts";
import { billingTexts, contactLanguage, fill, pageLanguage } from "./i18n.ts";
import { pauseLinkFor } from "./pause-page.ts";
import { liveSubscriptionOf } from "./service.ts";
import { billingConfigOf } from "./settings.ts";

/*
 * "Cancel or pause" from a public page (the help center): someone gives an email address, and when
 * it is a contact of a company with a live subscription, that address gets a signed link to the
 * pause page. Whoever asks gets the same answer and the same wait whether or not the address is
 * known: the lookup and the mail happen in a job, so the page reveals nothing about who is a customer.
 */

export const PAUSE_LINK_MAIL_QUEUE = "billing-pause-link-mail";
/** A link sent by email may wait in an inbox for a while, but not forever. */
export const MAILED_LINK_DAYS = 3;

export const PauseMailLimits = {
  /** One address (IP) asking again and again, whatever the email addresses. */
  perRequester: { bucket: "pause-mail:requester", limit: 10, windowMs: 600_000 },
  /** One mailbox flooded with links, from however many addresses. */
  perEmail: { bucket: "pause-mail:email", limit: 3, windowMs: 3_600_000 },
} satisfies Record<string, LimitRule>;

interface PauseMailJob {
  workspace_id: string;
  email: string;
  /** The page's language, for a contact whose own language we do not know. */
  language: string;
}

const limitsOf = new WeakMap<AppContext, SharedLimits>();

function limits(ctx: AppContext): SharedLimits {
  let shared = limitsOf.get(ctx);
  if (!shared) {
    shared = new SharedLimits(ctx);
    limitsOf.set(ctx, shared);
  }
  return shared;
}

/** Whether the workspace has connected Stripe (what the public pages offer "cancel or pause" on). */
export async function billingConnected(ctx: AppContext, workspaceId: string): Promise<boolean> {
  return (await billingConfigOf(ctx, ctx.db, workspaceId)).secretKey !== null;
}

/**
 * Asks for a pause link for `email`: counts the request against the requester's and the address's
 * limits, then queues the lookup and mail. Refused only by the limits, never by what is known.
 */
export async function requestPauseLinkByEmail(
  ctx: AppContext,
  input: { workspaceId: string; email: string; language: string; requester: string },
): Promise<{ accepted: true } | { accepted: false; retryAfter: number }> {
  const email = input.email.trim().toLowerCase();
  const verdict = await limits(ctx).hit([
    { rule: PauseMailLimits.perRequester, key: input.requester },
    { rule: PauseMailLimits.perEmail, key: `${input.workspaceId}:${email}` },
  ]);
  if (!verdict.allowed) return { accepted: false, retryAfter: verdict.retryAfter };
  await ctx.jobs.send<PauseMailJob>(PAUSE_LINK_MAIL_QUEUE, {
    workspace_id: input.workspaceId,
    email,
    language: input.language,
  });
  return { accepted: true };
}

export function definePauseMailJobs(ctx: AppContext): void {
  ctx.jobs.define<PauseMailJob>(
    PAUSE_LINK_MAIL_QUEUE,
    { retryLimit: 5, retryDelay: 60, retryBackoff: true },
    (job) => mailPauseLink(ctx, job),
  );
}

/**
 * The job: finds the contact by address in this workspace only, their company and its live
 * subscription, and mails the link from the support inbox. Anything missing ends it quietly.
 */
export async function mailPauseLink(ctx: AppContext, job: PauseMailJob): Promise<void> {
  const ws = job.workspace_id;
  const contact = await contactByEmail(ctx.db, ws, job.email);
  if (!contact?.company_id) return;
  const companyId = contact.company_id;
  const [company, subscription] = await Promise.all([
    companyFacts(ctx.db, ws, [companyId]).then((facts) => facts.get(companyId)),
    liveSubscriptionOf(ctx, ws, companyId),
  ]);
  if (!company || !subscription) return;
  const inbox = await supportInbox(ctx, ws);
  if (!inbox) {
    ctx.log.info({ workspaceId: ws }, "billing: no email inbox to send a pause link from");
    return;
  }
  const details = await getContact(ctx.db, ws, contact.id);
  const language = contactLanguage(details.attributes, pageLanguage(job.language));
  const t = billingTexts[language];
  const link = pauseLinkFor(ctx, ws, companyId, MAILED_LINK_DAYS, language);
  const values = { company: company.name, link: link.url, days: String(MAILED_LINK_DAYS) };
  // A reply reaches the support inbox as a new conversation, like any customer's mail.
  await mailFromInbox(ctx, ws, inbox.id, {
    to: { name: details.name, address: details.email ?? job.email },
    subject: fill(t.linkMailSubject, values),
    text: fill(t.linkMailBody, values),
    html: null,
    kind: "pause",
  });
}

/** The inbox billing mail goes out from: the dunning reply inbox when it is email, else the oldest one. */
async function supportInbox(ctx: AppContext, workspaceId: string) {
  const configured = (await billingConfigOf(ctx, ctx.db, workspaceId)).inbox_id;
  const id = configured ?? (await oldestEmailInbox(ctx.db, workspaceId))?.id;
  if (!id) return undefined;
  try {
    return await getEmailInbox(ctx.db, workspaceId, id);
  } catch {
    const oldest = await oldestEmailInbox(ctx.db, workspaceId);
    return oldest ? getEmailInbox(ctx.db, workspaceId, oldest.id) : undefined;
  }
}
