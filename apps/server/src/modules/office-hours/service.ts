import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { Principal } from "../../http/principal.ts";
import { invalid, notFound } from "../../lib/errors.ts";
import { recordAudit } from "../audit/service.ts";
import {
  addDays,
  formatDate,
  instantAt,
  type LocalDate,
  parseDate,
  wallClockAt,
  weekdayOf,
} from "../metrics/zoned-time.ts";
import { getMember, readWorkspaceSettings } from "../workspaces/service.ts";
import { StrictObject, Uuid } from "../../../../../packages/contracts/src/index.ts";

/*
 * Founder office hours: weekly slots (in the workspace's time zone) when an owner answers chat
 * themselves. During a slot the widget says so and new chats are routed to that owner
 * (routing.ts); the weekly report shows how often each founder was really there.
 */

export const Weekday = Type.Integer({ minimum: 0, maximum: 6, description: "0 = Monday … 6 = Sunday" });
const Clock = Type.String({ pattern: "^([01]\\d|2[0-3]):[0-5]\\d$|^24:00$" });

export const OfficeHoursSlot = Type.Object({
  id: Uuid,
  agent: Type.Object({ id: Uuid, name: Type.String() }),
  weekday: Type.Integer(),
  start: Type.String(),
  end: Type.String(),
});

export const CreateSlotBody = StrictObject({ weekday: Weekday, start: Clock, end: Clock });

export const ReportQuery = StrictObject({
  weeks: Type.Optional(Type.Integer({ minimum: 1, maximum: 52, default: 8 })),
});

export const PresenceReport = Type.Object({
  time_zone: Type.String(),
  weeks: Type.Array(
    Type.Object({
      week_start: Type.String({ format: "date" }),
      founders: Type.Array(
        Type.Object({
          agent: Type.Object({ id: Uuid, name: Type.String() }),
          sessions_scheduled: Type.Integer(),
          /** Sessions in which the founder answered at least one chat routed to them. */
          sessions_held: Type.Integer(),
          chats_routed: Type.Integer(),
          chats_answered: Type.Integer(),
        }),
      ),
    }),
  ),
});

const minutes = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));
const clockOf = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;

async function slotsOf(db: Db, workspaceId: string) {
  return db
    .selectFrom("office_hours")
    .select(["id", "agent_id", "weekday", "start_minute", "end_minute"])
    .where("workspace_id", "=", workspaceId)
    .orderBy("weekday")
    .orderBy("start_minute")
    .orderBy("id")
    .execute();
}

async function present(db: Db, workspaceId: string, rows: Awaited<ReturnType<typeof slotsOf>>) {
  const names = new Map<string, string>();
  const out = [];
  for (const row of rows) {
    if (!names.has(row.agent_id))
      names.set(row.agent_id, (await getMember(db, workspaceId, row.agent_id))?.name ?? "former owner");
    out.push({
      id: row.id,
      agent: { id: row.agent_id, name: names.get(row.agent_id)! },
      weekday: row.weekday,
      start: clockOf(row.start_minute),
      end: clockOf(row.end_minute),
    });
  }
  return out;
}

export async function listSlots(ctx: AppContext, principal: Principal) {
  return { data: await present(ctx.db, principal.workspaceId, await slotsOf(ctx.db, principal.workspaceId)) };
}

/** An owner marks a weekly slot for themselves; slots of one founder may not overlap. */
export async function addSlot(
  ctx: AppContext,
  principal: Principal,
  input: { weekday: number; start: string; end: string },
) {
  const start = minutes(input.start);
  const end = minutes(input.end);
  if (end <= start) throw invalid("end", "Office hours end after they start");
  const id = await ctx.db.transaction().execute(async (trx) => {
    const overlapping = await trx
      .selectFrom("office_hours")
      .select("id")
      .where("workspace_id", "=", principal.workspaceId)
      .where("agent_id", "=", principal.agentId)
      .where("weekday", "=", input.weekday)
      .where("start_minute", "<", end)
      .where("end_minute", ">", start)
      .executeTakeFirst();
    if (overlapping) throw invalid("start", "These hours overlap office hours you already hold that day");
    const row = await trx
      .insertInto("office_hours")
      .values({
        workspace_id: principal.workspaceId,
        agent_id: principal.agentId,
        weekday: input.weekday,
        start_minute: start,
        end_minute: end,
        created_at: ctx.now(),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAudit(trx, principal, {
      action: "office_hours.added",
      targetType: "office_hours",
      targetId: row.id,
      data: input,
    });
    return row.id;
  });
  const rows = (await slotsOf(ctx.db, principal.workspaceId)).filter((r) => r.id === id);
  return (await present(ctx.db, principal.workspaceId, rows))[0];
}

export async function removeSlot(ctx: AppContext, principal: Principal, id: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom("office_hours")
      .where("workspace_id", "=", principal.workspaceId)
      .where("id", "=", id)
      .executeTakeFirst();
    if (Number(removed.numDeletedRows) === 0) throw notFound("Office hours");
    await recordAudit(trx, principal, {
      action: "office_hours.removed",
      targetType: "office_hours",
      targetId: id,
    });
  });
}

