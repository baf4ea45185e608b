import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiClient,
  createTestWorkspace,
  databaseKinds,
  startTestServer,
  type TestServer,
  type TestWorkspace,
} from "../../test/harness.ts";
import { eventually } from "../email/outbound/test-fixture.ts";
import { founderOnDuty } from "./service.ts";

describe.each(databaseKinds)("founder office hours on %s", (kind) => {
  let server: TestServer;
  let acme: TestWorkspace;
  let as: Record<"owner" | "agent" | "viewer", ReturnType<typeof apiClient>>;
  let chatInbox: string;
  // Tuesday 1 December 2026, 16:30 in Paris.
  let clock = new Date("2026-12-01T15:30:00Z");

  beforeAll(async () => {
    server = await startTestServer(kind, {}, { now: () => clock });
    acme = await createTestWorkspace(server, "Acme");
    as = {
      owner: apiClient(server.url, acme.tokens.owner),
      agent: apiClient(server.url, acme.tokens.agent),
      viewer: apiClient(server.url, acme.tokens.viewer),
    };
    await as.owner.patch("/api/v1/workspace", { settings: { time_zone: "Europe/Paris" } });
    chatInbox = (await as.owner.post("/api/v1/inboxes", { name: "Chat", channel: "chat" })).body.id;
  });
  afterAll(async () => {
    await server?.destroy();
  });

  const newChat = async (email: string) => {
    const created = await as.agent.post("/api/v1/conversations", {
      inbox_id: chatInbox,
      contact: { email },
      message: { kind: "incoming", body_text: "Hello, anyone there?" },
    });
    expect(created.status).toBe(201);
    return created.body.id as string;
  };

  it("lets only owners hold office hours, with clear errors", async () => {
    expect(
      (await as.agent.post("/api/v1/office-hours", { weekday: 1, start: "16:00", end: "18:00" })).status,
    ).toBe(403);
    const backwards = await as.owner.post("/api/v1/office-hours", {
      weekday: 1,
      start: "18:00",
      end: "16:00",
    });
    expect(backwards.status).toBe(400);
    expect(backwards.body.field).toBe("end");
    expect(
      (await as.owner.post("/api/v1/office-hours", { weekday: 7, start: "16:00", end: "18:00" })).status,
    ).toBe(400);
    expect(
      (await as.owner.post("/api/v1/office-hours", { weekday: 1, start: "4pm", end: "18:00" })).status,
    ).toBe(400);
    const slot = await as.owner.post("/api/v1/office-hours", { weekday: 1, start: "16:00", end: "18:00" });
    expect(slot.status).toBe(201);
    expect(slot.body).toMatchObject({
      weekday: 1,
      start: "16:00",
      end: "18:00",
      agent: { id: acme.ownerId },
    });
    const overlap = await as.owner.post("/api/v1/office-hours", { weekday: 1, start: "17:00", end: "19:00" });
    expect(overlap.body.field).toBe("start");
    const globex = await createTestWorkspace(server, "Globex");
    const intruder = apiClient(server.url, globex.tokens.owner);
    expect((await intruder.delete(`/api/v1/office-hours/${slot.body.id}`)).status).toBe(404);
    expect((await intruder.get("/api/v1/office-hours")).body.data).toEqual([]);
  });

  it("says who is on duty and routes new chats to the founder during their hours only", async () => {
    const duty = await founderOnDuty(server.ctx, acme.workspaceId, clock);
    expect(duty).toMatchObject({ agentId: acme.ownerId, until: new Date("2026-12-01T17:00:00Z") });
    expect((await as.viewer.get("/api/v1/office-hours")).body.on_duty).toMatchObject({
      agent_id: acme.ownerId,
    });

    const during = await newChat("early@customers.example");
    await eventually(async () => {
      const conversation = await as.viewer.get(`/api/v1/conversations/${during}`);
      return conversation.body.assignee_id === acme.ownerId ? true : undefined;
    });
    const reply = await as.owner.post(`/api/v1/conversations/${during}/messages`, {
      kind: "outgoing",
      body_text: "Hi! Founder here.",
    });
    expect(reply.status).toBe(201);

    clock = new Date("2026-12-01T17:30:00Z");
    expect(await founderOnDuty(server.ctx, acme.workspaceId, clock)).toBeNull();
    const after = await newChat("late@customers.example");
    // The routing sink runs as the event is published, before the API answers: nothing to wait for.
    expect((await as.viewer.get(`/api/v1/conversations/${after}`)).body.assignee_id).toBeNull();

    const report = await as.viewer.get("/api/v1/office-hours/report?weeks=2");
    expect(report.status).toBe(200);
    expect(report.body.time_zone).toBe("Europe/Paris");
    const thisWeek = report.body.weeks.at(-1);
    expect(thisWeek.week_start).toBe("2026-11-30");
    expect(thisWeek.founders).toEqual([
      {
        agent: { id: acme.ownerId, name: "Acme Owner" },
        sessions_scheduled: 1,
        sessions_held: 1,
        chats_routed: 1,
        chats_answered: 1,
      },
    ]);
  });
});
