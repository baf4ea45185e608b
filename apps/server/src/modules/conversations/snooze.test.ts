import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkspaceEvent } from "../../events/types.ts";
import { databaseKinds, startTestServer, type TestServer } from "../../test/harness.ts";
import { SNOOZE_QUEUE, wakeConversation } from "./snooze.ts";
import {
  type ConversationFixture,
  conversationWorkspace,
  eventually,
  openConversation,
} from "./test-support.ts";

describe.each(databaseKinds)("snoozed conversations on %s", (kind) => {
  let server: TestServer;
  let acme: ConversationFixture;
  const events: WorkspaceEvent[] = [];

  beforeAll(async () => {
    server = await startTestServer(kind);
    acme = await conversationWorkspace(server, "Acme");
    server.ctx.events.subscribe((event) => events.push(event));
  });
  afterAll(async () => {
    await server?.destroy();
  });

  const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
  const snooze = (id: string, until: string) =>
    acme.as.agent.patch(`/api/v1/conversations/${id}`, { status: "snoozed", snoozed_until: until });
  const statusOf = async (id: string) => (await acme.as.viewer.get(`/api/v1/conversations/${id}`)).body;
  const wakeUpsOf = async (id: string) =>
    server.ctx.jobs.boss.findJobs<{ until: string }>(SNOOZE_QUEUE, { data: { conversation_id: id } });

  it("reopens a snoozed conversation when its time comes, saying so in its history", async () => {
    const { id } = await openConversation(acme);
    expect((await snooze(id, inSeconds(1.5))).body.status).toBe("snoozed");
    const reopened = await eventually(async () => {
      const conversation = await statusOf(id);
      return conversation.status === "open" ? conversation : undefined;
    });
    expect(reopened.snoozed_until).toBeNull();
    const messages = (await acme.as.viewer.get(`/api/v1/conversations/${id}/messages`)).body.data;
    expect(messages.at(-1)).toMatchObject({
      kind: "activity",
      body_text: "Snooze ended; the conversation is open again",
    });
    await eventually(async () =>
      events.find(
        (e) => e.type === "conversation.updated" && e.data.id === id && e.data.cause === "snooze_ended",
      ),
    );
  });

  it("lets a wake-up made stale by a later snooze pass without reopening", async () => {
    const { id } = await openConversation(acme);
    await snooze(id, inSeconds(1.5));
    const later = inSeconds(3600);
    await snooze(id, later);
    // Wait for the first wake-up to have run; the conversation sleeps on until the later time.
    await eventually(async () => {
      const jobs = await wakeUpsOf(id);
      return jobs.some((job) => job.state === "completed") ? true : undefined;
    });
    expect(await statusOf(id)).toMatchObject({ status: "snoozed", snoozed_until: later });
  });

  it("does nothing for a wake-up after a manual reopen or before the snooze is due", async () => {
    const { id } = await openConversation(acme);
    const until = inSeconds(3600);
    await snooze(id, until);
    const early = await wakeConversation(server.ctx, {
      workspace_id: acme.workspaceId,
      conversation_id: id,
      until: inSeconds(60),
    });
    expect(early).toBe(false);
    await acme.as.agent.patch(`/api/v1/conversations/${id}`, { status: "open" });
    await acme.as.agent.patch(`/api/v1/conversations/${id}`, { priority: "high" });
    const stale = await wakeConversation(server.ctx, {
      workspace_id: acme.workspaceId,
      conversation_id: id,
      until,
    });
    expect(stale).toBe(false);
    const lines = (await acme.as.viewer.get(`/api/v1/conversations/${id}/messages`)).body.data
      .filter((m: { kind: string }) => m.kind === "activity")
      .map((m: { body_text: string }) => m.body_text);
    expect(lines).not.toContain("Snooze ended; the conversation is open again");
  });

  it("schedules one wake-up per snooze, at the snooze time", async () => {
    const { id } = await openConversation(acme);
    const until = inSeconds(7200);
    await snooze(id, until);
    const jobs = await wakeUpsOf(id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0].data.until).toBe(until);
    expect(new Date(jobs[0].startAfter).toISOString()).toBe(until);
  });
});
