import { sql } from "kysely";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import { mailFromInbox } from "../email/outbound/inbox-mail.ts";
import { describeFailure } from "../email/outbound/transport.ts";
import { scheduleOf } from "../metrics/business-hours.ts";
import { readWorkspaceSettings } from "../workspaces/service.ts";
import { allHold, type Condition } from "./conditions.ts";
import { dueAfter } from "./delays.ts";
import { stepsOf, subjectOf } from "./service.ts";
import { isSuppressed, suppress } from "./suppressions.ts";
import { markdownToHtml, render } from "./template.ts";
import { unsubscribeHeaders } from "./unsubscribe.ts";

/*
 * The scheduler. A tick (every minute, pg-boss cron) resumes paused contacts whose quiet period is
 * over, then claims due enrollments in batches and queues one send job each. Claiming moves due_at
 * a lease ahead instead of clearing it, so a job lost to a crash is simply found again by a later
 * tick; the send itself is guarded by a sequence_sends row per (enrollment, position), so a step is
 * sent at most once however often it is queued.
 */

export const STEP_QUEUE = "sequence-step";
export const TICK_QUEUE = "sequence-tick";
const LEASE_MS = 30 * 60_000;
const BATCH = 1000;

export interface StepJob {
  workspace_id: string;
  enrollment_id: string;
  position: number;
}

