import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SurveyRating } from "../../db/schema.ts";
import { apiClient, databaseKinds, startTestServer, type TestServer } from "../../test/harness.ts";
import { bucketOf, emptyHistogram, quantile } from "../metrics/histogram.ts";
import { timeline, timelineWorkspace, type TimelineWorkspace } from "../metrics/test-support.ts";
import { recordComment, recordRating } from "../surveys/responses.ts";
import { issueNonce, signSurveyLink, verifySurveyLink } from "../surveys/tokens.ts";

const M = 60_000;
const range = "from=2026-05-18&to=2026-05-31";

/** Mean, median and p90 as the reports define them, from raw durations. */
function expected(values: number[]) {
  const hist = emptyHistogram();
  for (const v of values) hist[bucketOf(v)] += 1;
  const mean = values.length ? Math.round(values.reduce((a, b) => a + b, 0) / values.length) : null;
  return { count: values.length, mean_ms: mean, median_ms: quantile(hist, 0.5), p90_ms: quantile(hist, 0.9) };
}

describe.each(databaseKinds)("reports on %s", (kind) => {
  let server: TestServer;
  let ws: TimelineWorkspace;
  let other: TimelineWorkspace;
  let client: ReturnType<typeof apiClient>;
  const ids: Record<string, string> = {};

  async function rate(conversationId: string, agent: string, ratings: SurveyRating[], comment?: string) {
    const c = await server.ctx.db
      .selectFrom("conversations")
      .selectAll()
      .where("id", "=", conversationId)
      .executeTakeFirstOrThrow();
    const survey = await server.ctx.db
      .insertInto("surveys")
      .values({
        workspace_id: ws.workspaceId,
        conversation_id: c.id,
        contact_id: c.contact_id,
        inbox_id: c.inbox_id,
        channel: c.channel,
        agent_id: agent,
        resolved_at: new Date(),
        state: "sent",
        scheduled_for: new Date(),
        sent_at: new Date(),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    for (const choice of ratings) {
      const token = signSurveyLink(server.ctx.config.secret, {
        workspaceId: ws.workspaceId,
        conversationId,
        surveyId: survey.id,
        choice,
        expiresAt: new Date(Date.now() + 60_000),
      });
      const check = verifySurveyLink(server.ctx.config.secret, token, new Date());
      if (!check.ok) throw new Error("bad link");
      const { commentNonce } = await recordRating(
        server.ctx,
        check.link,
        check.payload,
        issueNonce(server.ctx.config.secret, "rate", check.payload, new Date()),
      );
      if (comment) await recordComment(server.ctx, check.link, commentNonce, comment);
    }
  }

  beforeAll(async () => {
    server = await startTestServer(kind);
    ws = await timelineWorkspace(server, "Reports");
    other = await timelineWorkspace(server, "Elsewhere");
    client = apiClient(server.url, ws.tokens.viewer);
    const t = timeline(server, ws);
    ids.c1 = await t.open("chat", "2026-05-18T09:00:00Z");
    await t.reply(ids.c1, "2026-05-18T09:02:00Z", "agent");
    await t.status(ids.c1, "resolved", "2026-05-18T10:00:00Z");
    ids.c2 = await t.open("email", "2026-05-18T10:00:00Z");
    await t.reply(ids.c2, "2026-05-18T11:00:00Z", "admin");
    ids.c3 = await t.open("api", "2026-05-18T12:00:00Z");
    ids.c4 = await t.open("chat", "2026-05-19T09:00:00Z");
    await t.reply(ids.c4, "2026-05-19T09:10:00Z", "agent");
    ids.c5 = await t.open("callback", "2026-05-25T09:00:00Z");
    await t.reply(ids.c5, "2026-05-25T09:30:00Z", "admin");
    await rate(ids.c1, ws.agents.agent, ["great"]);
    await rate(ids.c2, ws.agents.admin, ["good", "bad"], '=HYPERLINK("x") too slow');
    await rate(ids.c4, ws.agents.agent, ["good"]);
    await rate(ids.c5, ws.agents.admin, ["okay"]);
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it("reports ASA per day with mean, median and p90, empty days included", async () => {
    const report = await client.get(`/api/v1/reports/asa?${range}`);
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({
      from: "2026-05-18",
      to: "2026-05-31",
      time_zone: "UTC",
      hours: "wall",
      note: null,
    });
    expect(report.body.rows).toHaveLength(14);
    expect(report.body.rows[0]).toEqual({
      key: "2026-05-18",
      label: "2026-05-18",
      ...expected([2 * M, 60 * M]),
    });
    expect(report.body.rows[2]).toEqual({ key: "2026-05-20", label: "2026-05-20", ...expected([]) });
    expect(report.body.total).toEqual(expected([2 * M, 60 * M, 10 * M, 30 * M]));
  });

  it("groups ASA by week, channel and agent", async () => {
    const weeks = await client.get(`/api/v1/reports/asa?${range}&by=week`);
    expect(weeks.body.rows.map((r: { key: string; count: number }) => [r.key, r.count])).toEqual([
      ["2026-05-18", 3],
      ["2026-05-25", 1],
    ]);
    const channels = await client.get(`/api/v1/reports/asa?${range}&by=channel`);
    const chat = channels.body.rows.find((r: { key: string }) => r.key === "chat");
    expect(chat).toMatchObject(expected([2 * M, 10 * M]));
    const agents = await client.get(`/api/v1/reports/asa?${range}&by=agent`);
    const admin = agents.body.rows.find((r: { key: string }) => r.key === ws.agents.admin);
    expect(admin).toMatchObject({ label: "Reports admin", ...expected([60 * M, 30 * M]) });
  });

  it("reports CSAT with the counts of each answer, counting each survey's latest answer once", async () => {
    const report = await client.get("/api/v1/reports/csat");
    expect(report.body.total).toEqual({
      responses: 4,
      great: 1,
      good: 1,
      okay: 1,
      bad: 1,
      positive: 2,
      csat: 0.5,
      comments: 1,
    });
    const byAgent = await client.get("/api/v1/reports/csat?by=agent");
    expect(byAgent.body.rows.find((r: { key: string }) => r.key === ws.agents.agent)).toMatchObject({
      responses: 2,
      csat: 1,
    });
  });

  it("reports volume by channel and by hour of the week", async () => {
    const channels = await client.get(`/api/v1/reports/volume/channels?${range}`);
    expect(
      Object.fromEntries(
        channels.body.rows.map((r: { key: string; conversations: number }) => [r.key, r.conversations]),
      ),
    ).toEqual({ api: 1, callback: 1, chat: 2, email: 1 });
    const hours = await client.get(`/api/v1/reports/volume/hours?${range}`);
    expect(hours.body.rows).toHaveLength(168);
    const at = (weekday: number, hour: number) => hours.body.rows[weekday * 24 + hour].conversations;
    expect([at(0, 9), at(0, 10), at(0, 12), at(1, 9), at(2, 9)]).toEqual([2, 1, 1, 1, 0]);
  });

  it("shows the distribution of first response times and a per-agent table", async () => {
    const distribution = await client.get(`/api/v1/reports/first-response?${range}`);
    expect(distribution.body.total).toEqual(expected([2 * M, 60 * M, 10 * M, 30 * M]));
    const twoMinutes = distribution.body.rows[bucketOf(2 * M)];
    expect(twoMinutes).toMatchObject({ label: "2 min – 3 min", count: 1, share: 0.25 });
    const agents = await client.get(`/api/v1/reports/agents?${range}`);
    const agent = agents.body.rows.find((r: { agent_id: string }) => r.agent_id === ws.agents.agent);
    expect(agent).toMatchObject({
      conversations: 2,
      replies: 2,
      asa_count: 2,
      asa_mean_ms: 6 * M,
      resolution_count: 1,
      resolution_mean_ms: 60 * M,
    });
    expect(agents.body.rows.find((r: { key: string }) => r.key === "none")).toMatchObject({
      conversations: 1,
      asa_count: 0,
    });
  });

  it("lists comments and bad news, filtered by rating, agent and inbox, a page at a time", async () => {
    const all = await client.get("/api/v1/reports/comments");
    expect(all.body.data.map((c: { rating: string }) => c.rating).sort()).toEqual(["bad", "okay"]);
    const bad = await client.get("/api/v1/reports/comments?bad_only=true");
    expect(bad.body.data).toEqual([
      expect.objectContaining({
        rating: "bad",
        comment: '=HYPERLINK("x") too slow',
        conversation_id: ids.c2,
        agent_id: ws.agents.admin,
        conversation_number: 2,
      }),
    ]);
    expect((await client.get(`/api/v1/reports/comments?agent_id=${ws.agents.agent}`)).body.data).toEqual([]);
    expect(
      (await client.get(`/api/v1/reports/comments?inbox_id=${ws.inboxes.callback}`)).body.data,
    ).toHaveLength(1);
    const first = await client.get("/api/v1/reports/comments?limit=1");
    const second = await client.get(`/api/v1/reports/comments?limit=1&cursor=${first.body.next_cursor}`);
    expect([first.body.data[0].survey_id, second.body.data[0].survey_id]).toEqual([
      all.body.data[0].survey_id,
      all.body.data[1].survey_id,
    ]);
    expect(second.body.next_cursor).toBeNull();
  });

  it("exports every table as CSV, defusing formulas in comments", async () => {
    const csv = await client.get(`/api/v1/reports/asa?${range}&by=week&format=csv`);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(csv.body.split("\r\n")[0]).toBe("key,label,count,mean_ms,median_ms,p90_ms");
    expect(csv.body).toContain("2026-05-18,week of 2026-05-18,3,");
    const accepted = await client.get("/api/v1/reports/comments?bad_only=true", { accept: "text/csv" });
    expect(accepted.body).toContain(`"'=HYPERLINK(""x"") too slow"`);
    for (const path of ["csat", "volume/channels", "volume/hours", "first-response", "agents", "live"]) {
      const response = await client.get(`/api/v1/reports/${path}?format=csv`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    }
  });

  it("shows who is waiting now, oldest first, and today's ASA against the target", async () => {
    const live = await client.get("/api/v1/reports/live");
    expect(live.status).toBe(200);
    expect(live.body.waiting.count).toBe(1);
    expect(live.body.waiting.conversations[0]).toMatchObject({ conversation_id: ids.c3, channel: "api" });
    expect(live.body.waiting.conversations[0].wait_ms).toBeGreaterThan(0);
    expect(live.body.agents_online).toEqual([]);
    expect(live.body.today).toMatchObject({
      asa: { count: 0, mean_ms: null },
      target_ms: 60 * M,
      within_target: null,
    });
  });

  it("counts business hours when asked, and says so when the workspace has none", async () => {
    const business = await client.get(`/api/v1/reports/asa?${range}&hours=business`);
    expect(business.body).toMatchObject({ hours: "business", note: null });
    await timeline(server, other).settings({
      business_hours: { monday: [], tuesday: [], wednesday: [], thursday: [], friday: [] },
    });
    const closed = await apiClient(server.url, other.tokens.viewer).get(
      `/api/v1/reports/asa?${range}&hours=business`,
    );
    expect(closed.body.hours).toBe("wall");
    expect(closed.body.note).toMatch(/no opening hours/);
  });

  it("refuses reversed and over-long ranges naming the field, and another workspace's inbox", async () => {
    const reversed = await client.get("/api/v1/reports/asa?from=2026-05-20&to=2026-05-10");
    expect(reversed.status).toBe(400);
    expect(reversed.body.field).toBe("from");
    const long = await client.get("/api/v1/reports/csat?from=2025-01-01&to=2026-05-10");
    expect(long.status).toBe(400);
    expect(long.body.field).toBe("to");
    expect((await client.get("/api/v1/reports/asa?from=2026-02-30")).status).toBe(400);
    expect((await client.get(`/api/v1/reports/asa?inbox_id=${other.inboxes.chat}`)).status).toBe(404);
    expect((await client.get(`/api/v1/reports/comments?agent_id=${other.agents.agent}`)).status).toBe(404);
    expect((await apiClient(server.url).get("/api/v1/reports/live")).status).toBe(401);
  });
});
