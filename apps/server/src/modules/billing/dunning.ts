import { sql } from "kysely";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { DunningOutcome } from "../../db/schema.ts";
import type { Principal } from "../../http/principal.ts";
import { companyFacts } from "../companies/records.ts";
import { contactsOfCompanies } from "../contacts/by-company.ts";
import { getContact } from "../contacts/service.ts";
import { createConversation } from "../conversations/service.ts";
import { getMember } from "../workspaces/service.ts";
import { queueStripeAction } from "./actions.ts";
import { billingTexts, contactLanguage, fill, type Language } from "./i18n.ts";
import { type BillingConfig, billingConfigOf } from "./settings.ts";

export const DUNNING_TICK_QUEUE = "billing-dunning-tick";
export const DUNNING_SWEEP_QUEUE = "billing-dunning-sweep";
const DAY = 86_400_000;

export async function queueDunningTick(ctx: AppContext, workspaceId: string): Promise<void> {
  await ctx.jobs.send(DUNNING_TICK_QUEUE, { workspace_id: workspaceId }, { singletonKey: workspaceId });
}

/** Workspaces with a dunning case whose next step is due: the periodic sweep ticks each. */
export async function workspacesWithDueDunning(ctx: AppContext): Promise<string[]> {
  const rows = await ctx.db
    .selectFrom("dunning_cases")
    .select("workspace_id")
    .distinct()
    .where("state", "=", "open")
    .where("next_step_at", "<=", ctx.now())
    .execute();
  return rows.map((r) => r.workspace_id);
}

/**
 * Moves every due case of the workspace one step on, by the workspace clock (ctx.now): sends the
 * reminder that is due, or, once the grace period is over, closes the case and takes the
 * configured action. Each reminder is claimed in dunning_notices before it is written, so a
 * retried or concurrent tick never sends one twice.
 */
export async function advanceDunning(ctx: AppContext, workspaceId: string): Promise<void> {
  const now = ctx.now();
  const config = await billingConfigOf(ctx, ctx.db, workspaceId);
  const due = await ctx.db
    .selectFrom("dunning_cases")
    .select(["id"])
    .where("workspace_id", "=", workspaceId)
    .where("state", "=", "open")
    .where("next_step_at", "<=", now)
    .orderBy("next_step_at")
    .limit(500)
    .execute();
  for (const { id } of due) await advanceCase(ctx, workspaceId, id, config, now);
}

interface Claimed {
  kind: "notice" | "expired";
  step: number;
  companyId: string;
  subscriptionId: string | null;
  outcome?: DunningOutcome;
  notice?: PreparedNotice | null;
}

interface PreparedNotice {
  contactId: string;
  email: string;
  subject: string;
  text: string;
  sender: { id: string; name: string };
}

async function advanceCase(ctx: AppContext, ws: string, caseId: string, config: BillingConfig, now: Date) {
  const claimed = await ctx.db.transaction().execute(async (trx): Promise<Claimed | null> => {
    const row = await trx
      .selectFrom("dunning_cases")
      .selectAll()
      .where("workspace_id", "=", ws)
      .where("id", "=", caseId)
      .forUpdate()
      .executeTakeFirst();
    if (row?.state !== "open" || !row.next_step_at || new Date(row.next_step_at) > now) return null;
    const opened = new Date(row.opened_at).getTime();
    const graceEndsAt = new Date(row.grace_ends_at);
    const base = { companyId: row.company_id, subscriptionId: row.stripe_subscription_id };
    if (now >= graceEndsAt) {
      // Only an unpaid invoice leads to an action; a card that merely expired leaves things be.
      const outcome: DunningOutcome =
        row.reason === "card_expiring"
          ? "none"
          : config.after_grace === "pause"
            ? "paused"
            : config.after_grace === "cancel"
              ? "canceled"
              : "none";
      await trx
        .updateTable("dunning_cases")
        .set({ state: "expired", outcome, closed_at: now, next_step_at: null })
        .where("workspace_id", "=", ws)
        .where("id", "=", caseId)
        .execute();
      return { kind: "expired", step: -1, outcome, ...base };
    }
    // The latest reminder that is due; reminders a stopped clock skipped are not sent late in a burst.
    const steps = config.reminder_days.map((days, step) => ({ step, at: opened + days * DAY }));
    const dueStep = steps.filter((s) => s.at <= now.getTime()).at(-1);
    const nextAt = steps.find((s) => s.at > now.getTime())?.at;
    const next = nextAt !== undefined && nextAt < graceEndsAt.getTime() ? new Date(nextAt) : graceEndsAt;
    await trx
      .updateTable("dunning_cases")
      .set({ next_step_at: next })
      .where("workspace_id", "=", ws)
      .where("id", "=", caseId)
      .execute();
    if (!dueStep) return null;
    const notice = await prepareNotice(
      trx,
      ws,
      row.company_id,
      row.reason,
      row.stripe_invoice_id,
      dueStep.step,
      graceEndsAt,
      config,
    );
    const fresh = await trx
      .insertInto("dunning_notices")
      .values({
        workspace_id: ws,
        case_id: caseId,
        step: dueStep.step,
        to_email: notice?.email ?? "",
        subject: notice?.subject ?? "(not sent: set a sender and an inbox, and give the company a contact)",
        sent_at: now,
      })
      .onConflict((oc) => oc.columns(["workspace_id", "case_id", "step"]).doNothing())
      .returning("step")
      .executeTakeFirst();
    return fresh ? { kind: "notice", step: dueStep.step, notice, ...base } : null;
  });
  if (!claimed) return;
  if (claimed.kind === "expired") {
    if ((claimed.outcome === "paused" || claimed.outcome === "canceled") && claimed.subscriptionId) {
      await queueStripeAction(ctx, {
        workspace_id: ws,
        kind: claimed.outcome === "paused" ? "pause" : "cancel",
        subscription_id: claimed.subscriptionId,
        months: 1,
        case_id: caseId,
      });
    }
    await ctx.events.publish(ws, "dunning.expired", {
      id: caseId,
      company_id: claimed.companyId,
      outcome: claimed.outcome ?? "none",
    });
    await ctx.events.publish(ws, "billing.updated", { company_id: claimed.companyId });
    return;
  }
  if (claimed.notice) await sendNotice(ctx, ws, caseId, claimed.step, claimed.notice);
  await ctx.events.publish(ws, "dunning.notice_sent", {
    id: caseId,
    company_id: claimed.companyId,
    step: claimed.step,
  });
}

