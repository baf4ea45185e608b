import { sql } from "kysely";
import type { Static } from "typebox";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { Principal } from "../../http/principal.ts";
import { invalid, notFound, Problem } from "../../lib/errors.ts";
import { recordAudit } from "../audit/service.ts";
import { companyRevenue } from "../companies/service.ts";
import { findOrCreateContactByEmail, getContact, listContacts } from "../contacts/service.ts";
import { getInbox } from "../inboxes/service.ts";
import { scheduleOf } from "../metrics/business-hours.ts";
import { readWorkspaceSettings } from "../workspaces/service.ts";
import { allHold, type Condition, type ConditionSubject } from "./conditions.ts";
import { dueAfter } from "./delays.ts";
import type {
  CreateSequenceBody,
  EnrollSegmentBody,
  RecordEventBody,
  StepInput,
  UpdateEnrollmentBody,
  UpdateSequenceBody,
} from "./schemas.ts";
import { isSuppressed } from "./suppressions.ts";
import { markdownToHtml, render, unknownVariables } from "./template.ts";

/*
 * Sequences and who is in them. Editing rule: steps are read when they are sent, so an edit applies
 * to every step a contact has not reached yet; a contact keeps their place (the position of their
 * next step) and the due time set when they reached it; a step already sent is never sent again.
 */

type StepBody = Static<typeof StepInput>;

const sequenceColumns = [
  "id",
  "name",
  "kind",
  "inbox_id",
  "state",
  "entry_event",
  "entry_conditions",
  "quiet_hours",
  "created_at",
  "updated_at",
] as const;

export async function findSequence(db: Db, workspaceId: string, id: string) {
  return db
    .selectFrom("sequences")
    .select(sequenceColumns)
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
}

async function requireSequence(db: Db, workspaceId: string, id: string) {
  const sequence = await findSequence(db, workspaceId, id);
  if (!sequence) throw notFound("Sequence");
  return sequence;
}

export async function stepsOf(db: Db, workspaceId: string, sequenceId: string) {
  return db
    .selectFrom("sequence_steps")
    .select(["position", "delay_amount", "delay_unit", "subject", "body", "conditions"])
    .where("workspace_id", "=", workspaceId)
    .where("sequence_id", "=", sequenceId)
    .orderBy("position")
    .execute();
}

/** Refuses steps whose variables Keepwell does not know, naming the field. */
function checkSteps(steps: StepBody[]): void {
  steps.forEach((step, i) => {
    for (const field of ["subject", "body"] as const) {
      const unknown = unknownVariables(step[field]);
      if (unknown.length > 0) {
        throw invalid(
          `steps.${i}.${field}`,
          `Unknown variable ${unknown[0]}: use contact.name, contact.first_name, contact.email, company.name, company.plan or contact.attributes.<key>`,
        );
      }
      if (!step[field].trim()) throw invalid(`steps.${i}.${field}`, `Write the step's ${field}`);
    }
  });
}

async function checkInbox(db: Db, workspaceId: string, inboxId: string): Promise<void> {
  const inbox = await getInbox(db, workspaceId, inboxId).catch(() => null);
  if (inbox?.channel !== "email") throw invalid("inbox_id", "Choose an email inbox of this workspace");
}

async function writeSteps(trx: Db, workspaceId: string, sequenceId: string, steps: StepBody[], at: Date) {
  await trx
    .deleteFrom("sequence_steps")
    .where("workspace_id", "=", workspaceId)
    .where("sequence_id", "=", sequenceId)
    .execute();
  if (steps.length === 0) return;
  await trx
    .insertInto("sequence_steps")
    .values(
      steps.map((step, position) => ({
        workspace_id: workspaceId,
        sequence_id: sequenceId,
        position,
        delay_amount: step.delay_amount,
        delay_unit: step.delay_unit,
        subject: step.subject,
        body: step.body,
        conditions: JSON.stringify(step.conditions ?? []),
        updated_at: at,
      })),
    )
    .execute();
}

export async function listSequences(ctx: AppContext, principal: Principal) {
  const rows = await ctx.db
    .selectFrom("sequences")
    .select(sequenceColumns)
    .where("workspace_id", "=", principal.workspaceId)
    .orderBy("created_at", "desc")
    .orderBy("id")
    .limit(500)
    .execute();
  return { data: rows };
}

