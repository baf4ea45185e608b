import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds, type TestServer, startTestServer } from "../../test/harness.ts";
import { type ConversationFixture, conversationWorkspace } from "../conversations/test-support.ts";
import { visitorSession } from "../widget/test-support.ts";

/** A local time `hours` from now in the zone, as a form's datetime-local field gives it. */
function localIn(timeZone: string, hours: number): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(Date.now() + hours * 3600_000));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get("year")}-${get("month")}-${get("day")}T${get("hour")}:${get("minute")}`;
}

describe.each(databaseKinds)("callback requests on %s", (kind) => {
  let server: TestServer;
  let acme: ConversationFixture;
  let callbackInbox: string;
  let widgetKey: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    acme = await conversationWorkspace(server, "Acme");
    callbackInbox = (
      await acme.as.owner.post("/api/v1/inboxes", { name: "Call me back", channel: "callback" })
    ).body.id;
    const chat = await acme.as.owner.post("/api/v1/inboxes", { name: "Chat", channel: "chat" });
    widgetKey = (await acme.as.owner.get(`/api/v1/inboxes/${chat.body.id}/widget`)).body.public_key;
  });

  afterAll(async () => {
    await server?.destroy();
  });

  const request = (overrides: Record<string, unknown> = {}) => ({
    inbox_id: callbackInbox,
    phone: "020 7946 0958",
    country: "GB",
    time_zone: "Europe/London",
    window_start: localIn("Europe/London", 2),
    window_end: localIn("Europe/London", 4),
    reason: "Question about our invoice",
    contact: { name: "Pat Caller", email: "pat@caller.test" },
    ...overrides,
  });

  it("normalizes the number to E.164, reads the window in the customer's zone, and queues by due time", async () => {
    const later = await acme.as.agent.post(
      "/api/v1/callbacks",
      request({
        window_start: localIn("Asia/Kolkata", 6),
        window_end: localIn("Asia/Kolkata", 8),
        time_zone: "Asia/Kolkata",
        phone: "+91 98765 43210",
        country: undefined,
        contact: undefined,
      }),
    );
    expect(later.status).toBe(201);
    expect(later.body.phone).toBe("+919876543210");
    const sooner = await acme.as.agent.post("/api/v1/callbacks", request());
    expect(sooner.status).toBe(201);
    expect(sooner.body).toMatchObject({
      phone: "+442079460958",
      tel_url: "tel:+442079460958",
      state: "waiting",
    });
    const start = new Date(sooner.body.window_start).getTime();
    expect(Math.abs(start - (Date.now() + 2 * 3600_000))).toBeLessThan(120_000);

    const queue = await acme.as.viewer.get("/api/v1/callbacks");
    expect(queue.status).toBe(200);
    expect(queue.body.data.map((c: { conversation_id: string }) => c.conversation_id)).toEqual([
      sooner.body.conversation_id,
      later.body.conversation_id,
    ]);
    const conversation = await acme.as.agent.get(`/api/v1/conversations/${sooner.body.conversation_id}`);
    expect(conversation.body).toMatchObject({ channel: "callback", inbox_id: callbackInbox });
    const first = await acme.as.agent.get("/api/v1/callbacks?limit=1");
    const second = await acme.as.agent.get(`/api/v1/callbacks?limit=1&cursor=${first.body.next_cursor}`);
    expect(second.body.data[0].conversation_id).toBe(later.body.conversation_id);
  });

  it("refuses invalid numbers, windows and inboxes, naming the field and writing nothing", async () => {
    const before = (await acme.as.agent.get("/api/v1/callbacks?limit=100")).body.data.length;
    const cases: [Record<string, unknown>, string][] = [
      [{ phone: "12345" }, "phone"],
      [{ phone: "020 7946 0958", country: undefined }, "phone"],
      [{ window_end: localIn("Europe/London", 1) }, "window_end"],
      [{ window_start: "tomorrow", window_end: "later" }, "window_start"],
      [{ window_start: "2026-02-31T10:00" }, "window_start"],
      [{ time_zone: "Mars/Olympus" }, "time_zone"],
      [{ inbox_id: acme.inboxes.email }, "inbox_id"],
    ];
    for (const [change, field] of cases) {
      const response = await acme.as.agent.post("/api/v1/callbacks", request(change));
      expect(response.status, JSON.stringify(change)).toBe(400);
      expect(response.headers.get("content-type")).toMatch(/problem\+json/);
      expect(response.body.field, JSON.stringify(change)).toBe(field);
    }
    expect((await acme.as.agent.get("/api/v1/callbacks?limit=100")).body.data.length).toBe(before);
  });

  it("records attempts: the first is the speed of answer, reaching the customer completes it", async () => {
    const created = await acme.as.agent.post("/api/v1/callbacks", request());
    const id = created.body.conversation_id;
    const missed = await acme.as.agent.post(`/api/v1/conversations/${id}/callback/attempts`, {
      outcome: "no_answer",
    });
    expect(missed.status).toBe(200);
    expect(missed.body).toMatchObject({ attempts: 1, state: "waiting", outcome: "no_answer" });
    expect(missed.body.speed_of_answer_ms).toBeGreaterThanOrEqual(0);
    const firstAttempt = missed.body.first_attempt_at;

    const reached = await acme.as.agent.post(`/api/v1/conversations/${id}/callback/attempts`, {
      outcome: "reached",
      notes: "Sent a corrected invoice by email.",
    });
    expect(reached.body).toMatchObject({
      attempts: 2,
      state: "done",
      outcome: "reached",
      first_attempt_at: firstAttempt,
    });
    expect(reached.body.attempt_log.map((a: { outcome: string }) => a.outcome)).toEqual([
      "no_answer",
      "reached",
    ]);
    const again = await acme.as.agent.post(`/api/v1/conversations/${id}/callback/attempts`, {
      outcome: "reached",
    });
    expect(again.status).toBe(409);

    const conversation = await acme.as.agent.get(`/api/v1/conversations/${id}`);
    expect(conversation.body.first_human_response_at).toBe(firstAttempt);
    const messages = await acme.as.agent.get(`/api/v1/conversations/${id}/messages`);
    const kinds = messages.body.data.map(
      (m: { kind: string; body_text: string }) => `${m.kind}: ${m.body_text}`,
    );
    expect(kinds).toEqual([
      expect.stringMatching(/^incoming: Please call me back at \+442079460958/),
      "outgoing: Called +442079460958: no answer.",
      "outgoing: Called +442079460958: reached the customer.",
      "note: Sent a corrected invoice by email.",
    ]);
    const done = await acme.as.agent.get("/api/v1/callbacks?state=done");
    expect(done.body.data.map((c: { conversation_id: string }) => c.conversation_id)).toContain(id);
  });

  it("takes requests from the widget for the visitor's own contact, and from the callback page", async () => {
    const config = await (await fetch(`${server.url}/widget/v1/${widgetKey}/config`)).json();
    expect(config.callbacks).toBe(true);
    const session = await visitorSession(server, widgetKey, { name: "Wanda" });
    const post = (body: Record<string, unknown>) =>
      fetch(`${server.url}/widget/v1/${widgetKey}/callbacks`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const {
      inbox_id: _,
      contact: __,
      ...fields
    } = request({ phone: "(415) 555-2671", country: undefined, locale: "en-US" });
    const bad = await post({ ...fields, phone: "555" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).field).toBe("phone");
    const response = await post({ ...fields, token: session.body.token });
    expect(response.status).toBe(201);
    expect((await response.json()).phone).toBe("+14155552671");
    const queue = await acme.as.agent.get("/api/v1/callbacks?limit=100");
    const mine = queue.body.data.find((c: { phone: string }) => c.phone === "+14155552671");
    expect(mine.contact.name).toBe("Wanda");
    const page = await fetch(`${server.url}/callback/${widgetKey}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('data-view="callback"');
  });

  it("keeps callbacks inside their workspace and refuses lower roles", async () => {
    const globex = await conversationWorkspace(server, "Globex");
    const created = await acme.as.agent.post("/api/v1/callbacks", request());
    const id = created.body.conversation_id;
    expect((await globex.as.owner.get(`/api/v1/conversations/${id}/callback`)).status).toBe(404);
    expect(
      (await globex.as.owner.post(`/api/v1/conversations/${id}/callback/attempts`, { outcome: "reached" }))
        .status,
    ).toBe(404);
    expect((await globex.as.owner.get("/api/v1/callbacks")).body.data).toEqual([]);
    expect((await globex.as.owner.post("/api/v1/callbacks", request())).body.field).toBe("inbox_id");
    expect(
      (await acme.as.viewer.post(`/api/v1/conversations/${id}/callback/attempts`, { outcome: "reached" }))
        .status,
    ).toBe(403);
    expect((await acme.as.viewer.post("/api/v1/callbacks", request())).status).toBe(403);
    // A widget without a callback inbox in its workspace offers no callbacks.
    const chat = await globex.as.owner.post("/api/v1/inboxes", { name: "Chat", channel: "chat" });
    const key = (await globex.as.owner.get(`/api/v1/inboxes/${chat.body.id}/widget`)).body.public_key;
    expect((await (await fetch(`${server.url}/widget/v1/${key}/config`)).json()).callbacks).toBe(false);
  });
});
