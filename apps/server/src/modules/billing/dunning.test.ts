import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiClient,
  createTestWorkspace,
  databaseKinds,
  eventually,
  startTestServer,
  type TestServer,
  type TestWorkspace,
  eventLog,
} from "../../test/harness.ts";
import { stripeRetry } from "./actions.ts";
import { advanceDunning } from "./dunning.ts";
import { deliverStripeEvent, type FakeStripe, startFakeStripe } from "./fake-stripe.ts";
import { setStripeApiBase } from "./stripe-client.ts";

const SECRET = "whsec_dunningTestSecret0123456789";
const DAY = 86_400_000;

describe.each(databaseKinds)("friendly dunning and pause on %s", (kind) => {
  let server: TestServer;
  let fake: FakeStripe;
  let acme: TestWorkspace;
  let clock = new Date("2026-12-01T09:00:00Z");
  let sequence = 0;
  let events: ReturnType<typeof eventLog>;

  beforeAll(async () => {
    stripeRetry.delaySeconds = 1;
    fake = await startFakeStripe();
    server = await startTestServer(kind, {}, { now: () => clock });
    setStripeApiBase(server.ctx, fake.url);
    events = eventLog(server);
    acme = await createTestWorkspace(server, "Acme");
    const inbox = await as("owner").post("/api/v1/inboxes", { name: "Support", channel: "api" });
    const saved = await as("owner").put("/api/v1/billing/settings", {
      stripe_secret_key: "sk_test_dunning0123456789",
      stripe_webhook_secret: SECRET,
      grace_days: 10,
      reminder_days: [0, 3, 7],
      after_grace: "pause",
      inbox_id: inbox.body.id,
      sender_agent_id: acme.agents.admin,
      update_card_url: "https://billing.acme.test/card",
    });
    expect(saved.status).toBe(200);
  });
  afterAll(async () => {
    await server?.destroy();
    await fake?.close();
  });

  const as = (role: keyof TestWorkspace["tokens"]) => apiClient(server.url, acme.tokens[role]);
  const seconds = () => Math.floor(clock.getTime() / 1000);
  const advance = (days: number) => {
    clock = new Date(clock.getTime() + days * DAY);
  };

  async function deliver(type: string, object: Record<string, unknown>) {
    sequence += 1;
    const response = await deliverStripeEvent(server.url, acme.workspaceId, SECRET, {
      id: `evt_${kind}_d${sequence}`,
      type,
      created: seconds(),
      object,
    });
    expect(response.status).toBe(200);
    return response.body;
  }

  /** A paying customer: Stripe customer with its billing contact, and a subscription. */
  async function payingCustomer(name: string) {
    const slug = name.toLowerCase();
    if (slug === "initech")
      await as("agent").post("/api/v1/contacts", { name: "Ann Example", email: "ann@initech.test" });
    await deliver("customer.created", {
      id: `cus_${slug}`,
      name,
      email: `${slug === "globex" ? "hank" : "ann"}@${slug}.test`,
    });
    await deliver("customer.subscription.created", {
      id: `sub_${slug}`,
      customer: `cus_${slug}`,
      status: "active",
      items: { data: [{ id: `si_${slug}`, quantity: 5, price: { nickname: "Team", unit_amount: 2000 } }] },
    });
    const page = await as("viewer").get(`/api/v1/companies?q=${slug}`);
    return page.body.data[0].id as string;
  }

  const billingOf = async (companyId: string) =>
    (await as("viewer").get(`/api/v1/companies/${companyId}/billing`)).body;

  const fail = (slug: string) =>
    deliver("invoice.payment_failed", {
      id: `in_${slug}`,
      customer: `cus_${slug}`,
      subscription: `sub_${slug}`,
      amount_due: 10_000,
    });

  it("fail, grace, reminders, recovered: plain reminders from a person, never twice, none after payment", async () => {
    const initech = await payingCustomer("Initech");
    await fail("initech");
    // The webhook queued a tick: the first reminder goes out at once, as a conversation in the support inbox.
    const first = await eventually(async () => {
      const billing = await billingOf(initech);
      return billing.dunning[0]?.notices[0]?.conversation_id ? billing.dunning[0] : undefined;
    });
    expect(first).toMatchObject({ state: "open", reason: "payment_failed" });
    expect(first.notices[0]).toMatchObject({
      step: 0,
      to_email: "ann@initech.test",
      subject: "A hiccup with the Initech payment",
    });
    const messages = await as("viewer").get(
      `/api/v1/conversations/${first.notices[0].conversation_id}/messages`,
    );
    const reminder = messages.body.data.find((m: { kind: string }) => m.kind === "outgoing");
    expect(reminder.author_agent_id).toBe(acme.agents.admin);
    expect(reminder.body_text).toContain("Hi Ann,");
    expect(reminder.body_text).toContain("of 100.00 for Initech did not go through");
    expect(reminder.body_text).toContain("everything keeps working until 11 December");
    expect(reminder.body_text).toContain("https://billing.acme.test/card");
    expect(reminder.body_text).toContain("Acme admin");

    advance(1);
    await advanceDunning(server.ctx, acme.workspaceId);
    expect((await billingOf(initech)).dunning[0].notices).toHaveLength(1);
    advance(2);
    await Promise.all([
      advanceDunning(server.ctx, acme.workspaceId),
      advanceDunning(server.ctx, acme.workspaceId),
    ]);
    const second = (await billingOf(initech)).dunning[0];
    expect(second.notices.map((n: { step: number; subject: string }) => [n.step, n.subject])).toEqual([
      [0, "A hiccup with the Initech payment"],
      [1, "Your Initech card still needs a quick update"],
    ]);

    advance(1);
    await deliver("invoice.paid", { id: "in_initech", customer: "cus_initech", subscription: "sub_initech" });
    advance(10);
    await advanceDunning(server.ctx, acme.workspaceId);
    const closed = (await billingOf(initech)).dunning[0];
    expect(closed).toMatchObject({ state: "recovered", outcome: "recovered" });
    expect(closed.notices).toHaveLength(2);
    expect(fake.requests).toEqual([]);
    expect(await events.all()).toContainEqual(
      expect.objectContaining({
        type: "dunning.recovered",
        data: expect.objectContaining({ company_id: initech }),
      }),
    );
  });

  it("fail, grace expires, paused: the configured action goes to Stripe, retried when Stripe fails", async () => {
    const globex = await payingCustomer("Globex");
    await fail("globex");
    await eventually(async () =>
      (await billingOf(globex)).dunning[0]?.notices[0]?.conversation_id ? true : undefined,
    );
    for (const days of [3, 4]) {
      advance(days);
      await advanceDunning(server.ctx, acme.workspaceId);
    }
    const open = (await billingOf(globex)).dunning[0];
    expect(open.state).toBe("open");
    expect(open.notices.map((n: { subject: string }) => n.subject)).toEqual([
      "A hiccup with the Globex payment",
      "Your Globex card still needs a quick update",
      "Still time to keep Globex going",
    ]);
    fake.failNext(1000);
    advance(3);
    await advanceDunning(server.ctx, acme.workspaceId);
    expect((await billingOf(globex)).dunning[0]).toMatchObject({ state: "expired", outcome: "paused" });
    // Stripe's bad minute is visible on the case, then the retry carries the pause out.
    await eventually(async () => {
      const c = (await billingOf(globex)).dunning[0];
      return c.action_error?.includes("bad minute") ? c : undefined;
    });
    fake.failNext(0);
    await eventually(async () =>
      (await billingOf(globex)).dunning[0].action_error === null ? true : undefined,
    );
    const pauses = fake.requests.filter((r) => r.path === "/v1/subscriptions/sub_globex");
    expect(pauses.length).toBeGreaterThanOrEqual(2);
    expect(pauses.at(-1)).toMatchObject({
      method: "POST",
      form: { "pause_collection[behavior]": "void" },
      authorization: "Bearer sk_test_dunning0123456789",
    });
    expect(new Set(pauses.map((p) => p.idempotencyKey)).size).toBe(1);
    expect((await billingOf(globex)).dunning[0].notices).toHaveLength(3);
  });

  it("offers a pause before a cancel on a signed page, records the reason, and resumes in one click", async () => {
    const hooli = await payingCustomer("Hooli");
    const signed = await as("agent").post(`/api/v1/companies/${hooli}/billing/pause-link`, {});
    expect(signed.status).toBe(200);
    // The link names BASE_URL; this test server listens on a port of its own.
    const link = { body: { url: `${server.url}${new URL(signed.body.url).pathname}` } };
    const page = await fetch(link.body.url);
    const html = await page.text();
    expect(html).toContain("pause Hooli instead of cancelling");
    expect(html).toContain('value="pause-3"');

    const tampered = link.body.url.replace(/.$/, (c: string) => (c === "A" ? "B" : "A"));
    expect((await fetch(tampered)).status).toBe(404);
    const forged = await fetch(tampered, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "choice=cancel",
    });
    expect(forged.status).toBe(404);

    const before = fake.requests.length;
    const chosen = await fetch(link.body.url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ choice: "pause-2", reason: "Quiet season, back in spring" }).toString(),
    });
    expect(chosen.status).toBe(200);
    expect(await chosen.text()).toContain("Hooli is paused for 2 months");
    const twice = await fetch(link.body.url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ choice: "pause-2", reason: "Quiet season, back in spring" }).toString(),
    });
    expect(twice.status).toBe(200);
    const pause = await eventually(async () =>
      fake.requests.slice(before).find((r) => r.path === "/v1/subscriptions/sub_hooli"),
    );
    expect(Number(pause.form["pause_collection[resumes_at]"])).toBe(seconds() + 60 * 86_400);
    const billing = await eventually(async () => {
      const b = await billingOf(hooli);
      return b.choices[0]?.stripe_state === "done" ? b : undefined;
    });
    expect(billing.choices[0]).toMatchObject({
      choice: "pause",
      months: 2,
      reason: "Quiet season, back in spring",
    });
    expect(billing.choices).toHaveLength(1);
    expect(fake.requests.slice(before).filter((r) => r.path === "/v1/subscriptions/sub_hooli")).toHaveLength(
      1,
    );
    expect(await events.all()).toContainEqual(
      expect.objectContaining({
        type: "billing.choice",
        data: expect.objectContaining({ company_id: hooli, choice: "pause", by: "customer" }),
      }),
    );

    // Stripe reports the pause; the company shows it, and an agent resumes with one click.
    await deliver("customer.subscription.updated", {
      id: "sub_hooli",
      customer: "cus_hooli",
      status: "active",
      pause_collection: { behavior: "void" },
      items: { data: [{ id: "si_hooli", quantity: 5, price: { nickname: "Team", unit_amount: 2000 } }] },
    });
    const company = (await as("viewer").get(`/api/v1/companies/${hooli}`)).body;
    expect(company).toMatchObject({ billing_status: "paused", mrr_cents: 0 });
    expect((await as("viewer").post(`/api/v1/companies/${hooli}/billing/resume`)).status).toBe(403);
    const resumed = await as("agent").post(`/api/v1/companies/${hooli}/billing/resume`);
    expect(resumed.status).toBe(202);
    const resume = await eventually(async () =>
      fake.requests.find((r) => r.path === "/v1/subscriptions/sub_hooli" && r.form.pause_collection === ""),
    );
    expect(resume.method).toBe("POST");
    // Let the job write its outcome before the server stops.
    await eventually(async () => {
      const b = await billingOf(hooli);
      const mine = b.choices.find((c: { id: string }) => c.id === resumed.body.id);
      return mine?.stripe_state === "done" ? true : undefined;
    });
  });
});