export async function showSequence(ctx: AppContext, principal: Principal, id: string) {
  const sequence = await requireSequence(ctx.db, principal.workspaceId, id);
  const counts = await ctx.db
    .selectFrom("sequence_enrollments")
    .select(["state", sql<string>`count(*)`.as("count")])
    .where("workspace_id", "=", principal.workspaceId)
    .where("sequence_id", "=", id)
    .groupBy("state")
    .execute();
  return {
    ...sequence,
    steps: await stepsOf(ctx.db, principal.workspaceId, id),
    enrollments: Object.fromEntries(counts.map((c) => [c.state, Number(c.count)])),
  };
}

export async function createSequence(
  ctx: AppContext,
  principal: Principal,
  input: Static<typeof CreateSequenceBody>,
  kind: "sequence" | "broadcast" = "sequence",
) {
  const workspaceId = principal.workspaceId;
  checkSteps(input.steps ?? []);
  await checkInbox(ctx.db, workspaceId, input.inbox_id);
  const id = await ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto("sequences")
      .values({
        workspace_id: workspaceId,
        name: input.name.trim(),
        kind,
        inbox_id: input.inbox_id,
        state: input.state ?? "draft",
        entry_event: input.entry_event ?? null,
        entry_conditions: JSON.stringify(input.entry_conditions ?? []),
        quiet_hours: input.quiet_hours ?? 72,
        created_at: ctx.now(),
        updated_at: ctx.now(),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await writeSteps(trx, workspaceId, row.id, input.steps ?? [], ctx.now());
    await recordAudit(trx, principal, {
      action: "sequence.created",
      targetType: "sequence",
      targetId: row.id,
      data: { name: input.name },
    });
    return row.id;
  });
  return showSequence(ctx, principal, id);
}

/** Archiving a sequence stops everyone in it; a draft sequence holds its contacts where they are. */
export async function updateSequence(
  ctx: AppContext,
  principal: Principal,
  id: string,
  input: Static<typeof UpdateSequenceBody>,
) {
  const workspaceId = principal.workspaceId;
  await ctx.db.transaction().execute(async (trx) => {
    const current = await requireSequence(trx, workspaceId, id);
    await trx
      .updateTable("sequences")
      .set({
        name: input.name?.trim() ?? current.name,
        state: input.state ?? current.state,
        entry_event: input.entry_event === undefined ? current.entry_event : input.entry_event,
        entry_conditions: JSON.stringify(input.entry_conditions ?? current.entry_conditions),
        quiet_hours: input.quiet_hours ?? current.quiet_hours,
        updated_at: ctx.now(),
      })
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .execute();
    if (input.state === "archived" && current.state !== "archived") {
      await trx
        .updateTable("sequence_enrollments")
        .set({
          state: "stopped",
          due_at: null,
          finished_at: ctx.now(),
          pause_reason: "the sequence was archived",
        })
        .where("workspace_id", "=", workspaceId)
        .where("sequence_id", "=", id)
        .where("state", "in", ["active", "paused"])
        .execute();
    }
    await recordAudit(trx, principal, {
      action: "sequence.updated",
      targetType: "sequence",
      targetId: id,
      data: { changed: Object.keys(input) },
    });
  });
  return showSequence(ctx, principal, id);
}

/** Replaces the steps (see the editing rule at the top of this file). */
export async function replaceSteps(ctx: AppContext, principal: Principal, id: string, steps: StepBody[]) {
  const workspaceId = principal.workspaceId;
  checkSteps(steps);
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .selectFrom("sequences")
      .select("id")
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst()
      .then((row) => {
        if (!row) throw notFound("Sequence");
      });
    await writeSteps(trx, workspaceId, id, steps, ctx.now());
    await recordAudit(trx, principal, {
      action: "sequence.steps_replaced",
      targetType: "sequence",
      targetId: id,
      data: { steps: steps.length },
    });
  });
  return showSequence(ctx, principal, id);
}

export async function deleteSequence(ctx: AppContext, principal: Principal, id: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const current = await requireSequence(trx, principal.workspaceId, id);
    await trx
      .deleteFrom("sequences")
      .where("workspace_id", "=", principal.workspaceId)
      .where("id", "=", id)
      .execute();
    await recordAudit(trx, principal, {
      action: "sequence.deleted",
      targetType: "sequence",
      targetId: id,
      data: { name: current.name },
    });
  });
}