/** Paused contacts whose quiet period after a resolved conversation ended are active again. */
export async function resumeQuietContacts(db: Db, now: Date): Promise<number> {
  const result = await db
    .updateTable("sequence_enrollments")
    .set({
      state: "active",
      pause_cause: null,
      pause_reason: null,
      paused_conversation_id: null,
      paused_at: null,
      resume_at: null,
      due_at: sql`greatest(coalesce(due_at, ${now}), ${now})`,
    })
    .where("state", "=", "paused")
    .where("resume_at", "<=", now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Claims up to `limit` due enrollments (skipping rows another tick holds) and leases them. `from`
 * starts the index scan where the previous batch ended, so a tick never wades through the index
 * entries its own earlier batches left behind.
 */
export async function claimDue(
  db: Db,
  now: Date,
  limit: number,
  from: Date | null = null,
): Promise<{ jobs: StepJob[]; last: Date | null }> {
  const lease = new Date(now.getTime() + LEASE_MS);
  const after = from ?? new Date(0);
  const rows = await sql<{ workspace_id: string; id: string; next_position: number; was_due: Date }>`
    update sequence_enrollments e set due_at = ${lease}
    from (
      select workspace_id, id, due_at from sequence_enrollments
      where state = 'active' and due_at <= ${now} and due_at >= ${after}
      order by due_at
      limit ${limit}
      for update skip locked
    ) due
    where e.workspace_id = due.workspace_id and e.id = due.id
    returning e.workspace_id, e.id, e.next_position, due.due_at as was_due`.execute(db);
  let last: Date | null = null;
  for (const r of rows.rows) {
    const at = new Date(r.was_due);
    if (!last || at > last) last = at;
  }
  return {
    jobs: rows.rows.map((r) => ({
      workspace_id: r.workspace_id,
      enrollment_id: r.id,
      position: r.next_position,
    })),
    last,
  };
}

/** Where a tick spent its time, for the benchmark. */
export interface TickStats {
  claimMs: number;
  queueMs: number;
}

/** One tick: resumes, then queues every due step. Returns how many steps were queued. */
export async function tick(ctx: AppContext, stats?: TickStats): Promise<number> {
  const now = ctx.now();
  await resumeQuietContacts(ctx.db, now);
  let queued = 0;
  let from: Date | null = null;
  for (;;) {
    let t = performance.now();
    const claimed = await claimDue(ctx.db, now, BATCH, from);
    const jobs = claimed.jobs;
    from = claimed.last;
    if (stats) stats.claimMs += performance.now() - t;
    if (jobs.length === 0) break;
    t = performance.now();
    await ctx.jobs.boss.insert(
      STEP_QUEUE,
      jobs.map((data) => ({ data, singletonKey: `${data.enrollment_id}:${data.position}` })),
    );
    if (stats) stats.queueMs += performance.now() - t;
    queued += jobs.length;
    if (jobs.length < BATCH) break;
  }
  return queued;
}

type Outcome = { state: "sent" | "skipped" | "failed"; detail: string | null; rfcMessageId?: string };

/**
 * The job: sends the step a contact is due, then moves them on. Reads the contact, company and
 * step fresh, so edits and unsubscribes made since the claim are honoured.
 */
export async function sendStep(ctx: AppContext, job: StepJob): Promise<void> {
  const ws = job.workspace_id;
  const enrollment = await ctx.db
    .selectFrom("sequence_enrollments as e")
    .innerJoin("sequences as s", (join) =>
      join.onRef("s.workspace_id", "=", "e.workspace_id").onRef("s.id", "=", "e.sequence_id"),
    )
    .select([
      "e.id",
      "e.state",
      "e.contact_id",
      "e.next_position",
      "e.sequence_id",
      "s.state as sequence_state",
      "s.inbox_id",
    ])
    .where("e.workspace_id", "=", ws)
    .where("e.id", "=", job.enrollment_id)
    .executeTakeFirst();
  if (enrollment?.state !== "active" || enrollment.next_position !== job.position) return;
  // A sequence set back to draft holds its contacts: the lease brings them back later.
  if (enrollment.sequence_state !== "active") return;

  const suppressed = await isSuppressed(ctx.db, ws, enrollment.contact_id);
  if (suppressed) {
    await finish(
      ctx.db,
      ws,
      enrollment.id,
      suppressed === "unsubscribed" ? "unsubscribed" : "stopped",
      ctx.now(),
    );
    return;
  }
  const steps = await stepsOf(ctx.db, ws, enrollment.sequence_id);
  const step = steps.find((s) => s.position === job.position);
  if (!step) {
    await finish(ctx.db, ws, enrollment.id, "completed", ctx.now());
    return;
  }

  const claimed = await ctx.db
    .insertInto("sequence_sends")
    .values({
      workspace_id: ws,
      enrollment_id: enrollment.id,
      sequence_id: enrollment.sequence_id,
      contact_id: enrollment.contact_id,
      position: job.position,
      state: "sending",
      at: ctx.now(),
    })
    .onConflict((oc) => oc.columns(["workspace_id", "enrollment_id", "position"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  if (!claimed) {
    // An earlier attempt got this far: never send twice; record an unknown outcome and move on.
    await ctx.db
      .updateTable("sequence_sends")
      .set({ state: "failed", detail: "stopped while sending; not sent again to avoid a duplicate" })
      .where("workspace_id", "=", ws)
      .where("enrollment_id", "=", enrollment.id)
      .where("position", "=", job.position)
      .where("state", "=", "sending")
      .execute();
    await advance(ctx, ws, enrollment.id, job.position, steps);
    return;
  }

  let outcome: Outcome;
  try {
    outcome = await deliver(ctx, ws, enrollment, step);
  } catch (error) {
    const failure = describeFailure(error);
    if (!failure.permanent) {
      // Nothing was sent: release the claim so pg-boss's retry can take it again.
      await ctx.db
        .deleteFrom("sequence_sends")
        .where("workspace_id", "=", ws)
        .where("id", "=", claimed.id)
        .execute();
      throw error;
    }
    await suppress(ctx.db, {
      workspaceId: ws,
      contactId: enrollment.contact_id,
      reason: "bounced",
      detail: failure.reason,
      at: ctx.now(),
    });
    outcome = { state: "failed", detail: failure.reason };
  }
  await ctx.db
    .updateTable("sequence_sends")
    .set({
      state: outcome.state,
      detail: outcome.detail,
      rfc_message_id: outcome.rfcMessageId ?? null,
      at: ctx.now(),
    })
    .where("workspace_id", "=", ws)
    .where("id", "=", claimed.id)
    .execute();
  if (outcome.state === "failed") {
    await finish(ctx.db, ws, enrollment.id, "stopped", ctx.now());
    return;
  }
  await advance(ctx, ws, enrollment.id, job.position, steps, outcome.state === "sent");
}

async function deliver(
  ctx: AppContext,
  ws: string,
  enrollment: { contact_id: string; inbox_id: string },
  step: { subject: string; body: string; conditions: unknown[] },
): Promise<Outcome> {
  const subject = await subjectOf(ctx.db, ws, enrollment.contact_id);
  if (!allHold(step.conditions as Condition[], subject))
    return { state: "skipped", detail: "the step's conditions were not met" };
  const to = subject.contact.email;
  if (!to) return { state: "skipped", detail: "the contact has no email address" };
  const title = render(step.subject, subject);
  const body = render(step.body, subject);
  const sent = await mailFromInbox(ctx, ws, enrollment.inbox_id, {
    // Replies start a conversation in the inbox, which pauses the sequence (interruptions.ts).
    to: { name: subject.contact.name, address: to },
    subject: title.text,
    text: body.text,
    html: markdownToHtml(body.text),
    kind: "seq",
    headers: { ...unsubscribeHeaders(ctx, ws, enrollment.contact_id), Precedence: "bulk" },
  });
  const missing = [...new Set([...title.missing, ...body.missing])];
  return {
    state: "sent",
    detail:
      missing.length > 0 ? `sent with fallbacks for ${missing.join(", ")}` : sent.response.slice(0, 300),
    rfcMessageId: sent.messageId.slice(1, -1),
  };
}

/** Moves the contact to the next step, due after its delay, or completes the sequence. */
async function advance(
  ctx: AppContext,
  ws: string,
  enrollmentId: string,
  position: number,
  steps: { position: number; delay_amount: number; delay_unit: "days" | "business_days" }[],
  sent = false,
): Promise<void> {
  const now = ctx.now();
  const next = steps.find((s) => s.position > position);
  if (!next) {
    await finish(ctx.db, ws, enrollmentId, "completed", now, sent);
    return;
  }
  const schedule = scheduleOf(await readWorkspaceSettings(ctx.db, ws));
  await ctx.db
    .updateTable("sequence_enrollments")
    .set({
      next_position: next.position,
      due_at: dueAfter(now, { amount: next.delay_amount, unit: next.delay_unit }, schedule),
      ...(sent ? { last_sent_at: now } : {}),
    })
    .where("workspace_id", "=", ws)
    .where("id", "=", enrollmentId)
    .where("next_position", "=", position)
    .execute();
}

async function finish(
  db: Db,
  ws: string,
  enrollmentId: string,
  state: "completed" | "stopped" | "unsubscribed",
  now: Date,
  sent = false,
): Promise<void> {
  await db
    .updateTable("sequence_enrollments")
    .set({ state, due_at: null, resume_at: null, finished_at: now, ...(sent ? { last_sent_at: now } : {}) })
    .where("workspace_id", "=", ws)
    .where("id", "=", enrollmentId)
    .execute();
}
