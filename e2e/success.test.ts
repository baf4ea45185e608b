import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliverStripeEvent } from "../apps/server/src/modules/billing/fake-stripe.ts";
import { hasChromium, launchBrowser, screenshot, watchErrors } from "./browser.ts";
import { type AppFixture, signIn, startApp } from "./fixtures.ts";

const DAY = 86_400_000;

describe.skipIf(!hasChromium)("customer success in Chromium", () => {
  let app: AppFixture;
  let browser: Browser;
  let umbrella: string;
  let conversationId: string;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp("Successco"), launchBrowser()]);
    // At risk: product usage stopped, and few of the seats bought are used.
    const company = await app.api.post("/api/v1/companies", {
      name: "Umbrella",
      plan: "Scale",
      mrr_cents: 250_000,
      seats: 20,
      seats_used: 2,
    });
    umbrella = company.body.id;
    await app.api.post("/api/v1/contacts", {
      name: "Alice Ash",
      email: "alice@umbrella.test",
      company_id: umbrella,
    });
    await app.api.post("/api/v1/events", {
      name: "report.run",
      company_id: umbrella,
      quantity: 40,
      occurred_at: new Date(Date.now() - 45 * DAY).toISOString(),
    });
    // Upsell: nearly every seat used.
    const initech = await app.api.post("/api/v1/companies", { name: "Initech", seats: 20, seats_used: 19 });
    for (const id of [umbrella, initech.body.id])
      await app.api.post(`/api/v1/companies/${id}/health/recompute`);
    conversationId = await app.customerWrites({
      name: "Alice Ash",
      email: "alice@umbrella.test",
      subject: "Thinking about cancelling",
      body: "We barely use it lately.",
    });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.destroy();
  });

  it("lists at-risk and upsell companies with reasons, and flags the customer beside the conversation", async () => {
    // Wide enough for the customer sidebar beside the conversation.
    const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const errors = watchErrors(page);
    await signIn(page, app, app.agent.email, "/conversations");
    await page.getByRole("link", { name: "Customer health" }).click();
    await page.waitForURL(/\/success$/);
    const atRisk = page.getByRole("list", { name: "At risk" });
    await atRisk.getByText("Umbrella").waitFor();
    await atRisk.getByText("No product usage in 30 days").waitFor();
    await atRisk.getByText("Using 2 of 20 seats").waitFor();
    // The score's settings are for owners and admins: an agent is not pointed at them.
    expect(await page.getByRole("link", { name: "Settings → Customer health" }).count()).toBe(0);
    await screenshot(page, "success-at-risk");

    await page.getByRole("link", { name: "Upsell prospect" }).click();
    const upsell = page.getByRole("list", { name: "Upsell prospect" });
    await upsell.getByText("Initech").waitFor();
    await upsell.getByText("Using 19 of 20 seats").waitFor();

    await page.goto(`${app.server.url}/conversations/${conversationId}`);
    const health = page.getByRole("region", { name: "Health" });
    await health.getByText("At risk").waitFor();
    await health.getByText("No product usage in 30 days").waitFor();
    await screenshot(page, "success-sidebar");
    // Health changes reach the open sidebar through the event stream, without a reload or a poll.
    const patched = await app.api.patch(`/api/v1/companies/${umbrella}`, { seats_used: 18 });
    expect(patched.status).toBe(200);
    await health.getByText("Using 2 of 20 seats").waitFor({ state: "detached" });
    // The signed-out session probe answers 401 before sign-in; nothing else may fail.
    expect(errors.filter((e) => !e.includes("Failed to load resource"))).toEqual([]);
    await context.close();
  });

  it("offers a customer who wants to leave a pause first, on the signed page", async () => {
    const link = await app.api.post(`/api/v1/companies/${umbrella}/billing/pause-link`, {});
    expect(link.status).toBe(200);
    const context = await browser.newContext({ viewport: { width: 800, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const errors = watchErrors(page);
    await page.goto(link.body.url);
    await page.getByRole("heading", { name: "Before you go" }).waitFor();
    await page.getByLabel("Pause for 3 months").check();
    await page.getByLabel(/Would you tell us why/).fill("Budget freeze until spring");
    await page.getByRole("button", { name: "Confirm" }).click();
    await page.getByText("Umbrella is paused for 3 months").waitFor();
    await screenshot(page, "success-pause-page");
    expect(errors).toEqual([]);
    const billing = await app.api.get(`/api/v1/companies/${umbrella}/billing`);
    expect(billing.body.choices[0]).toMatchObject({
      choice: "pause",
      months: 3,
      reason: "Budget freeze until spring",
    });
    await context.close();
  });

  it("shows retention from the billing history: table, charts, cohorts and the CSV link", async () => {
    const secret = "whsec_retentionE2e0123456789";
    expect((await app.api.put("/api/v1/billing/settings", { stripe_webhook_secret: secret })).status).toBe(
      200,
    );
    const now = new Date();
    const monthDay = (monthsAgo: number) =>
      Math.floor(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsAgo, 3, 12) / 1000);
    const month = (monthsAgo: number) => new Date(monthDay(monthsAgo) * 1000).toISOString().slice(0, 7);
    let n = 0;
    const deliver = async (type: string, created: number, object: Record<string, unknown>) => {
      n += 1;
      const response = await deliverStripeEvent(
        app.server.url,
        app.workspace.workspaceId,
        secret,
        { id: `evt_e2e_${n}`, type, created, object },
        Math.floor(Date.now() / 1000), // signed now, about an event of months ago
      );
      expect(response.status).toBe(200);
    };
    const subscription = (i: number, extra: Record<string, unknown> = {}) => ({
      id: `sub_r${i}`,
      customer: `cus_r${i}`,
      status: "active",
      items: { data: [{ id: `si_r${i}`, quantity: 1, price: { nickname: "Team", unit_amount: 10_000 } }] },
      ...extra,
    });
    // Four customers from two months ago; last month one cancels and one pauses.
    for (let i = 1; i <= 4; i++) {
      await deliver("customer.created", monthDay(2), { id: `cus_r${i}`, name: `Retained ${i}` });
      await deliver("customer.subscription.created", monthDay(2), subscription(i));
    }
    await deliver("customer.subscription.deleted", monthDay(1), subscription(1, { status: "canceled" }));
    await deliver(
      "customer.subscription.updated",
      monthDay(1),
      subscription(2, { pause_collection: { behavior: "void" } }),
    );

    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const errors = watchErrors(page);
    await signIn(page, app, app.agent.email, "/conversations");
    await page.getByRole("link", { name: "Retention", exact: true }).click();
    await page.waitForURL(/\/reports\/retention$/);
    const table = page.getByRole("table", { name: "Retention by month" });
    const lastMonth = table.getByRole("row", { name: new RegExp(`^${month(1)}`) });
    await lastMonth.waitFor();
    // Of four paying at its start: one churned, one paused (kept, without revenue).
    expect(await lastMonth.getByRole("cell").allTextContents()).toEqual([
      "4",
      "3",
      "1",
      "1",
      "0",
      "75%",
      "50%",
      "$100",
      "$100",
      "$0",
      "—",
    ]);
    await page.getByRole("img", { name: "Logo and net revenue retention by month" }).waitFor();
    await page.getByRole("img", { name: "Churned, paused and recovered MRR by month" }).waitFor();
    const cohort = page
      .getByRole("table", { name: "Cohorts by first paying month" })
      .getByRole("row", { name: new RegExp(`^${month(2)}`) });
    expect(await cohort.getByRole("cell").allTextContents()).toEqual(
      expect.arrayContaining(["4", "100%", "75%"]),
    );
    const csv = page.getByRole("link", { name: "Download as CSV" });
    expect(await csv.getAttribute("href")).toMatch(/^\/api\/v1\/billing\/retention\?.*format=csv/);
    await screenshot(page, "success-retention");
    expect(errors.filter((e) => !e.includes("Failed to load resource"))).toEqual([]);
    await context.close();
  });
});
