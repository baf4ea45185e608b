import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiClient,
  createTestWorkspace,
  databaseKinds,
  startTestServer,
  type TestServer,
} from "../../test/harness.ts";
import {
  customerWrites,
  eventually,
  type MailWorkspace,
  mailWorkspace,
} from "../email/outbound/test-fixture.ts";
import { type SmtpSink, startSmtpSink } from "../email/outbound/test-sink.ts";
import { tick } from "./scheduler.ts";

const LOGIN = { user: "keepwell", pass: "sequence-sink-pass" };

describe.each(databaseKinds)("lifecycle sequences on %s", (kind) => {
  let server: TestServer;
  let sink: SmtpSink;
  let acme: MailWorkspace;
  // Friday 4 December 2026, 15:00 UTC; the workspace is open Monday to Friday, 9 to 5 UTC.
  let clock = new Date("2026-12-04T15:00:00Z");
  const at = (iso: string) => {
    clock = new Date(iso);
  };

  beforeAll(async () => {
    sink = await startSmtpSink(LOGIN);
    server = await startTestServer(kind, {}, { now: () => clock });
    acme = await mailWorkspace(server, "Acme");
    const smtp = await acme.as.owner.put(`/api/v1/inboxes/${acme.inboxId}/smtp`, {
      host: "127.0.0.1",
      port: sink.port,
      security: "none",
      username: LOGIN.user,
      password: LOGIN.pass,
      from_name: "Acme",
    });
    expect(smtp.status).toBe(200);
  });
  afterAll(async () => {
    await server?.destroy();
    await sink?.close();
  });

  const mailTo = (address: string) => sink.received.filter((m) => m.recipients.includes(address));
  const waitForMail = (address: string, count: number) =>
    eventually(async () => (mailTo(address).length >= count ? mailTo(address) : undefined));

  async function contact(email: string, name: string | null) {
    const created = await acme.as.agent.post("/api/v1/contacts", { email, ...(name ? { name } : {}) });
    expect(created.status).toBe(201);
    return created.body.id as string;
  }
  async function enrollmentOf(contactId: string) {
    const list = await acme.as.viewer.get(`/api/v1/contacts/${contactId}/sequences`);
    expect(list.status).toBe(200);
    return list.body.data[0];
  }

  let sequenceId: string;
  const steps = [
    {
      delay_amount: 0,
      delay_unit: "days",
      subject: 'Welcome, {{contact.first_name | "friend"}}',
      body: 'Hello **{{contact.first_name | "there"}}**, glad you joined.',
    },
    { delay_amount: 2, delay_unit: "business_days", subject: "Two tips", body: "Tip one: shortcuts." },
    { delay_amount: 3, delay_unit: "days", subject: "How is it going?", body: "Just checking in." },
  ];

  it("refuses bad sequences with the field at fault, and keeps them to the workspace", async () => {
    const unknown = await acme.as.admin.post("/api/v1/sequences", {
      name: "Broken",
      inbox_id: acme.inboxId,
      steps: [{ ...steps[0], body: "Hi {{user.name}}" }],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.field).toBe("steps.0.body");
    const badDelay = await acme.as.admin.post("/api/v1/sequences", {
      name: "Broken",
      inbox_id: acme.inboxId,
      steps: [{ ...steps[0], delay_unit: "weeks" }],
    });
    expect(badDelay.status).toBe(400);
    const chat = await acme.as.owner.post("/api/v1/inboxes", { name: "Chat", channel: "chat" });
    const notEmail = await acme.as.admin.post("/api/v1/sequences", {
      name: "Chat one",
      inbox_id: chat.body.id,
    });
    expect(notEmail.body.field).toBe("inbox_id");
    expect(
      (await acme.as.agent.post("/api/v1/sequences", { name: "x", inbox_id: acme.inboxId })).status,
    ).toBe(403);

    const created = await acme.as.admin.post("/api/v1/sequences", {
      name: "Onboarding",
      inbox_id: acme.inboxId,
      state: "active",
      quiet_hours: 24,
      entry_event: "signed_up",
      steps,
    });
    expect(created.status).toBe(201);
    sequenceId = created.body.id;
    const globex = await createTestWorkspace(server, "Globex");
    const intruder = apiClient(server.url, globex.tokens.owner);
    expect((await intruder.get(`/api/v1/sequences/${sequenceId}`)).status).toBe(404);
    expect((await intruder.patch(`/api/v1/sequences/${sequenceId}`, { state: "archived" })).status).toBe(404);
  });

  it("previews with a warning for a missing variable, and sends its fallback, never the raw variable", async () => {
    const nameless = await contact("nameless@customers.example", null);
    const preview = await acme.as.viewer.get(
      `/api/v1/sequences/${sequenceId}/preview?contact_id=${nameless}`,
    );
    expect(preview.status).toBe(200);
    expect(preview.body.steps[0].subject).toBe("Welcome, friend");
    expect(preview.body.steps[0].warnings[0]).toContain("contact.first_name");
    expect(preview.body.steps[0].html).toContain("<strong>there</strong>");

    const entered = await acme.as.agent.post("/api/v1/sequence-events", {
      name: "signed_up",
      email: "nameless@customers.example",
    });
    expect(entered.body).toEqual({ contact_id: nameless, entered_sequence_ids: [sequenceId] });
    expect(await tick(server.ctx)).toBeGreaterThanOrEqual(1);
    const [mail] = await waitForMail("nameless@customers.example", 1);
    expect(mail.parsed.subject).toBe("Welcome, friend");
    expect(mail.parsed.text).toContain("Hello **there**");
    expect(mail.raw.toString()).not.toContain("{{");
  });

  it("waits business days, pauses the moment the customer writes, and resumes after the quiet period", async () => {
    at("2026-12-04T15:00:00Z");
    const ada = await contact("ada@customers.example", "Ada Lovelace");
    const bob = await contact("bob@customers.example", "Bob Builder");
    const enrolled = await acme.as.agent.post(`/api/v1/sequences/${sequenceId}/enrollments`, {
      contact_ids: [ada, bob],
    });
    expect(enrolled.body).toEqual({ enrolled: 2, skipped: [] });
    await tick(server.ctx);
    await waitForMail("ada@customers.example", 1);
    await waitForMail("bob@customers.example", 1);
    const waiting = await eventually(async () => {
      const e = await enrollmentOf(ada);
      return e.next_position === 1 ? e : undefined;
    });
    // Two business days after Friday afternoon: Tuesday at opening time.
    expect(waiting.due_at).toBe("2026-12-08T09:00:00.000Z");

    // Bob writes in on Monday: his sequence pauses at once, with the reason.
    at("2026-12-07T10:00:00Z");
    const { conversationId } = await customerWrites(acme, {
      email: "bob@customers.example",
      text: "Quick question",
    });
    const paused = await eventually(async () => {
      const e = await enrollmentOf(bob);
      return e.state === "paused" ? e : undefined;
    });
    expect(paused.pause_reason).toMatch(/^(The customer wrote|New email)/);
    expect(paused.paused_conversation_id).toBe(conversationId);

    at("2026-12-08T08:59:00Z");
    expect(await tick(server.ctx)).toBe(0);
    at("2026-12-08T09:00:00Z");
    // Ada and the contact of the previous test are due; Bob is paused.
    expect(await tick(server.ctx)).toBe(2);
    const adaMail = await waitForMail("ada@customers.example", 2);
    expect(adaMail[1].parsed.subject).toBe("Two tips");

    // Resolving Bob's conversation starts a 24-hour quiet period.
    at("2026-12-08T12:00:00Z");
    const resolved = await acme.as.agent.patch(`/api/v1/conversations/${conversationId}`, {
      status: "resolved",
    });
    expect(resolved.status).toBe(200);
    await eventually(async () =>
      (await enrollmentOf(bob)).resume_at === "2026-12-09T12:00:00.000Z" ? true : undefined,
    );
    at("2026-12-09T11:59:00Z");
    await tick(server.ctx);
    expect((await enrollmentOf(bob)).state).toBe("paused");
    expect(mailTo("bob@customers.example")).toHaveLength(1);
    at("2026-12-09T12:00:00Z");
    await tick(server.ctx);
    const bobMail = await waitForMail("bob@customers.example", 2);
    expect(bobMail[1].parsed.subject).toBe("Two tips");
    expect((await enrollmentOf(bob)).state).toBe("active");
  });

  it("applies an edit to the steps a contact has not reached yet", async () => {
    const ada = (await acme.as.viewer.get("/api/v1/contacts?q=ada")).body.data[0].id;
    expect((await enrollmentOf(ada)).next_position).toBe(2);
    const edited = await acme.as.admin.put(`/api/v1/sequences/${sequenceId}/steps`, {
      steps: [steps[0], steps[1], { ...steps[2], subject: "A new last step for {{contact.first_name}}" }],
    });
    expect(edited.status).toBe(200);
    at("2026-12-11T09:00:00Z");
    await tick(server.ctx);
    const adaMail = await waitForMail("ada@customers.example", 3);
    expect(adaMail.map((m) => m.parsed.subject)).toEqual([
      "Welcome, Ada",
      "Two tips",
      "A new last step for Ada",
    ]);
    // The mail reaches the sink a moment before the job records it.
    await eventually(async () => ((await enrollmentOf(ada)).state === "completed" ? true : undefined));
  });

  it("lets an agent pause and stop a contact's sequence, and unsubscribes in one click (RFC 8058)", async () => {
    const bob = (await acme.as.viewer.get("/api/v1/contacts?q=bob")).body.data[0].id;
    const enrollment = await enrollmentOf(bob);
    const pause = await acme.as.agent.patch(`/api/v1/sequence-enrollments/${enrollment.id}`, {
      state: "paused",
      reason: "Talking renewal on the phone",
    });
    expect(pause.body).toMatchObject({
      state: "paused",
      pause_cause: "agent",
      pause_reason: "Talking renewal on the phone",
    });
    expect(
      (await acme.as.viewer.patch(`/api/v1/sequence-enrollments/${enrollment.id}`, { state: "active" }))
        .status,
    ).toBe(403);
    const resume = await acme.as.agent.patch(`/api/v1/sequence-enrollments/${enrollment.id}`, {
      state: "active",
    });
    expect(resume.body.state).toBe("active");

    const [first] = mailTo("bob@customers.example");
    const list = first.parsed.headers.get("list") as { unsubscribe?: { url?: string } } | undefined;
    const url = list?.unsubscribe?.url;
    expect(url).toMatch(/\/unsubscribe\/[\w-]+$/);
    const post = first.parsed.headerLines.find((h) => h.key === "list-unsubscribe-post");
    expect(post?.line).toBe("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
    // Automated bulk mail says so, so vacation responders and mail filters treat it as such.
    expect(first.parsed.headers.get("auto-submitted")).toBe("auto-generated");
    expect(first.parsed.headers.get("precedence")).toBe("bulk");
    expect(String(first.parsed.messageId)).toMatch(/^<seq\.[0-9a-f-]{36}@/);

    const local = new URL(url!, server.url);
    const landing = await fetch(`${server.url}${local.pathname}`);
    expect(landing.status).toBe(200);
    expect((await enrollmentOf(bob)).state).toBe("active");
    const click = await fetch(`${server.url}${local.pathname}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(click.status).toBe(200);
    const after = await acme.as.viewer.get(`/api/v1/contacts/${bob}/sequences`);
    expect(after.body.suppressed).toBe("unsubscribed");
    expect(after.body.data[0].state).toBe("unsubscribed");
    const again = await acme.as.agent.post(`/api/v1/sequences/${sequenceId}/enrollments`, {
      contact_ids: [bob],
    });
    expect(again.body.skipped[0].reason).toMatch(/unsubscribed|already/);
    const forged = await fetch(`${server.url}${local.pathname.slice(0, -4)}AAAA`, { method: "POST" });
    expect(forged.status).toBe(404);
  });
  it("previews a broadcast's recipients and sends it under the same unsubscribe rules", async () => {
    const bob = (await acme.as.viewer.get("/api/v1/contacts?q=bob")).body.data[0].id;
    const broadcast = {
      inbox_id: acme.inboxId,
      subject: 'Maintenance on Sunday, {{contact.first_name | "all"}}',
      body: "We will be down for ten minutes.",
      segment: { conditions: [{ field: "contact.email", op: "contains", value: "@customers.example" }] },
    };
    const preview = await acme.as.admin.post("/api/v1/broadcasts/preview", broadcast);
    expect(preview.status).toBe(200);
    expect(preview.body.recipients).toBe(2);
    expect(preview.body.skipped).toEqual([{ contact_id: bob, reason: "the contact unsubscribed" }]);
    expect(preview.body.sample.map((m: { subject: string }) => m.subject).sort()).toEqual([
      "Maintenance on Sunday, Ada",
      "Maintenance on Sunday, all",
    ]);
    expect((await acme.as.agent.post("/api/v1/broadcasts", broadcast)).status).toBe(403);
    const badVariable = await acme.as.admin.post("/api/v1/broadcasts", {
      ...broadcast,
      body: "{{ticket.id}}",
    });
    expect(badVariable.body.field).toBe("body");

    const sent = await acme.as.admin.post("/api/v1/broadcasts", broadcast);
    expect(sent.status).toBe(201);
    expect(sent.body.enrolled).toBe(2);
    await tick(server.ctx);
    const adaMail = await waitForMail("ada@customers.example", 4);
    expect(adaMail[3].parsed.subject).toBe("Maintenance on Sunday, Ada");
    expect(adaMail[3].parsed.headerLines.some((h) => h.key === "list-unsubscribe")).toBe(true);
    expect(mailTo("bob@customers.example")).toHaveLength(2);
  });
  it("skips a step whose event condition is not met, and records why in the contact's history", async () => {
    const created = await acme.as.admin.post("/api/v1/sequences", {
      name: "Trial",
      inbox_id: acme.inboxId,
      state: "active",
      entry_event: "trial_started",
      steps: [
        {
          delay_amount: 0,
          delay_unit: "days",
          subject: "Import your data",
          body: "Here is how.",
          conditions: [{ field: "event.imported", op: "not_exists" }],
        },
        { delay_amount: 0, delay_unit: "days", subject: "Week two", body: "Tips for week two." },
      ],
    });
    expect(created.status).toBe(201);
    const imported = await acme.as.agent.post("/api/v1/sequence-events", {
      name: "imported",
      email: "ivy@customers.example",
    });
    const ivy = imported.body.contact_id;
    await acme.as.agent.post("/api/v1/sequence-events", { name: "trial_started", contact_id: ivy });
    await tick(server.ctx);
    const skipped = await eventually(async () => {
      const e = (await acme.as.viewer.get(`/api/v1/contacts/${ivy}/sequences`)).body.data[0];
      return e.next_position === 1 ? e : undefined;
    });
    expect(skipped.history).toEqual([
      expect.objectContaining({
        position: 0,
        state: "skipped",
        detail: "the step's conditions were not met",
      }),
    ]);
    await tick(server.ctx);
    const [mail, ...more] = await waitForMail("ivy@customers.example", 1);
    expect(mail.parsed.subject).toBe("Week two");
    expect(more).toHaveLength(0);
  });
});
