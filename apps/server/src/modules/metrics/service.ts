import { createHash } from "node:crypto";
import { sql } from "kysely";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import { getWorkspace } from "../workspaces/service.ts";
import type { WorkspaceSettings } from "../workspaces/settings.ts";
import { type Schedule, scheduleOf } from "./business-hours.ts";
import { type ConversationMetrics, computeMetrics, sameMetrics } from "./conversation-metrics.ts";
import { applyDelta } from "./rollup-store.ts";
import { type CsatFact, RollupDelta } from "./rollups.ts";
import { readTimelines } from "./timeline-source.ts";

/** Bump when a metric definition changes: every workspace's rollups are then rebuilt on demand. */
export const DEFINITIONS_VERSION = 1;

export interface WorkspaceClock {
  settings: WorkspaceSettings;
  schedule: Schedule;
  /** Identifies the settings and definitions the rollups were built with. */
  fingerprint: string;
}

const clocks = new Map<string, WorkspaceClock>();

/**
 * The workspace's time zone and opening hours as a schedule. Schedules are kept per settings
 * fingerprint, so their cached opening intervals serve every conversation of the workspace.
 */
export async function workspaceClock(
  ctx: Pick<AppContext, "db">,
  workspaceId: string,
): Promise<WorkspaceClock> {
  const { settings } = await getWorkspace(ctx as AppContext, workspaceId);
  const fingerprint = fingerprintOf(settings);
  const key = `${workspaceId}|${fingerprint}`;
  let clock = clocks.get(key);
  if (!clock) {
    if (clocks.size > 200) clocks.clear();
    clock = { settings, schedule: scheduleOf(settings), fingerprint };
    clocks.set(key, clock);
  }
  return clock;
}

export function fingerprintOf(
  settings: Pick<WorkspaceSettings, "time_zone" | "business_hours" | "holidays">,
) {
  const { time_zone, business_hours, holidays } = settings;
  return createHash("sha256")
    .update(JSON.stringify({ v: DEFINITIONS_VERSION, time_zone, business_hours, holidays }))
    .digest("hex")
    .slice(0, 32);
}

/*
 * Locks. Every incremental change to a workspace's rollups holds a shared lock on the workspace; a
 * rebuild holds it exclusively. Incremental writers only try the lock: during a rebuild they hand
 * their work to a retry job instead of keeping a request waiting.
 */
const lockId = (name: string) => sql<string>`hashtextextended(${name}, 0)`;

export async function tryShareRollups(trx: Db, workspaceId: string): Promise<boolean> {
  const row = await sql<{
    ok: boolean;
  }>`select pg_try_advisory_xact_lock_shared(${lockId(`rollups:${workspaceId}`)}) as ok`.execute(trx);
  return row.rows[0]?.ok === true;
}

