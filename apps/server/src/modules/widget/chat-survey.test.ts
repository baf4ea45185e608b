import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds, type TestServer } from "../../test/harness.ts";
import {
  type ConversationFixture,
  conversationWorkspace,
  eventually,
} from "../conversations/test-support.ts";
import { surveyServer } from "../surveys/test-support.ts";
import { VisitorSocket, visitorSession } from "./test-support.ts";

/* CSAT in the chat widget: asked inline on the visitor's socket, answered through the surveys module. */
describe.each(databaseKinds)("chat surveys on %s", (kind) => {
  let server: TestServer;
  let acme: ConversationFixture;
  let inboxId: string;
  let key: string;
  const sockets: VisitorSocket[] = [];

  beforeAll(async () => {
    server = await surveyServer(kind);
    acme = await conversationWorkspace(server, "Acme");
    inboxId = (await acme.as.owner.post("/api/v1/inboxes", { name: "Website chat", channel: "chat" })).body
      .id;
    key = (await acme.as.viewer.get(`/api/v1/inboxes/${inboxId}/widget`)).body.public_key;
    await acme.as.admin.put(`/api/v1/inboxes/${inboxId}/widget`, { respect_business_hours: false });
    const settings = await acme.as.admin.put(`/api/v1/inboxes/${inboxId}/survey-settings`, {
      enabled: true,
      delay_minutes: 0,
      min_days_between: 30,
    });
    expect(settings.status).toBe(200);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await server?.destroy();
  });

  const surveysOf = (conversationId: string) =>
    server.ctx.db.selectFrom("surveys").selectAll().where("conversation_id", "=", conversationId).execute();
  const settled = (conversationId: string, count = 1) =>
    eventually(async () => {
      const rows = await surveysOf(conversationId);
      const done = rows.filter((s) => s.state !== "scheduled" && s.state !== "sending");
      return done.length >= count ? done : undefined;
    });

  /** A visitor writes in the widget; the agent answers (unless told not to) and resolves. */
  async function chat(options: { reply?: boolean } = {}) {
    const session = await visitorSession(server, key);
    const socket = await VisitorSocket.open(server.url, key, { token: session.body.token });
    sockets.push(socket);
    socket.send({ type: "message", body: "The export button does nothing", client_id: "c1" });
    const ack = await socket.next("ack");
    const conversationId = (
      await server.ctx.db
        .selectFrom("widget_conversations")
        .select("conversation_id")
        .where("visitor_id", "=", session.body.visitor.id)
        .executeTakeFirstOrThrow()
    ).conversation_id;
    expect(ack.message.body).toBe("The export button does nothing");
    if (options.reply !== false) {
      await acme.as.agent.post(`/api/v1/conversations/${conversationId}/messages`, {
        kind: "outgoing",
        body_text: "Fixed, try again.",
      });
    }
    const resolved = await acme.as.agent.patch(`/api/v1/conversations/${conversationId}`, {
      status: "resolved",
    });
    expect(resolved.status).toBe(200);
    return { session, socket, conversationId };
  }

  it("asks the visitor inline after a resolve, records a click, a change and a comment, and tells the agent", async () => {
    const { session, socket, conversationId } = await chat();
    const asked = await socket.next("survey");
    expect(asked.survey).toMatchObject({
      choices: ["great", "good", "okay", "bad"],
      question: null,
      rating: null,
      comment: null,
    });
    const surveyId = asked.survey.survey_id;

    socket.send({ type: "survey_rate", survey_id: surveyId, rating: "great" });
    await socket.next("survey", (f) => f.survey.rating === "great");
    socket.send({ type: "survey_rate", survey_id: surveyId, rating: "bad" });
    await socket.next("survey", (f) => f.survey.rating === "bad");
    socket.send({ type: "survey_comment", survey_id: surveyId, comment: "  Took three tries.  " });
    await socket.next("survey", (f) => f.survey.comment === "Took three tries.");

    // One answer per survey: the later click changed it.
    const responses = await server.ctx.db
      .selectFrom("survey_responses")
      .selectAll()
      .where("survey_id", "=", surveyId)
      .execute();
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({ rating: "bad", comment: "Took three tries." });

    // The agent sees every answer and the comment on the conversation.
    const thread = (await acme.as.agent.get(`/api/v1/conversations/${conversationId}/messages?limit=100`))
      .body.data as { body_text: string }[];
    const lines = thread.map((m) => m.body_text).join("\n");
    expect(lines).toContain("The customer answered the survey: “great”");
    expect(lines).toContain("changed their survey answer from “great” to “bad”");
    expect(lines).toContain("Survey comment (bad): “Took three tries.”");

    // A bad rating opens the follow-up; the rollups count the chat answer once.
    const followUpId = await eventually(async () => {
      const row = await server.ctx.db
        .selectFrom("survey_responses")
        .select("follow_up_conversation_id")
        .where("survey_id", "=", surveyId)
        .executeTakeFirst();
      return row?.follow_up_conversation_id ?? undefined;
    });
    expect((await acme.as.agent.get(`/api/v1/conversations/${followUpId}`)).status).toBe(200);
    const csat = await acme.as.admin.get("/api/v1/reports/csat?by=channel");
    expect(csat.body.rows.find((r: { key: string }) => r.key === "chat")).toMatchObject({
      responses: 1,
      bad: 1,
      great: 0,
      comments: 1,
    });

    // A reconnect shows the answer given.
    const again = await VisitorSocket.open(server.url, key, { token: session.body.token });
    sockets.push(again);
    expect((await again.next("ready")).survey).toMatchObject({ survey_id: surveyId, rating: "bad" });
  });

  it("refuses bad answers and another visitor's survey with error frames", async () => {
    const first = await chat();
    const surveyId = (await first.socket.next("survey")).survey.survey_id;
    first.socket.send({ type: "survey_comment", survey_id: surveyId, comment: "before rating" });
    expect(await first.socket.next("error")).toMatchObject({ code: "invalid_input", field: "rating" });
    first.socket.send({ type: "survey_rate", survey_id: surveyId, rating: "superb" });
    expect(await first.socket.next("error", (f) => f.message.includes("great"))).toMatchObject({
      field: "rating",
    });

    const other = await visitorSession(server, key);
    const stranger = await VisitorSocket.open(server.url, key, { token: other.body.token });
    sockets.push(stranger);
    stranger.send({ type: "message", body: "hello", client_id: "s1" });
    await stranger.next("ack");
    stranger.send({ type: "survey_rate", survey_id: surveyId, rating: "great" });
    expect(await stranger.next("error")).toMatchObject({ code: "not_found" });
    expect(
      await server.ctx.db
        .selectFrom("survey_responses")
        .selectAll()
        .where("survey_id", "=", surveyId)
        .execute(),
    ).toEqual([]);
  });

  it("keeps the email rules: never without a human reply, at most one survey per contact per N days", async () => {
    const silent = await chat({ reply: false });
    expect(await settled(silent.conversationId)).toMatchObject([
      { state: "skipped", skip_reason: "no_human_reply" },
    ]);

    // The same visitor writes again after a rating: the resolve of the reopened chat is not surveyed.
    const { session, socket, conversationId } = await chat();
    await socket.next("survey");
    socket.send({ type: "message", body: "One more thing", client_id: "c2" });
    await socket.next("ack", (f) => f.client_id === "c2");
    // Reopened: a reconnect no longer shows the question of the earlier resolve.
    const reopened = await VisitorSocket.open(server.url, key, { token: session.body.token });
    sockets.push(reopened);
    expect((await reopened.next("ready")).survey).toBeNull();
    await acme.as.agent.post(`/api/v1/conversations/${conversationId}/messages`, {
      kind: "outgoing",
      body_text: "Done.",
    });
    await acme.as.agent.patch(`/api/v1/conversations/${conversationId}`, { status: "resolved" });
    const rows = await settled(conversationId, 2);
    expect(rows.map((r) => [r.state, r.skip_reason]).sort()).toEqual([
      ["sent", null],
      ["skipped", "recently_surveyed"],
    ]);
  });
});
