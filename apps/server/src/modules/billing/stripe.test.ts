import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiClient,
  createTestWorkspace,
  databaseKinds,
  startTestServer,
  type TestServer,
  type TestWorkspace,
} from "../../test/harness.ts";
import { signedEvent } from "./fake-stripe.ts";

const SECRET = "whsec_acmeTestSecret0123456789";
const OTHER_SECRET = "whsec_globexTestSecret0123456789";

describe.each(databaseKinds)("Stripe webhooks on %s", (kind) => {
  let server: TestServer;
  let acme: TestWorkspace;
  let globex: TestWorkspace;
  let sequence = 0;
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    server = await startTestServer(kind);
    [acme, globex] = [await createTestWorkspace(server, "Acme"), await createTestWorkspace(server, "Globex")];
    const saved = await as(acme, "owner").put("/api/v1/billing/settings", {
      stripe_secret_key: "sk_test_acme0123456789",
      stripe_webhook_secret: SECRET,
    });
    expect(saved.status).toBe(200);
    await as(globex, "owner").put("/api/v1/billing/settings", { stripe_webhook_secret: OTHER_SECRET });
  });
  afterAll(async () => {
    await server?.destroy();
  });

  const as = (workspace: TestWorkspace, role: keyof TestWorkspace["tokens"]) =>
    apiClient(server.url, workspace.tokens[role]);

  function event(type: string, object: Record<string, unknown>, created = nowSeconds()) {
    sequence += 1;
    return { id: `evt_${kind}_${sequence}`, type, created, object };
  }

  async function deliver(
    workspace: TestWorkspace,
    signed: { payload: string; signature: string },
    headers: Record<string, string> = {},
  ) {
    return apiClient(server.url).post(
      `/api/v1/billing/stripe/webhook/${workspace.workspaceId}`,
      signed.payload,
      {
        "stripe-signature": signed.signature,
        ...headers,
      },
    );
  }

  const subscription = (id: string, customer: string, quantity: number, amount: number, extra = {}) => ({
    id,
    object: "subscription",
    customer,
    status: "active",
    current_period_end: nowSeconds() + 20 * 86_400,
    items: {
      object: "list",
      data: [
        {
          id: `si_${id}`,
          quantity,
          price: {
            id: "price_growth",
            nickname: "Growth",
            unit_amount: amount,
            recurring: { interval: "month" },
          },
        },
      ],
    },
    ...extra,
  });

  async function companyOf(customer: string) {
    const page = await as(acme, "viewer").get("/api/v1/companies?limit=100");
    return page.body.data.find((c: { stripe_customer_id: string }) => c.stripe_customer_id === customer);
  }

  it("shows the connection without ever showing the keys, and only admins change it", async () => {
    const settings = await as(acme, "viewer").get("/api/v1/billing/settings");
    expect(settings.body).toMatchObject({
      stripe_connected: true,
      stripe_key_hint: "6789",
      webhook_secret_set: true,
      webhook_url: `${server.ctx.config.baseUrl}/api/v1/billing/stripe/webhook/${acme.workspaceId}`,
      grace_days: 14,
      after_grace: "pause",
    });
    expect(JSON.stringify(settings.body)).not.toContain("sk_test");
    expect((await as(acme, "agent").put("/api/v1/billing/settings", { grace_days: 1 })).status).toBe(403);
    const bad = await as(acme, "owner").put("/api/v1/billing/settings", {
      stripe_secret_key: "pk_live_oops",
    });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("stripe_secret_key");
    const stored = await server.ctx.db
      .selectFrom("billing_settings")
      .select("stripe_secret_key")
      .where("workspace_id", "=", acme.workspaceId)
      .executeTakeFirstOrThrow();
    expect(stored.stripe_secret_key).not.toContain("acme0123456789");
  });

  it("mirrors a customer into a company with its contact, once however often it is delivered", async () => {
    const created = signedEvent(
      SECRET,
      event("customer.created", {
        id: "cus_initech",
        object: "customer",
        name: "Initech",
        email: "bill@initech.test",
        created: nowSeconds() - 86_400,
      }),
    );
    const first = await deliver(acme, created);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ received: true, duplicate: false, outcome: "applied" });
    const again = await deliver(acme, created);
    expect(again.body).toEqual({ received: true, duplicate: true, outcome: "applied" });
    const page = await as(acme, "viewer").get("/api/v1/companies?q=initech");
    expect(page.body.data).toHaveLength(1);
    expect(page.body.data[0]).toMatchObject({
      name: "Initech",
      domain: "initech.test",
      stripe_customer_id: "cus_initech",
    });
    const contacts = await as(acme, "viewer").get("/api/v1/contacts?q=bill");
    expect(contacts.body.data[0]).toMatchObject({
      email: "bill@initech.test",
      company_id: page.body.data[0].id,
    });
  });

  it("keeps the newest subscription state when events arrive out of order", async () => {
    const t = nowSeconds();
    const newer = signedEvent(
      SECRET,
      event("customer.subscription.updated", subscription("sub_initech", "cus_initech", 12, 4900), t),
    );
    const older = signedEvent(
      SECRET,
      event("customer.subscription.created", subscription("sub_initech", "cus_initech", 3, 4900), t - 60),
      t,
    );
    expect((await deliver(acme, newer)).body.outcome).toBe("applied");
    expect((await deliver(acme, older)).body).toEqual({ received: true, duplicate: false, outcome: "stale" });
    expect(await companyOf("cus_initech")).toMatchObject({
      plan: "Growth",
      mrr_cents: 12 * 4900,
      seats: 12,
      billing_status: "active",
    });
  });

  it("creates the company from a subscription that arrives before its customer, and names it later", async () => {
    const yearly = subscription("sub_hooli", "cus_hooli", 1, 120_000);
    yearly.items.data[0].price.recurring = { interval: "year" };
    expect(
      (await deliver(acme, signedEvent(SECRET, event("customer.subscription.created", yearly)))).status,
    ).toBe(200);
    expect(await companyOf("cus_hooli")).toMatchObject({ name: "cus_hooli", mrr_cents: 10_000 });
    const customer = { id: "cus_hooli", object: "customer", name: "Hooli", email: "gavin@hooli.test" };
    await deliver(acme, signedEvent(SECRET, event("customer.updated", customer)));
    expect(await companyOf("cus_hooli")).toMatchObject({ name: "Hooli", mrr_cents: 10_000 });
  });

  it("refuses forged, replayed-late and misdirected deliveries, recording nothing", async () => {
    const forged = signedEvent(
      "whsec_notTheRealSecret0000",
      event("customer.created", { id: "cus_evil", name: "Evil" }),
    );
    const stale = signedEvent(
      SECRET,
      event("customer.created", { id: "cus_late", name: "Late" }, nowSeconds() - 3600),
    );
    const elsewhere = signedEvent(SECRET, event("customer.created", { id: "cus_lost", name: "Lost" }));
    for (const [workspace, signed] of [
      [acme, forged],
      [acme, stale],
      [globex, elsewhere],
    ] as const) {
      const response = await deliver(workspace, signed);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ field: "stripe-signature" });
      expect(response.headers.get("content-type")).toMatch(/problem\+json/);
    }
    const tampered = signedEvent(SECRET, event("customer.created", { id: "cus_x", name: "X" }));
    const edited = { ...tampered, payload: tampered.payload.replace('"X"', '"Y"') };
    expect((await deliver(acme, edited)).status).toBe(400);
    expect(
      (await apiClient(server.url).post(`/api/v1/billing/stripe/webhook/${acme.workspaceId}`, "{}")).status,
    ).toBe(400);
    const names = (await as(acme, "viewer").get("/api/v1/companies?limit=100")).body.data.map(
      (c: { name: string }) => c.name,
    );
    expect(names).not.toEqual(expect.arrayContaining(["Evil"]));
    expect(names.filter((n: string) => ["Evil", "Late", "Lost", "X", "Y"].includes(n))).toEqual([]);
  });

  it("opens a dunning case on a failed payment, marks the company at risk, and recovers on payment", async () => {
    const invoice = {
      id: "in_initech_1",
      object: "invoice",
      customer: "cus_initech",
      subscription: "sub_initech",
      amount_due: 58_800,
    };
    const failed = signedEvent(SECRET, event("invoice.payment_failed", invoice));
    expect((await deliver(acme, failed)).body.outcome).toBe("applied");
    expect((await deliver(acme, failed)).body.duplicate).toBe(true);
    const company = await companyOf("cus_initech");
    const billing = await as(acme, "viewer").get(`/api/v1/companies/${company.id}/billing`);
    expect(billing.body.dunning).toHaveLength(1);
    expect(billing.body.dunning[0]).toMatchObject({ state: "open", reason: "payment_failed", outcome: null });
    const health = await as(acme, "agent").post(`/api/v1/companies/${company.id}/health/recompute`);
    expect(health.body.at_risk).toBe(true);
    expect(health.body.reasons[0]).toMatchObject({ factor: "failed_payment", text: "Card failed today" });

    const paid = signedEvent(SECRET, event("invoice.paid", { ...invoice, status: "paid" }));
    expect((await deliver(acme, paid)).body.outcome).toBe("applied");
    const after = await as(acme, "viewer").get(`/api/v1/companies/${company.id}/billing`);
    expect(after.body.dunning[0]).toMatchObject({ state: "recovered", outcome: "recovered" });
    // The failure of an invoice already paid, arriving late, opens nothing.
    const late = signedEvent(
      SECRET,
      event("invoice.payment_failed", invoice, nowSeconds() - 30),
      nowSeconds(),
    );
    expect((await deliver(acme, late)).body.outcome).toBe("stale");
    const still = await as(acme, "viewer").get(`/api/v1/companies/${company.id}/billing`);
    expect(still.body.dunning).toHaveLength(1);
    expect((await as(globex, "owner").get(`/api/v1/companies/${company.id}/billing`)).status).toBe(404);
  });

  it("warns about a card about to expire, gives way to a failed payment, and closes on a new card", async () => {
    const hooli = await companyOf("cus_hooli");
    const now = new Date();
    const card = {
      id: "card_hooli",
      object: "card",
      customer: "cus_hooli",
      exp_month: now.getUTCMonth() + 1,
      exp_year: now.getUTCFullYear(),
    };
    await deliver(acme, signedEvent(SECRET, event("customer.source.expiring", card)));
    const billing = async () => (await as(acme, "viewer").get(`/api/v1/companies/${hooli.id}/billing`)).body;
    expect((await billing()).dunning[0]).toMatchObject({ reason: "card_expiring", state: "open" });
    const health = await as(acme, "agent").post(`/api/v1/companies/${hooli.id}/health/recompute`);
    expect(health.body.reasons).toContainEqual(
      expect.objectContaining({ factor: "failed_payment", text: "Card on file expires soon" }),
    );
    const invoice = { id: "in_hooli_1", customer: "cus_hooli", subscription: "sub_hooli", amount_due: 100 };
    await deliver(acme, signedEvent(SECRET, event("invoice.payment_failed", invoice)));
    const cases = (await billing()).dunning.map((c: { reason: string; state: string }) => [
      c.reason,
      c.state,
    ]);
    expect(cases).toEqual(
      expect.arrayContaining([
        ["payment_failed", "open"],
        ["card_expiring", "expired"],
      ]),
    );
    await deliver(acme, signedEvent(SECRET, event("invoice.paid", { ...invoice, status: "paid" })));
    await deliver(acme, signedEvent(SECRET, event("customer.source.expiring", card)));
    await deliver(
      acme,
      signedEvent(
        SECRET,
        event("payment_method.attached", { id: "pm_new", object: "payment_method", customer: "cus_hooli" }),
      ),
    );
    const states = (await billing()).dunning.map(
      (c: { reason: string; state: string }) => `${c.reason}:${c.state}`,
    );
    expect(states.sort()).toEqual([
      "card_expiring:expired",
      "card_expiring:recovered",
      "payment_failed:recovered",
    ]);
  });
});
