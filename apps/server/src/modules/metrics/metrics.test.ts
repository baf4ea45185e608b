import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds, startTestServer, type TestServer } from "../../test/harness.ts";
import { eventually } from "../conversations/test-support.ts";
import { rebuiltFingerprint } from "./rebuild.ts";
import { findMetrics, workspaceClock } from "./service.ts";
import { timeline, timelineWorkspace, type TimelineWorkspace } from "./test-support.ts";

const M = 60_000;
const H = 60 * M;
const weekdays = (open: string, close: string) => {
  const day = [{ open, close }];
  return { monday: day, tuesday: day, wednesday: day, thursday: day, friday: day, saturday: [], sunday: [] };
};

describe.each(databaseKinds)("conversation metrics on %s", (kind) => {
  let server: TestServer;
  let berlin: TimelineWorkspace;
  let newYork: TimelineWorkspace;
  let t: ReturnType<typeof timeline>;
  let ny: ReturnType<typeof timeline>;

  /** Sets the workspace's clock and waits for the rebuild the change queues, so later writes are not deferred. */
  async function settle(
    ws: TimelineWorkspace,
    settings: Parameters<ReturnType<typeof timeline>["settings"]>[0],
  ) {
    await timeline(server, ws).settings(settings);
    const { fingerprint } = await workspaceClock(server.ctx, ws.workspaceId);
    await eventually(async () =>
      (await rebuiltFingerprint(server.ctx, ws.workspaceId)) === fingerprint ? true : undefined,
    );
  }

  beforeAll(async () => {
    server = await startTestServer(kind);
    berlin = await timelineWorkspace(server, "Berlin");
    newYork = await timelineWorkspace(server, "NewYork");
    t = timeline(server, berlin);
    ny = timeline(server, newYork);
    await settle(berlin, { time_zone: "Europe/Berlin", business_hours: weekdays("09:00", "17:00") });
    await settle(newYork, { time_zone: "America/New_York", business_hours: weekdays("09:00", "17:00") });
  });
  afterAll(async () => {
    await server?.destroy();
  });

  const metricsOf = (ws: TimelineWorkspace, id: string) => findMetrics(server.ctx.db, ws.workspaceId, id);

  it("counts a Friday-evening email answered on Monday across Berlin's spring-forward weekend", async () => {
    const id = await t.open("email", "2026-03-27T15:00:00Z"); // Friday 16:00 CET
    await t.note(id, "2026-03-27T15:10:00Z");
    await t.reply(id, "2026-03-30T08:00:00Z"); // Monday 10:00 CEST
    await t.status(id, "resolved", "2026-03-30T09:00:00Z");
    expect(await metricsOf(berlin, id)).toMatchObject({
      day: "2026-03-27",
      hour: 16,
      channel: "email",
      agent_id: berlin.agents.agent,
      first_response_ms: 65 * H,
      first_response_business_ms: 2 * H,
      asa_ms: 65 * H,
      resolution_ms: 66 * H,
      resolution_business_ms: 3 * H,
      resolution_day: "2026-03-30",
      replies: 1,
    });
  });

  it("forgets the resolution while a conversation is reopened and counts to the later resolve", async () => {
    const id = await t.open("api", "2026-05-18T07:00:00Z"); // Monday 09:00 CEST
    await t.reply(id, "2026-05-18T07:20:00Z", "admin");
    await t.status(id, "resolved", "2026-05-18T08:00:00Z");
    expect(await metricsOf(berlin, id)).toMatchObject({ resolution_ms: H, agent_id: berlin.agents.admin });
    await t.customer(id, "2026-05-18T09:00:00Z");
    expect(await metricsOf(berlin, id)).toMatchObject({
      resolution_ms: null,
      resolution_day: null,
      first_response_ms: 20 * M,
    });
    await t.reply(id, "2026-05-18T09:30:00Z");
    await t.status(id, "resolved", "2026-05-19T07:00:00Z");
    expect(await metricsOf(berlin, id)).toMatchObject({
      resolution_ms: 24 * H,
      resolution_business_ms: 8 * H,
      resolution_day: "2026-05-19",
      replies: 2,
    });
  });

  it("starts the clock at the customer's own words, not their auto-reply, and counts a reply from a mail client", async () => {
    const id = await t.open("email", "2026-05-20T08:00:00Z", { kind: "outgoing" });
    await t.channelMessage(id, "2026-05-20T08:01:00Z", "auto-reply");
    expect(await metricsOf(berlin, id)).toMatchObject({
      requested_at: null,
      first_response_ms: null,
      replies: 1,
    });
    await t.customer(id, "2026-05-20T09:00:00Z");
    await t.channelMessage(id, "2026-05-20T09:45:00Z", "outside-client-reply", "admin");
    expect(await metricsOf(berlin, id)).toMatchObject({
      first_response_ms: 45 * M,
      first_response_business_ms: 45 * M,
      agent_id: berlin.agents.admin,
      replies: 2,
    });
  });

  it("times a Saturday-night chat in New York, answered after the clocks fell back, in business minutes", async () => {
    const id = await ny.open("chat", "2026-11-01T00:00:00Z"); // Saturday 20:00 EDT
    await ny.reply(id, "2026-11-02T14:30:00Z"); // Monday 09:30 EST
    expect(await metricsOf(newYork, id)).toMatchObject({
      day: "2026-10-31",
      hour: 20,
      asa_ms: 38.5 * H,
      asa_business_ms: 30 * M,
    });
  });

  it("falls back to the assignee for a conversation nobody answered yet", async () => {
    const id = await ny.open("callback", "2026-11-03T15:00:00Z");
    expect(await metricsOf(newYork, id)).toMatchObject({ agent_id: null, asa_ms: null });
    await ny.assign(id, "admin", "2026-11-03T15:05:00Z");
    expect(await metricsOf(newYork, id)).toMatchObject({
      agent_id: newYork.agents.admin,
      channel: "callback",
    });
  });

  it("moves the rollups to the new local days when the workspace changes its time zone", async () => {
    const ws = await timelineWorkspace(server, "Mover");
    const mover = timeline(server, ws);
    const id = await mover.open("api", "2026-05-18T02:00:00Z");
    expect(await metricsOf(ws, id)).toMatchObject({ day: "2026-05-18", hour: 2 });
    await settle(ws, { time_zone: "America/New_York" });
    expect(await metricsOf(ws, id)).toMatchObject({ day: "2026-05-17", hour: 22 });
    const days = await sql<{
      day: string;
      n: number;
    }>`select to_char(day, 'YYYY-MM-DD') as day, sum(conversations)::int as n from report_daily_rollups where workspace_id = ${ws.workspaceId} group by 1`.execute(
      server.ctx.db,
    );
    expect(days.rows).toEqual([{ day: "2026-05-17", n: 1 }]);
  });
});