export async function lockRollupsExclusively(trx: Db, workspaceId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(${lockId(`rollups:${workspaceId}`)})`.execute(trx);
}

/**
 * Recomputes one conversation's metrics from its timeline and moves the rollups by the difference
 * from its previous figures, in one transaction: the metrics row and the rollups never disagree.
 */
export async function recomputeConversation(
  ctx: Pick<AppContext, "db" | "now">,
  workspaceId: string,
  conversationId: string,
): Promise<"done" | "busy"> {
  return recomputeConversations(ctx, workspaceId, [conversationId]);
}

/**
 * recomputeConversation for many conversations of one workspace at once, as the metrics listener
 * hands them over: one transaction, one read of their metrics and timelines, one move of the
 * rollups. Conversations whose figures did not change cost nothing beyond the read. "busy" when a
 * rebuild holds the rollups (nothing was written).
 */
export async function recomputeConversations(
  ctx: Pick<AppContext, "db" | "now">,
  workspaceId: string,
  conversationIds: string[],
): Promise<"done" | "busy"> {
  if (conversationIds.length === 0) return "done";
  const ids = [...new Set(conversationIds)].sort();
  const clock = await workspaceClock(ctx, workspaceId);
  return ctx.db.transaction().execute(async (trx) => {
    if (!(await tryShareRollups(trx, workspaceId))) return "busy";
    // In id order, so two batches (or a batch and a single recompute) never wait on each other in a circle.
    await sql`select pg_advisory_xact_lock(hashtextextended('metrics:' || ${workspaceId}::text || ':' || id, 0))
      from unnest(${ids}::uuid[]) as id order by id`.execute(trx);
    const stored = await metricsQuery(trx, workspaceId).where("conversation_id", "in", ids).execute();
    const previousOf = new Map(stored.map((row) => [row.conversation_id, metricsFromRow(row)]));
    const timelines = await readTimelines(trx, workspaceId, ids);
    const delta = new RollupDelta();
    const changed: { conversationId: string; metrics: ConversationMetrics }[] = [];
    const gone: string[] = [];
    for (const id of ids) {
      const previous = previousOf.get(id) ?? null;
      const timeline = timelines.get(id);
      const next = timeline ? computeMetrics(timeline.conversation, timeline.messages, clock.schedule) : null;
      if (previous === null && next === null) continue;
      if (previous !== null && next !== null && sameMetrics(previous, next)) continue;
      if (previous) delta.addMetrics(previous, -1);
      if (next) {
        delta.addMetrics(next, 1);
        changed.push({ conversationId: id, metrics: next });
      } else gone.push(id);
    }
    if (changed.length === 0 && gone.length === 0) return "done";
    await applyDelta(trx, workspaceId, delta);
    if (changed.length > 0) await saveMetrics(trx, workspaceId, changed, ctx.now());
    if (gone.length > 0) {
      await trx
        .deleteFrom("conversation_metrics")
        .where("workspace_id", "=", workspaceId)
        .where("conversation_id", "in", gone)
        .execute();
    }
    return "done";
  });
}

/**
 * Moves the CSAT rollups from one survey answer to another (null for none) in the caller's
 * transaction; false when a rebuild holds the rollups (the caller should retry).
 */
export async function applyCsatChange(
  trx: Db,
  workspaceId: string,
  timeZone: string,
  before: CsatFact | null,
  after: CsatFact | null,
): Promise<boolean> {
  if (!(await tryShareRollups(trx, workspaceId))) return false;
  const delta = new RollupDelta();
  if (before) delta.addCsat(before, timeZone, -1);
  if (after) delta.addCsat(after, timeZone, 1);
  await applyDelta(trx, workspaceId, delta);
  return true;
}

const metricColumns = [
  "inbox_id",
  "channel",
  "agent_id",
  "requested_at",
  "hour",
  "first_response_at",
  "first_response_ms",
  "first_response_business_ms",
  "answered_at",
  "asa_ms",
  "asa_business_ms",
  "resolved_at",
  "resolution_ms",
  "resolution_business_ms",
  "replies",
] as const;

/** Metrics rows as stored: dates as "YYYY-MM-DD" text, whatever the driver would make of them. */
export function metricsQuery(db: Db, workspaceId: string) {
  return db
    .selectFrom("conversation_metrics")
    .select(metricColumns)
    .select([
      "conversation_id",
      sql<string>`to_char(day, 'YYYY-MM-DD')`.as("day"),
      sql<string | null>`to_char(resolution_day, 'YYYY-MM-DD')`.as("resolution_day"),
    ])
    .where("workspace_id", "=", workspaceId);
}

type StoredRow = Awaited<ReturnType<ReturnType<typeof metricsQuery>["execute"]>>[number];

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export function metricsFromRow(row: StoredRow): ConversationMetrics {
  return {
    inbox_id: row.inbox_id,
    channel: row.channel,
    agent_id: row.agent_id,
    requested_at: row.requested_at,
    day: row.day,
    hour: Number(row.hour),
    first_response_at: row.first_response_at,
    first_response_ms: num(row.first_response_ms),
    first_response_business_ms: num(row.first_response_business_ms),
    answered_at: row.answered_at,
    asa_ms: num(row.asa_ms),
    asa_business_ms: num(row.asa_business_ms),
    resolved_at: row.resolved_at,
    resolution_day: row.resolution_day,
    resolution_ms: num(row.resolution_ms),
    resolution_business_ms: num(row.resolution_business_ms),
    replies: Number(row.replies),
  };
}

/** Only what the rollups add up, in conversation id order after `afterId` (a rebuild reads them all). */
export async function contributionsAfter(db: Db, workspaceId: string, afterId: string | null, limit: number) {
  let query = db
    .selectFrom("conversation_metrics")
    .select(["conversation_id", "inbox_id", "channel", "agent_id", "hour", "replies"])
    .select([
      sql<string>`to_char(day, 'YYYY-MM-DD')`.as("day"),
      sql<string | null>`to_char(resolution_day, 'YYYY-MM-DD')`.as("resolution_day"),
      // Durations as float8, which both drivers return as numbers (bigint comes back as text).
      ...(
        [
          "first_response_ms",
          "first_response_business_ms",
          "asa_ms",
          "asa_business_ms",
          "resolution_ms",
          "resolution_business_ms",
        ] as const
      ).map((c) => sql<number | null>`${sql.ref(c)}::float8`.as(c)),
    ])
    .where("workspace_id", "=", workspaceId)
    .orderBy("conversation_id")
    .limit(limit);
  if (afterId) query = query.where("conversation_id", ">", afterId);
  return query.execute();
}

export async function findMetrics(db: Db, workspaceId: string, conversationId: string) {
  const row = await metricsQuery(db, workspaceId)
    .where("conversation_id", "=", conversationId)
    .executeTakeFirst();
  return row ? metricsFromRow(row) : null;
}

/**
 * Writes metrics rows (insert or replace). Rows travel as one JSON parameter per few thousand rows
 * (json_populate_recordset): a rebuild writes a million, and binding twenty parameters per row
 * would cost more than the writes.
 */
export async function saveMetrics(
  trx: Db,
  workspaceId: string,
  items: { conversationId: string; metrics: ConversationMetrics }[],
  at: Date,
): Promise<void> {
  const rows = items.map(({ conversationId, metrics }) => ({
    workspace_id: workspaceId,
    conversation_id: conversationId,
    ...metrics,
    computed_at: at,
  }));
  const replace = sql.join(
    [...metricColumns, "day", "resolution_day", "computed_at"].map((c) => sql.raw(`${c} = excluded.${c}`)),
  );
  for (let i = 0; i < rows.length; i += 5000) {
    const json = JSON.stringify(rows.slice(i, i + 5000));
    await sql`insert into conversation_metrics select * from json_populate_recordset(null::conversation_metrics, ${json}::json)
      on conflict (workspace_id, conversation_id) do update set ${replace}`.execute(trx);
  }
}