/** What conditions and variables see of a contact: the contact and their company. */
export async function subjectOf(db: Db, workspaceId: string, contactId: string): Promise<ConditionSubject> {
  const contact = await getContact(db, workspaceId, contactId);
  const company = contact.company_id
    ? (await companyRevenue(db, workspaceId, [contact.company_id])).get(contact.company_id)
    : undefined;
  const events = await db
    .selectFrom("contact_events")
    .select(["name", "last_at"])
    .where("workspace_id", "=", workspaceId)
    .where("contact_id", "=", contactId)
    .execute();
  return {
    contact: { name: contact.name, email: contact.email, attributes: contact.attributes },
    company: company ?? null,
    events: Object.fromEntries(events.map((e) => [e.name, e.last_at.toISOString()])),
  };
}

/** The steps as one contact (or, without one, an empty sample contact) would receive them. */
export async function previewSequence(ctx: AppContext, principal: Principal, id: string, contactId?: string) {
  const workspaceId = principal.workspaceId;
  await requireSequence(ctx.db, workspaceId, id);
  const subject: ConditionSubject = contactId
    ? await subjectOf(ctx.db, workspaceId, contactId).catch((error) => {
        if (error instanceof Problem && error.status === 404)
          throw invalid("contact_id", "No contact with this id");
        throw error;
      })
    : { contact: { name: null, email: null, attributes: {} }, company: null };
  const steps = await stepsOf(ctx.db, workspaceId, id);
  return {
    steps: steps.map((step) => {
      const title = render(step.subject, subject);
      const body = render(step.body, subject);
      return {
        position: step.position,
        subject: title.text,
        text: body.text,
        html: markdownToHtml(body.text),
        warnings: [...new Set([...title.missing, ...body.missing])].map(
          (name) => `${name} is missing for this contact: the fallback (or nothing) is sent instead`,
        ),
        conditions_met: allHold(step.conditions as Condition[], subject),
      };
    }),
  };
}

type Via = "event" | "segment" | "manual";

/**
 * Puts contacts into a sequence at its first step, due after that step's delay. A contact who was
 * in it before, unsubscribed, has no email address, or does not meet the entry conditions is
 * skipped with the reason.
 */
export async function enrollContacts(
  ctx: AppContext,
  workspaceId: string,
  sequenceId: string,
  contactIds: string[],
  via: Via,
): Promise<{ enrolled: number; skipped: { contact_id: string; reason: string }[] }> {
  const sequence = await requireSequence(ctx.db, workspaceId, sequenceId);
  if (sequence.state !== "active") {
    throw new Problem(409, "sequence_not_active", "Activate the sequence before adding contacts", {
      field: "state",
    });
  }
  const steps = await stepsOf(ctx.db, workspaceId, sequenceId);
  if (steps.length === 0)
    throw new Problem(409, "sequence_empty", "Add a step before adding contacts", { field: "steps" });
  const schedule = scheduleOf(await readWorkspaceSettings(ctx.db, workspaceId));
  const now = ctx.now();
  const due = dueAfter(now, { amount: steps[0].delay_amount, unit: steps[0].delay_unit }, schedule);
  let enrolled = 0;
  const skipped: { contact_id: string; reason: string }[] = [];
  for (const contactId of [...new Set(contactIds)]) {
    const reason = await enrollOne(ctx.db, workspaceId, sequence, contactId, { via, now, due });
    if (reason) skipped.push({ contact_id: contactId, reason });
    else enrolled += 1;
  }
  return { enrolled, skipped };
}

