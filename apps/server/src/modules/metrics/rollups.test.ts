import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Channel, Role, SurveyRating } from "../../db/schema.ts";
import { databaseKinds, startTestServer, type TestServer } from "../../test/harness.ts";
import { eventually } from "../conversations/test-support.ts";
import { recordComment, recordRating } from "../surveys/responses.ts";
import { issueNonce, signSurveyLink, verifySurveyLink } from "../surveys/tokens.ts";
import { computeMetrics } from "./conversation-metrics.ts";
import { rebuildWorkspaceRollups, rebuiltFingerprint } from "./rebuild.ts";
import { ROLLUP_TABLES } from "./rollup-store.ts";
import { type DailyCell, RollupDelta, type RollupLevel } from "./rollups.ts";
import { workspaceClock } from "./service.ts";
import { metricsSettled, timeline, timelineWorkspace, type TimelineWorkspace } from "./test-support.ts";
import { readTimelines } from "./timeline-source.ts";

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  return {
    next,
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)],
    int: (n: number) => Math.floor(next() * n),
  };
}

const key = (r: Record<string, unknown>) =>
  JSON.stringify([r.day, r.inbox_id ?? null, r.channel ?? null, r.agent_id ?? r.hour ?? null]);
/** Rows as comparable text: numbers as numbers (drivers return some as strings), text as text. */
const normalize = (r: Record<string, unknown>) =>
  JSON.stringify(
    Object.entries(r).map(([k, v]) => [
      k,
      Array.isArray(v) ? v.map(Number) : typeof v === "string" || v === null ? v : Number(v),
    ]),
  );