/** The reminder's words and addressee, or null when there is no one to send it to or from. */
async function prepareNotice(
  db: Db,
  ws: string,
  companyId: string,
  reason: "payment_failed" | "card_expiring",
  invoiceId: string | null,
  step: number,
  graceEndsAt: Date,
  config: BillingConfig,
): Promise<PreparedNotice | null> {
  const facts = (await companyFacts(db, ws, [companyId])).get(companyId);
  const contact = (await contactsOfCompanies(db, ws, [companyId])).find((c) => c.email);
  const sender = config.sender_agent_id ? await getMember(db, ws, config.sender_agent_id) : undefined;
  if (!facts || !contact?.email || !sender || !config.inbox_id) return null;
  const mail = noticeText({
    reason,
    step,
    lastStep: config.reminder_days.length - 1,
    // Stripe often names the customer after the business: greet a person by name, else "there".
    firstName: contact.name && contact.name !== facts.name ? contact.name.split(/\s+/)[0] : null,
    company: facts.name,
    amountCents: await invoiceAmount(db, ws, invoiceId),
    graceEndsAt,
    link: config.update_card_url,
    senderName: sender.name,
    afterGrace: config.after_grace,
    // The contact's own language when we know it (as surveys choose it), else English.
    language: contactLanguage((await getContact(db, ws, contact.id).catch(() => null))?.attributes),
  });
  return {
    contactId: contact.id,
    email: contact.email,
    ...mail,
    sender: { id: sender.id, name: sender.name },
  };
}

/**
 * Writes a claimed reminder as an outgoing message from the named sender in the support inbox, so
 * the email channel delivers it and a reply lands in that conversation like any other.
 */
async function sendNotice(ctx: AppContext, ws: string, caseId: string, step: number, notice: PreparedNotice) {
  const config = await billingConfigOf(ctx, ctx.db, ws);
  const principal: Principal = {
    agentId: notice.sender.id,
    workspaceId: ws,
    role: "agent",
    via: "token",
    credentialId: "dunning",
  };
  try {
    const conversation = await createConversation(ctx, principal, {
      inbox_id: config.inbox_id!,
      subject: notice.subject,
      contact: { id: notice.contactId },
      message: { kind: "outgoing", body_text: notice.text },
    });
    await ctx.db
      .updateTable("dunning_notices")
      .set({ conversation_id: conversation.id })
      .where("workspace_id", "=", ws)
      .where("case_id", "=", caseId)
      .where("step", "=", step)
      .execute();
  } catch (error) {
    // The claim stays: a reminder that may have gone out is never sent twice.
    ctx.log.error({ err: error, caseId }, "dunning reminder could not be written");
  }
}

async function invoiceAmount(db: Db, ws: string, invoiceId: string | null): Promise<number | null> {
  if (!invoiceId) return null;
  const row = await db
    .selectFrom("billing_invoices")
    .select(sql<string>`amount_due_cents`.as("amount"))
    .where("workspace_id", "=", ws)
    .where("stripe_invoice_id", "=", invoiceId)
    .executeTakeFirst();
  return row ? Number(row.amount) : null;
}

/** Plain, human words; the first reminder reassures, the last one says plainly what happens next. */
export function noticeText(input: {
  reason: "payment_failed" | "card_expiring";
  step: number;
  lastStep: number;
  firstName: string | null;
  company: string;
  amountCents: number | null;
  graceEndsAt: Date;
  link: string | null;
  senderName: string;
  afterGrace: BillingConfig["after_grace"];
  language?: Language;
}): { subject: string; text: string } {
  const t = billingTexts[input.language ?? "en"];
  const date = input.graceEndsAt.toLocaleDateString(t.locale, {
    day: "numeric",
    month: "long",
    timeZone: "UTC",
  });
  const values = {
    company: input.company,
    date,
    name: input.firstName ?? "",
    amount: input.amountCents ? fill(t.amount, { amount: (input.amountCents / 100).toFixed(2) }) : "",
    link: input.link ?? "",
    after: t.after[input.afterGrace],
  };
  const update = fill(input.link ? t.updateLink : t.updateNoLink, values);
  const hello = input.firstName ? fill(t.hello, values) : t.helloThere;
  const letter = (subject: string, body: string) => ({
    subject: fill(subject, values),
    text: `${hello}\n\n${fill(body, values)}\n${update}\n\n${t.sign}\n\n${input.senderName}\n`,
  });
  if (input.reason === "card_expiring") return letter(t.expiringSubject, t.expiringBody);
  if (input.step === 0) return letter(t.firstSubject, t.firstBody);
  if (input.step < input.lastStep) return letter(t.middleSubject, t.middleBody);
  return letter(t.lastSubject, t.lastBody);
}
