import type { AppContext } from "../../context.ts";
import type { Principal } from "../../http/principal.ts";
import { decodeCursor, encodeCursor } from "../../lib/cursor.ts";
import { notFound } from "../../lib/errors.ts";
import { realtimeHubOf } from "../../realtime/socket-hub.ts";
import { hourlyVolume, sumRollups } from "../metrics/rollup-reads.ts";
import { workspaceClock } from "../metrics/service.ts";
import { conversationNumbers, countWaiting, waitingConversations } from "../metrics/timeline-source.ts";
import { addDays, instantAt, localDateOf, parseDate, weekdayOf } from "../metrics/zoned-time.ts";
import { commentsPage } from "../surveys/queries.ts";
import { listTeam } from "../workspaces/team.ts";
import { latencyFigures, type ReportQuery, reportScope } from "./service.ts";

const WAITING_SHOWN = 100;

/**
 * What is happening now: customers waiting for a human (oldest first, with how long), agents
 * online, and today's ASA so far against the workspace's target.
 */
export async function liveReport(ctx: AppContext, principal: Principal) {
  const workspaceId = principal.workspaceId;
  const now = ctx.now();
  const clock = await workspaceClock(ctx, workspaceId);
  const today = localDateOf(now.getTime(), clock.schedule.timeZone);
  const [waiting, count, [sums]] = await Promise.all([
    waitingConversations(ctx.db, workspaceId, WAITING_SHOWN),
    countWaiting(ctx.db, workspaceId),
    sumRollups(
      ctx.db,
      workspaceId,
      { from: today, to: today },
      { group: null, latencies: ["asa"], business: false, counts: false },
    ),
  ]);
  const asa = latencyFigures(sums?.latency.asa);
  const targetMs = clock.settings.target_response_minutes * 60_000;
  const hub = realtimeHubOf(ctx);
  return {
    at: now,
    waiting: {
      count,
      conversations: waiting.map((c) => ({
        conversation_id: c.id,
        number: Number(c.number),
        subject: c.subject,
        channel: c.channel,
        inbox_id: c.inbox_id,
        assignee_id: c.assignee_id,
        waiting_since: c.waiting_since!,
        wait_ms: Math.max(0, now.getTime() - new Date(c.waiting_since!).getTime()),
      })),
    },
    agents_online: hub
      ? hub.presence(workspaceId).map((p) => ({ agent_id: p.agent_id, name: p.name }))
      : null,
    agents_note: hub ? null : "This instance serves no realtime connections, so it cannot see who is online.",
    today: {
      day: today,
      asa,
      target_ms: targetMs,
      within_target: asa.mean_ms === null ? null : asa.mean_ms <= targetMs,
    },
  };
}

/** Conversations per weekday and hour of the range: a 7 × 24 grid, zeros included. */
export async function volumeByHourReport(ctx: AppContext, principal: Principal, query: ReportQuery) {
  const scope = await reportScope(ctx, principal, { ...query, hours: "wall" });
  const grid = Array.from({ length: 7 * 24 }, (_, i) => ({
    weekday: Math.floor(i / 24),
    hour: i % 24,
    conversations: 0,
  }));
  for (const row of await hourlyVolume(ctx.db, scope.workspaceId, scope.filter)) {
    grid[weekdayOf(parseDate(row.day)) * 24 + row.hour].conversations += row.conversations;
  }
  return { from: scope.range.from, to: scope.range.to, time_zone: scope.head.time_zone, rows: grid };
}

export interface CommentsQuery extends ReportQuery {
  agent_id?: string;
  bad_only?: boolean;
  cursor?: string;
  limit?: number;
}

/** Survey comments and okay/bad ratings, newest first, with the conversation's number. */
export async function commentsFeed(ctx: AppContext, principal: Principal, query: CommentsQuery) {
  const scope = await reportScope(ctx, principal, { ...query, hours: "wall" });
  if (query.agent_id) {
    const team = await listTeam(ctx, principal);
    if (!team.some((m) => m.id === query.agent_id)) throw notFound("Agent");
  }
  const cursor = query.cursor
    ? (decodeCursor(query.cursor, ["date", "uuid"]) as [string, string])
    : undefined;
  const timeZone = scope.head.time_zone;
  const limit = query.limit ?? 50;
  const rows = await commentsPage(ctx.db, scope.workspaceId, {
    from: new Date(instantAt(parseDate(scope.range.from), 0, timeZone)),
    to: new Date(instantAt(addDays(parseDate(scope.range.to), 1), 0, timeZone)),
    badOnly: query.bad_only === true,
    agentId: query.agent_id,
    inboxId: query.inbox_id,
    cursor,
    limit,
  });
  const page = rows.slice(0, limit);
  const numbers = await conversationNumbers(
    ctx.db,
    scope.workspaceId,
    page.map((r) => r.conversation_id),
  );
  const last = page[page.length - 1];
  return {
    data: page.map(({ sort_key: _, ...row }) => ({
      ...row,
      conversation_number: numbers.get(row.conversation_id) ?? null,
    })),
    next_cursor: rows.length > limit && last ? encodeCursor([last.sort_key, last.survey_id]) : null,
  };
}