export interface FounderOnDuty {
  agentId: string;
  name: string;
  officeHoursId: string;
  /** When this slot ends. */
  until: Date;
}

/**
 * The founder holding office hours at `at` in the workspace, or null. For the chat widget ("You're
 * talking to the founder today") and for routing new chats. When two founders overlap, the one
 * whose slot started first answers.
 */
export async function founderOnDuty(
  ctx: AppContext,
  workspaceId: string,
  at: Date,
): Promise<FounderOnDuty | null> {
  const { time_zone: timeZone } = await readWorkspaceSettings(ctx.db, workspaceId);
  const clock = wallClockAt(at.getTime(), timeZone);
  const date: LocalDate = { year: clock.year, month: clock.month, day: clock.day };
  const minute = clock.hour * 60 + clock.minute;
  const slots = await ctx.db
    .selectFrom("office_hours")
    .select(["id", "agent_id", "end_minute"])
    .where("workspace_id", "=", workspaceId)
    .where("weekday", "=", weekdayOf(date))
    .where("start_minute", "<=", minute)
    .where("end_minute", ">", minute)
    .orderBy("start_minute")
    .orderBy("id")
    .execute();
  for (const slot of slots) {
    // Only someone who is still an owner holds office hours.
    const member = await getMember(ctx.db, workspaceId, slot.agent_id);
    if (member?.role !== "owner") continue;
    return {
      agentId: member.id,
      name: member.name,
      officeHoursId: slot.id,
      until: new Date(instantAt(date, slot.end_minute, timeZone)),
    };
  }
  return null;
}

/**
 * Per week (Monday first, workspace time zone) and founder: the sessions their current slots gave
 * that week (up to now), how many of those they held (answered a routed chat), chats routed and
 * answered. Slots are weekly, so weeks before a slot was created count from its creation.
 */
export async function presenceReport(ctx: AppContext, principal: Principal, weeks: number) {
  const workspaceId = principal.workspaceId;
  const { time_zone: timeZone } = await readWorkspaceSettings(ctx.db, workspaceId);
  const now = ctx.now().getTime();
  const today = parseDate(formatDate(wallClockAt(now, timeZone)));
  const thisMonday = addDays(today, -weekdayOf(today));
  const firstMonday = addDays(thisMonday, -7 * (weeks - 1));
  const from = instantAt(firstMonday, 0, timeZone);
  const slots = await slotsOf(ctx.db, workspaceId);
  const created = new Map(
    (
      await ctx.db
        .selectFrom("office_hours")
        .select(["id", "created_at"])
        .where("workspace_id", "=", workspaceId)
        .execute()
    ).map((r) => [r.id, r.created_at.getTime()]),
  );
  const chats = await ctx.db
    .selectFrom("office_hours_chats")
    .select(["agent_id", "office_hours_id", "routed_at", "answered_at"])
    .where("workspace_id", "=", workspaceId)
    .where("routed_at", ">=", new Date(from))
    .execute();
  const founders = new Map<string, string>();
  for (const id of new Set([...slots.map((s) => s.agent_id), ...chats.map((c) => c.agent_id)])) {
    founders.set(id, (await getMember(ctx.db, workspaceId, id))?.name ?? "former owner");
  }
  const weekOf = (ms: number) => {
    const d = parseDate(formatDate(wallClockAt(ms, timeZone)));
    return formatDate(addDays(d, -weekdayOf(d)));
  };
  const result = [];
  for (let w = 0; w < weeks; w++) {
    const monday = addDays(firstMonday, 7 * w);
    const key = formatDate(monday);
    const rows = [];
    for (const [agentId, name] of founders) {
      let scheduled = 0;
      for (const slot of slots.filter((s) => s.agent_id === agentId)) {
        const starts = instantAt(addDays(monday, slot.weekday), slot.start_minute, timeZone);
        if (starts <= now && starts >= (created.get(slot.id) ?? 0)) scheduled += 1;
      }
      const mine = chats.filter((c) => c.agent_id === agentId && weekOf(c.routed_at.getTime()) === key);
      const held = new Set(
        mine
          .filter((c) => c.answered_at)
          .map((c) => `${c.office_hours_id}:${formatDate(wallClockAt(c.routed_at.getTime(), timeZone))}`),
      );
      rows.push({
        agent: { id: agentId, name },
        sessions_scheduled: Math.max(scheduled, held.size),
        sessions_held: held.size,
        chats_routed: mine.length,
        chats_answered: mine.filter((c) => c.answered_at).length,
      });
    }
    result.push({ week_start: key, founders: rows });
  }
  return { time_zone: timeZone, weeks: result };
}