describe.each(databaseKinds)("rollups on %s", (kind) => {
  let server: TestServer;
  let ws: TimelineWorkspace;

  beforeAll(async () => {
    server = await startTestServer(kind);
    ws = await timelineWorkspace(server, "Rollups");
    const day = [{ open: "08:30", close: "18:00" }];
    await timeline(server, ws).settings({
      time_zone: "Europe/Berlin",
      business_hours: {
        monday: day,
        tuesday: day,
        wednesday: day,
        thursday: day,
        friday: day,
        saturday: [],
        sunday: [],
      },
      holidays: ["2026-10-26"],
    });
    const { fingerprint } = await workspaceClock(server.ctx, ws.workspaceId);
    await eventually(async () =>
      (await rebuiltFingerprint(server.ctx, ws.workspaceId)) === fingerprint ? true : undefined,
    );
  });
  afterAll(async () => {
    await server?.destroy();
  });

  /** The rollups as stored, without rows that add up to nothing. */
  async function stored() {
    const hourly = await sql<
      Record<string, unknown>
    >`select to_char(day, 'YYYY-MM-DD') as day, inbox_id, channel, hour, conversations
      from report_hourly_volume where workspace_id = ${ws.workspaceId} and conversations <> 0`.execute(
      server.ctx.db,
    );
    return {
      daily: await storedDaily("agent"),
      totals: await storedDaily("inbox"),
      workspace: await storedDaily("workspace"),
      hourly: new Map(hourly.rows.map((r) => [key(r), normalize(r)])),
    };
  }

  async function storedDaily(level: RollupLevel) {
    const { table, dimensions } = ROLLUP_TABLES[level];
    const keys = dimensions.filter((d) => d !== "day").map((d) => sql.raw(`${d},`));
    const latency = (["first_response", "asa", "resolution"] as const).map((n) =>
      sql.raw(`${n}_count, ${n}_sum_ms::text, ${n}_business_sum_ms::text, ${n}_hist, ${n}_business_hist`),
    );
    const rows = await sql<
      Record<string, unknown>
    >`select to_char(day, 'YYYY-MM-DD') as day, ${sql.join(keys, sql` `)}
      conversations, replies, ${sql.join(latency)}, csat_great, csat_good, csat_okay, csat_bad, csat_comments
      from ${sql.table(table)} where workspace_id = ${ws.workspaceId}`.execute(server.ctx.db);
    const nonZero = (row: Record<string, unknown>) =>
      Object.entries(row).some(
        ([k, v]) =>
          !["day", "inbox_id", "channel", "agent_id"].includes(k) &&
          (Array.isArray(v) ? v.some((n) => n !== 0) : Number(v) !== 0),
      );
    return new Map(rows.rows.filter(nonZero).map((r) => [key(r), normalize(r)]));
  }

  /** The same figures computed from scratch: every conversation's timeline and every survey answer. */
  async function bruteForce() {
    const clock = await workspaceClock(server.ctx, ws.workspaceId);
    const ids = (
      await server.ctx.db
        .selectFrom("conversations")
        .select("id")
        .where("workspace_id", "=", ws.workspaceId)
        .execute()
    ).map((r) => r.id);
    const sums = new RollupDelta();
    for (const t of (await readTimelines(server.ctx.db, ws.workspaceId, ids)).values()) {
      sums.addMetrics(computeMetrics(t.conversation, t.messages, clock.schedule), 1);
    }
    const answers = await server.ctx.db
      .selectFrom("survey_responses as r")
      .innerJoin("surveys as s", (j) =>
        j.onRef("s.id", "=", "r.survey_id").onRef("s.workspace_id", "=", "r.workspace_id"),
      )
      .select(["r.responded_at", "s.inbox_id", "s.channel", "s.agent_id", "r.rating", "r.comment"])
      .where("r.workspace_id", "=", ws.workspaceId)
      .execute();
    for (const a of answers)
      sums.addCsat({ ...a, has_comment: a.comment !== null }, clock.schedule.timeZone, 1);
    const row = (c: DailyCell, level: RollupLevel) => ({
      ...Object.fromEntries(ROLLUP_TABLES[level].dimensions.map((d) => [d, c[d as keyof DailyCell]])),
      conversations: c.conversations,
      replies: c.replies,
      ...Object.fromEntries(
        (["first_response", "asa", "resolution"] as const).flatMap((n) => [
          [`${n}_count`, c.latency[n].count],
          [`${n}_sum_ms`, String(c.latency[n].sum)],
          [`${n}_business_sum_ms`, String(c.latency[n].business_sum)],
          [`${n}_hist`, c.latency[n].hist],
          [`${n}_business_hist`, c.latency[n].business_hist],
        ]),
      ),
      csat_great: c.csat.great,
      csat_good: c.csat.good,
      csat_okay: c.csat.okay,
      csat_bad: c.csat.bad,
      csat_comments: c.csat.comments,
    });
    const map = (rows: Record<string, unknown>[]) => new Map(rows.map((r) => [key(r), normalize(r)]));
    return {
      daily: map(sums.changed("agent").map((c) => row(c, "agent"))),
      totals: map(sums.changed("inbox").map((c) => row(c, "inbox"))),
      workspace: map(sums.changed("workspace").map((c) => row(c, "workspace"))),
      hourly: map(sums.changedHourly() as unknown as Record<string, unknown>[]),
    };
  }

  const metricsRows = async (workspaceId: string) =>
    (
      await sql<
        Record<string, unknown>
      >`select * from conversation_metrics where workspace_id = ${workspaceId}
        order by conversation_id`.execute(server.ctx.db)
    ).rows.map(({ computed_at: _computed, ...row }) => row);
  /** The rollup rows that hold something: a delta can leave a row at zero where a rebuild writes none. */
  const rollupRows = async (workspaceId: string) => {
    const rows = (
      await sql<
        Record<string, unknown>
      >`select * from report_daily_rollups where workspace_id = ${workspaceId}
        order by 1, 2, 3, 4, 5, 6`.execute(server.ctx.db)
    ).rows.map(({ updated_at: _updated, ...row }) => row);
    const isZero = (value: unknown): boolean =>
      Array.isArray(value) ? value.every(isZero) : value === 0 || value === "0" || value === null;
    return rows.filter((row) =>
      Object.entries(row).some(([column, value]) => !/(_id|^day|^channel)$/.test(column) && !isZero(value)),
    );
  };

  it("keeps the same figures when the listener takes a burst of random histories in batches", async () => {
    const burst = await timelineWorkspace(server, "Burst");
    const rng = random(20261208);
    // Nothing waits for the listener between writes: it takes them in batches, several per conversation.
    const t = timeline(server, burst, { settle: false });
    const channels: Channel[] = ["chat", "callback", "api", "email"];
    const roles: Role[] = ["owner", "admin", "agent"];
    const conversations: { id: string; at: number; open: boolean }[] = [];
    for (let i = 0; i < 12; i++) {
      const at = Date.parse("2026-10-22T06:00:00Z") + rng.int(6 * 24 * 60) * 60_000;
      const id = await t.open(rng.pick(channels), new Date(at).toISOString());
      conversations.push({ id, at, open: true });
    }
    // Interleaved, so that one batch holds steps of many conversations and several of one.
    for (let e = 0; e < 60; e++) {
      const c = rng.pick(conversations);
      c.at += (1 + rng.int(rng.next() < 0.3 ? 3000 : 240)) * 60_000;
      const when = new Date(c.at).toISOString();
      const r = rng.next();
      if (r < 0.35) await t.reply(c.id, when, rng.pick(roles));
      else if (r < 0.45) await t.note(c.id, when);
      else if (r < 0.6) {
        await t.customer(c.id, when);
        c.open = true;
      } else if (r < 0.75) await t.assign(c.id, rng.pick(roles), when);
      else {
        await t.status(c.id, c.open ? "resolved" : "open", when);
        c.open = !c.open;
      }
    }
    await metricsSettled(server.ctx);
    const incremental = await metricsRows(burst.workspaceId);
    const incrementalRollups = await rollupRows(burst.workspaceId);
    expect(incremental).toHaveLength(12);
    expect(incrementalRollups.length).toBeGreaterThan(5);
    await rebuildWorkspaceRollups(server.ctx, burst.workspaceId);
    expect(await metricsRows(burst.workspaceId)).toEqual(incremental);
    expect(await rollupRows(burst.workspaceId)).toEqual(incrementalRollups);
  });

  it("keeps the rollups equal to a computation from scratch through replies, reopens, reassignments and rating changes", async () => {
    const rng = random(20261127);
    const t = timeline(server, ws);
    const channels: Channel[] = ["chat", "callback", "api", "email"];
    const roles: Role[] = ["owner", "admin", "agent"];
    const resolved: string[] = [];
    for (let i = 0; i < 24; i++) {
      // Around Berlin's autumn clock change (25 October 2026) and its weekend.
      let at = Date.parse("2026-10-22T06:00:00Z") + rng.int(6 * 24 * 60) * 60_000;
      const step = () => {
        at += (1 + rng.int(rng.next() < 0.3 ? 3000 : 240)) * 60_000;
        return new Date(at).toISOString();
      };
      const id = await t.open(rng.pick(channels), new Date(at).toISOString(), {
        kind: rng.next() < 0.15 ? "outgoing" : "incoming",
      });
      let open = true;
      for (let e = 0, n = 1 + rng.int(6); e < n; e++) {
        const r = rng.next();
        if (r < 0.35) await t.reply(id, step(), rng.pick(roles));
        else if (r < 0.45) await t.note(id, step());
        else if (r < 0.6) {
          await t.customer(id, step());
          open = true;
        } else if (r < 0.75) await t.assign(id, rng.pick(roles), step());
        else if (open) {
          await t.status(id, "resolved", step());
          open = false;
        } else {
          await t.status(id, "open", step());
          open = true;
        }
      }
      if (!open) resolved.push(id);
    }
    // Survey answers, some changed and some commented, through the public pages' own functions.
    const ratings: SurveyRating[] = ["great", "good", "okay", "bad"];
    for (const conversationId of resolved) {
      const conversation = await server.ctx.db
        .selectFrom("conversations")
        .selectAll()
        .where("id", "=", conversationId)
        .executeTakeFirstOrThrow();
      const survey = await server.ctx.db
        .insertInto("surveys")
        .values({
          workspace_id: ws.workspaceId,
          conversation_id: conversationId,
          contact_id: conversation.contact_id,
          inbox_id: conversation.inbox_id,
          channel: conversation.channel,
          agent_id: conversation.assignee_id,
          resolved_at: conversation.resolved_at!,
          state: "sent",
          scheduled_for: conversation.resolved_at!,
          sent_at: conversation.resolved_at!,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      for (let k = 0, n = 1 + rng.int(3); k < n; k++) {
        const token = signSurveyLink(server.ctx.config.secret, {
          workspaceId: ws.workspaceId,
          conversationId,
          surveyId: survey.id,
          choice: rng.pick(ratings),
          expiresAt: new Date(Date.now() + 86_400_000),
        });
        const check = verifySurveyLink(server.ctx.config.secret, token, new Date());
        if (!check.ok) throw new Error("link did not verify");
        const { commentNonce } = await recordRating(
          server.ctx,
          check.link,
          check.payload,
          issueNonce(server.ctx.config.secret, "rate", check.payload, new Date()),
        );
        if (rng.next() < 0.4) await recordComment(server.ctx, check.link, commentNonce, `comment ${k}`);
      }
    }
    const incremental = await stored();
    const expected = await bruteForce();
    expect(incremental.daily.size).toBeGreaterThan(10);
    expect(incremental.daily).toEqual(expected.daily);
    expect(incremental.totals).toEqual(expected.totals);
    expect(incremental.workspace).toEqual(expected.workspace);
    expect(incremental.hourly).toEqual(expected.hourly);

    const result = await rebuildWorkspaceRollups(server.ctx, ws.workspaceId);
    expect(result.conversations).toBe(24);
    const rebuilt = await stored();
    expect(rebuilt.daily).toEqual(expected.daily);
    expect(rebuilt.totals).toEqual(expected.totals);
    expect(rebuilt.workspace).toEqual(expected.workspace);
    expect(rebuilt.hourly).toEqual(expected.hourly);
  });
});