async function enrollOne(
  db: Db,
  workspaceId: string,
  sequence: { id: string; entry_conditions: unknown[] },
  contactId: string,
  entry: { via: Via; now: Date; due: Date },
): Promise<string | null> {
  let subject: ConditionSubject;
  try {
    subject = await subjectOf(db, workspaceId, contactId);
  } catch (error) {
    if (error instanceof Problem && error.status === 404) return "no such contact in this workspace";
    throw error;
  }
  if (!subject.contact.email) return "the contact has no email address";
  const suppressed = await isSuppressed(db, workspaceId, contactId);
  if (suppressed) return `the contact ${suppressed}`;
  if (!allHold(sequence.entry_conditions as Condition[], subject)) return "the entry conditions are not met";
  const row = await db
    .insertInto("sequence_enrollments")
    .values({
      workspace_id: workspaceId,
      sequence_id: sequence.id,
      contact_id: contactId,
      state: "active",
      next_position: 0,
      due_at: entry.due,
      entered_via: entry.via,
      entered_at: entry.now,
    })
    .onConflict((oc) => oc.columns(["workspace_id", "sequence_id", "contact_id"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  return row ? null : "the contact is or was already in this sequence";
}

export async function enrollByHand(ctx: AppContext, principal: Principal, id: string, contactIds: string[]) {
  const result = await enrollContacts(ctx, principal.workspaceId, id, contactIds, "manual");
  await recordAudit(ctx.db, principal, {
    action: "sequence.enrolled",
    targetType: "sequence",
    targetId: id,
    data: { via: "manual", enrolled: result.enrolled },
  });
  return result;
}

/** Enrolls every contact of the workspace (or of one company) that matches the conditions. */
export async function enrollSegment(
  ctx: AppContext,
  principal: Principal,
  id: string,
  segment: Static<typeof EnrollSegmentBody>,
) {
  const workspaceId = principal.workspaceId;
  await requireSequence(ctx.db, workspaceId, id);
  const matching = await segmentContacts(ctx, principal, segment);
  const result =
    matching.length > 0
      ? await enrollContacts(ctx, workspaceId, id, matching, "segment")
      : { enrolled: 0, skipped: [] };
  await recordAudit(ctx.db, principal, {
    action: "sequence.enrolled",
    targetType: "sequence",
    targetId: id,
    data: { via: "segment", enrolled: result.enrolled },
  });
  return result;
}

/** The contacts of the workspace (optionally of one company) that match every condition. */
export async function segmentContacts(
  ctx: AppContext,
  principal: Principal,
  segment: Static<typeof EnrollSegmentBody>,
): Promise<string[]> {
  const matching: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listContacts(ctx, principal, { company_id: segment.company_id, cursor, limit: 100 });
    for (const contact of page.data) {
      const subject = await subjectOf(ctx.db, principal.workspaceId, contact.id);
      if (allHold(segment.conditions as Condition[], subject)) matching.push(contact.id);
    }
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return matching;
}

/**
 * An API event about a contact: remembered (step conditions can ask whether it happened) and
 * enters them into every active sequence that starts on it.
 */
export async function recordEvent(
  ctx: AppContext,
  principal: Principal,
  input: Static<typeof RecordEventBody>,
) {
  const workspaceId = principal.workspaceId;
  if (!input.contact_id && !input.email) throw invalid("contact_id", "Give contact_id or email");
  let contactId = input.contact_id;
  if (contactId) {
    await getContact(ctx.db, workspaceId, contactId).catch(() => {
      throw invalid("contact_id", "No contact with this id in this workspace");
    });
  } else {
    contactId = (await findOrCreateContactByEmail(ctx.db, workspaceId, { email: input.email! })).id;
  }
  const now = ctx.now();
  await ctx.db
    .insertInto("contact_events")
    .values({
      workspace_id: workspaceId,
      contact_id: contactId,
      name: input.name,
      first_at: now,
      last_at: now,
    })
    .onConflict((oc) =>
      oc
        .columns(["workspace_id", "contact_id", "name"])
        .doUpdateSet({ last_at: now, count: sql`contact_events.count + 1` }),
    )
    .execute();
  const sequences = await ctx.db
    .selectFrom("sequences")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("state", "=", "active")
    .where("entry_event", "=", input.name)
    .execute();
  const entered: string[] = [];
  for (const sequence of sequences) {
    const result = await enrollContacts(ctx, workspaceId, sequence.id, [contactId], "event").catch(
      (error) => {
        if (error instanceof Problem && error.status === 409) return { enrolled: 0, skipped: [] };
        throw error;
      },
    );
    if (result.enrolled > 0) entered.push(sequence.id);
  }
  return { contact_id: contactId, entered_sequence_ids: entered };
}

const enrollmentColumns = [
  "e.id",
  "e.sequence_id",
  "s.name as sequence_name",
  "e.contact_id",
  "e.state",
  "e.next_position",
  "e.due_at",
  "e.pause_cause",
  "e.pause_reason",
  "e.paused_conversation_id",
  "e.paused_at",
  "e.resume_at",
  "e.entered_via",
  "e.entered_at",
  "e.last_sent_at",
] as const;

/** A contact's sequences with the state of each, why it is paused, and what was sent: for the sidebar. */
export async function sequencesOfContact(ctx: AppContext, principal: Principal, contactId: string) {
  const workspaceId = principal.workspaceId;
  await getContact(ctx.db, workspaceId, contactId);
  const rows = await ctx.db
    .selectFrom("sequence_enrollments as e")
    .innerJoin("sequences as s", (join) =>
      join.onRef("s.workspace_id", "=", "e.workspace_id").onRef("s.id", "=", "e.sequence_id"),
    )
    .select(enrollmentColumns)
    .where("e.workspace_id", "=", workspaceId)
    .where("e.contact_id", "=", contactId)
    .orderBy("e.entered_at", "desc")
    .execute();
  const sends = await ctx.db
    .selectFrom("sequence_sends")
    .select(["enrollment_id", "position", "state", "detail", "at"])
    .where("workspace_id", "=", workspaceId)
    .where("contact_id", "=", contactId)
    .orderBy("at")
    .execute();
  return {
    suppressed: await isSuppressed(ctx.db, workspaceId, contactId),
    data: rows.map((row) =>
      presentEnrollment(
        row,
        sends.filter((s) => s.enrollment_id === row.id),
      ),
    ),
  };
}

function presentEnrollment(
  row: { id: string; sequence_id: string; sequence_name: string } & Record<string, unknown>,
  history: { position: number; state: string; detail: string | null; at: Date }[],
) {
  const { sequence_id, sequence_name, ...rest } = row;
  return {
    ...rest,
    sequence: { id: sequence_id, name: sequence_name },
    history: history.map(({ position, state, detail, at }) => ({ position, state, detail, at })),
  };
}

/**
 * An agent pauses, resumes or stops one contact's place in a sequence. Resuming sends a step that
 * fell due during the pause right away, never the ones before it.
 */
export async function updateEnrollment(
  ctx: AppContext,
  principal: Principal,
  id: string,
  input: Static<typeof UpdateEnrollmentBody>,
) {
  const workspaceId = principal.workspaceId;
  const now = ctx.now();
  const contactId = await ctx.db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom("sequence_enrollments")
      .select(["id", "state", "contact_id", "due_at"])
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw notFound("Enrollment");
    if (current.state !== "active" && current.state !== "paused") {
      throw new Problem(409, "enrollment_finished", `This contact's sequence is ${current.state}`, {
        field: "state",
      });
    }
    const member = principal.agentId;
    const change =
      input.state === "paused"
        ? {
            state: "paused" as const,
            pause_cause: "agent" as const,
            pause_reason: input.reason ?? "paused by an agent",
            paused_conversation_id: null,
            paused_at: now,
            resume_at: null,
          }
        : input.state === "stopped"
          ? {
              state: "stopped" as const,
              pause_reason: input.reason ?? "stopped by an agent",
              resume_at: null,
              finished_at: now,
            }
          : {
              state: "active" as const,
              pause_cause: null,
              pause_reason: null,
              paused_conversation_id: null,
              paused_at: null,
              resume_at: null,
              due_at: current.due_at && current.due_at > now ? current.due_at : now,
            };
    await trx
      .updateTable("sequence_enrollments")
      .set(change)
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .execute();
    await recordAudit(trx, principal, {
      action: `sequence.enrollment_${input.state}`,
      targetType: "sequence_enrollment",
      targetId: id,
      data: { by: member, reason: input.reason ?? null },
    });
    return current.contact_id;
  });
  const list = await sequencesOfContact(ctx, principal, contactId);
  return list.data.find((e) => e.id === id)!;
}

/** After an unsubscribe: the contact leaves every sequence of the workspace. */
export async function stopAutomationFor(
  ctx: AppContext,
  workspaceId: string,
  contactId: string,
  state: "unsubscribed" | "stopped",
): Promise<void> {
  await ctx.db
    .updateTable("sequence_enrollments")
    .set({ state, due_at: null, resume_at: null, finished_at: ctx.now() })
    .where("workspace_id", "=", workspaceId)
    .where("contact_id", "=", contactId)
    .where("state", "in", ["active", "paused"])
    .execute();
}
