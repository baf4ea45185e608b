import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiClient,
  createTestWorkspace,
  databaseKinds,
  eventually,
  startTestServer,
  type TestServer,
  type TestWorkspace,
} from "../../test/harness.ts";
import { advanceDunning } from "./dunning.ts";
import { deliverStripeEvent } from "./fake-stripe.ts";

const SECRET = "whsec_retentionTestSecret0123456789";

/*
 * A constructed history with known answers: ten customers paying 50.00 a month from January; in
 * February two cancel, one pauses, two cards fail — one is updated in time, one is not.
 */
describe.each(databaseKinds)("retention report on %s", (kind) => {
  let server: TestServer;
  let acme: TestWorkspace;
  let globex: TestWorkspace;
  let clock = new Date("2026-01-10T09:00:00Z");
  let sequence = 0;

  const as = (workspace: TestWorkspace, role: keyof TestWorkspace["tokens"]) =>
    apiClient(server.url, workspace.tokens[role]);

  async function deliver(type: string, object: Record<string, unknown>) {
    sequence += 1;
    const created = Math.floor(clock.getTime() / 1000);
    const response = await deliverStripeEvent(server.url, acme.workspaceId, SECRET, {
      id: `evt_${kind}_r${sequence}`,
      type,
      created,
      object,
    });
    expect(response.status).toBe(200);
  }

  const subscription = (n: number, extra: Record<string, unknown> = {}) => ({
    id: `sub_${n}`,
    customer: `cus_${n}`,
    status: "active",
    items: { data: [{ id: `si_${n}`, quantity: 1, price: { nickname: "Team", unit_amount: 5000 } }] },
    ...extra,
  });
  const invoice = (n: number) => ({
    id: `in_${n}`,
    customer: `cus_${n}`,
    subscription: `sub_${n}`,
    amount_due: 5000,
  });

  beforeAll(async () => {
    server = await startTestServer(kind, {}, { now: () => clock });
    [acme, globex] = [await createTestWorkspace(server, "Acme"), await createTestWorkspace(server, "Globex")];
    const saved = await as(acme, "owner").put("/api/v1/billing/settings", {
      stripe_webhook_secret: SECRET,
      grace_days: 3,
      reminder_days: [0],
      after_grace: "none",
    });
    expect(saved.status).toBe(200);

    for (let n = 1; n <= 10; n++) {
      await deliver("customer.created", {
        id: `cus_${n}`,
        name: `Customer ${n}`,
        email: `billing@c${n}.test`,
      });
      await deliver("customer.subscription.created", subscription(n));
    }
    clock = new Date("2026-02-03T09:00:00Z");
    await deliver("customer.subscription.deleted", subscription(1, { status: "canceled" }));
    await deliver("customer.subscription.deleted", subscription(2, { status: "canceled" }));
    await deliver(
      "customer.subscription.updated",
      subscription(3, { pause_collection: { behavior: "void" } }),
    );
    await deliver("invoice.payment_failed", invoice(4));
    await deliver("invoice.payment_failed", invoice(5));
    clock = new Date("2026-02-06T09:00:00Z");
    await deliver("invoice.paid", invoice(4));
    clock = new Date("2026-02-07T09:00:00Z");
    // A case takes a step per pass (the last reminder, then the expiry): advance until it expires.
    await eventually(async () => {
      await advanceDunning(server.ctx, acme.workspaceId);
      const closed = await server.ctx.db
        .selectFrom("dunning_cases")
        .select("id")
        .where("workspace_id", "=", acme.workspaceId)
        .where("state", "=", "expired")
        .execute();
      return closed.length === 1;
    });
    clock = new Date("2026-02-20T09:00:00Z");
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it("gives exact logo and revenue retention, churned, paused and recovered MRR, and dunning recovery", async () => {
    const report = await as(acme, "viewer").get("/api/v1/billing/retention?from=2026-01&to=2026-02");
    expect(report.status).toBe(200);
    expect(report.body.rows).toEqual([
      expect.objectContaining({
        month: "2026-01",
        start_companies: 0,
        new_companies: 10,
        logo_retention: null,
      }),
      {
        month: "2026-02",
        start_companies: 10,
        retained_companies: 8,
        churned_companies: 2,
        paused_companies: 1,
        new_companies: 0,
        logo_retention: 0.8,
        start_mrr_cents: 50_000,
        retained_mrr_cents: 35_000,
        net_revenue_retention: 0.7,
        churned_mrr_cents: 10_000,
        paused_mrr_cents: 5000,
        recovered_mrr_cents: 5000,
        dunning_closed: 2,
        dunning_recovered: 1,
        dunning_recovery_rate: 0.5,
      },
    ]);
    expect(report.body.total).toEqual({
      churned_mrr_cents: 10_000,
      paused_mrr_cents: 5000,
      recovered_mrr_cents: 5000,
      dunning_closed: 2,
      dunning_recovered: 1,
      dunning_recovery_rate: 0.5,
    });
    expect(report.body.cohorts).toEqual([
      { month: "2026-01", companies: 10, retained: [1, 0.8] },
      { month: "2026-02", companies: 0, retained: [null] },
    ]);
  });

  it("reads the history as it was: a resumed pause and a re-subscribed customer change later months only", async () => {
    clock = new Date("2026-03-02T09:00:00Z");
    await deliver("customer.subscription.resumed", subscription(3));
    const report = await as(acme, "viewer").get("/api/v1/billing/retention?from=2026-02&to=2026-03");
    const [february, march] = report.body.rows;
    expect(february).toMatchObject({ month: "2026-02", logo_retention: 0.8, paused_companies: 1 });
    // March starts with the seven still paying; the resumed one comes back as new revenue.
    expect(march).toMatchObject({
      month: "2026-03",
      start_companies: 7,
      retained_companies: 7,
      new_companies: 1,
    });
    expect(march.logo_retention).toBe(1);
  });

  it("exports the monthly table as CSV", async () => {
    const csv = await as(acme, "viewer").get("/api/v1/billing/retention?from=2026-01&to=2026-02&format=csv");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = csv.body.trim().split("\r\n");
    expect(lines[0]).toBe(
      "month,start_companies,retained_companies,churned_companies,paused_companies,new_companies,logo_retention," +
        "start_mrr_cents,retained_mrr_cents,net_revenue_retention,churned_mrr_cents,paused_mrr_cents," +
        "recovered_mrr_cents,dunning_closed,dunning_recovered,dunning_recovery_rate",
    );
    expect(lines[2]).toBe("2026-02,10,8,2,1,0,0.8,50000,35000,0.7,10000,5000,5000,2,1,0.5");
  });

  it("refuses a bad range with problem+json naming the field", async () => {
    const cases: [string, string][] = [
      ["from=2026-13", "from"],
      ["from=march", "from"],
      ["to=2026-1", "to"],
      ["from=2026-03&to=2026-01", "from"],
      ["from=2023-01&to=2026-01", "to"],
      ["to=2027-01", "to"],
    ];
    for (const [query, field] of cases) {
      const response = await as(acme, "viewer").get(`/api/v1/billing/retention?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.headers.get("content-type")).toMatch(/application\/problem\+json/);
      expect(response.body.field, query).toBe(field);
    }
    expect((await as(acme, "viewer").get("/api/v1/billing/retention?since=2026-01")).status).toBe(400);
  });

  it("shows each workspace only its own history, to every role, and nobody signed out", async () => {
    const other = await as(globex, "owner").get("/api/v1/billing/retention?from=2026-01&to=2026-02");
    expect(other.status).toBe(200);
    expect(
      other.body.rows.map((r: { start_companies: number; new_companies: number }) => r.new_companies),
    ).toEqual([0, 0]);
    expect(other.body.total.dunning_closed).toBe(0);
    for (const role of ["viewer", "agent", "admin", "owner"] as const)
      expect((await as(acme, role).get("/api/v1/billing/retention")).status).toBe(200);
    expect((await apiClient(server.url).get("/api/v1/billing/retention")).status).toBe(401);
  });
});
