import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../apps/server/src/modules/access/passwords.ts";
import { addMember, upsertAgent } from "../apps/server/src/modules/workspaces/service.ts";
import { eventually } from "../apps/server/src/test/harness.ts";
import { hasChromium, launchBrowser, screenshot, watchErrors } from "./browser.ts";
import { type AppFixture, PASSWORD, signIn, startApp } from "./fixtures.ts";

/** The labelled field's own box: its input, hint and error. */
const fieldOf = (page: Page, label: string) =>
  page.locator(".field", { has: page.getByLabel(label, { exact: true }) });

describe.skipIf(!hasChromium)("billing and customer-health settings in Chromium", () => {
  let app: AppFixture;
  let browser: Browser;
  let companyId: string;
  let featureId: string;
  const ownerEmail = "olu@billing-settings.test";

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp("Billingco"), launchBrowser()]);
    const ownerId = await upsertAgent(
      app.server.ctx.db,
      ownerEmail,
      "Olu Owner",
      await hashPassword(PASSWORD),
    );
    await addMember(app.server.ctx.db, app.workspace.workspaceId, ownerId, "owner");
    // Start from "cancel", so choosing "pause" in the screen is a real change.
    const start = await app.api.put("/api/v1/billing/settings", { after_grace: "cancel" });
    expect(start.status).toBe(200);
    const feature = await app.api.post("/api/v1/feature-requests", { title: "SAML single sign-on" });
    featureId = feature.body.id;
    const company = await app.api.post("/api/v1/companies", { name: "Umbrella", plan: "Growth", seats: 10 });
    companyId = company.body.id;
    await app.api.post(`/api/v1/companies/${companyId}/health/recompute`);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.destroy();
  });

  it("an owner connects Stripe and sets the payment rules; the server's field error shows by the field", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const errors = watchErrors(page);
    await signIn(page, app, ownerEmail, "/settings/profile");
    const nav = page.getByRole("navigation", { name: "Settings" });
    await nav.getByRole("link", { name: "Billing" }).click();
    await page.waitForURL(/\/settings\/billing$/);

    // Connect: both credentials are password fields, cleared once saved.
    await page.getByText("Not connected.").waitFor();
    const key = page.getByLabel("Stripe secret key");
    expect(await key.getAttribute("type")).toBe("password");
    await key.fill("sk_test_51FakeKeyForE2e9876");
    await page.getByLabel("Webhook signing secret").fill("whsec_FakeSigningSecret42");
    // An edit to the payment rules, not saved yet, survives connecting Stripe above it.
    await page.getByLabel("Grace period (days)").fill("10");
    await page.getByRole("button", { name: "Connect Stripe" }).click();
    await page.getByText("Set, ending in 9876. Leave empty to keep it.").waitFor();
    expect(await key.inputValue()).toBe("");
    expect(await page.getByLabel("Grace period (days)").inputValue()).toBe("10");
    const webhookUrl = `${app.server.url}/api/v1/billing/stripe/webhook/${app.workspace.workspaceId}`;
    expect(await page.getByLabel("Webhook URL").inputValue()).toBe(webhookUrl);
    await page.getByRole("button", { name: "Copy URL" }).click();
    await page.getByText("Copied").waitFor();

    // The payment rules: a grace of 10 days, then pause; sender and inbox from pickers.
    const rules = page.locator("form", { has: page.getByRole("button", { name: "Save payment rules" }) });
    await page.getByLabel("After the grace period").selectOption("pause");
    await page.getByLabel("Reminders are sent by").selectOption({ label: `Olu Owner (${ownerEmail})` });
    await page.getByLabel("Replies to reminders arrive in").selectOption({ label: "Support" });
    await page.getByLabel("Update-card page").fill("https://billing.example.com/card");
    await page.getByRole("button", { name: "Save payment rules" }).click();
    await rules.getByText("Saved").waitFor();

    // A bad update-card address: the server's message sits under that field.
    await page.getByLabel("Update-card page").fill("billing dot example");
    await page.getByRole("button", { name: "Save payment rules" }).click();
    const urlField = fieldOf(page, "Update-card page");
    await urlField.locator(".field-error").waitFor();
    expect(await urlField.locator(".field-error").textContent()).toMatch(/must match/);
    expect(await page.getByLabel("Update-card page").getAttribute("aria-invalid")).toBe("true");
    await screenshot(page, "settings-billing-error");

    // After a reload: connected, the key's hint, the webhook URL and the saved rules.
    await page.reload();
    await page.getByText("Set, ending in 9876. Leave empty to keep it.").waitFor();
    await page.getByText("Connected.", { exact: true }).waitFor();
    expect(await page.getByLabel("Webhook URL").inputValue()).toBe(webhookUrl);
    expect(await page.getByLabel("Grace period (days)").inputValue()).toBe("10");
    expect(await page.getByLabel("After the grace period").inputValue()).toBe("pause");
    expect(await page.getByLabel("Update-card page").inputValue()).toBe("https://billing.example.com/card");
    await screenshot(page, "settings-billing");
    const stored = await app.api.get("/api/v1/billing/settings");
    expect(stored.body).toMatchObject({
      stripe_connected: true,
      stripe_key_hint: "9876",
      webhook_secret_set: true,
      grace_days: 10,
      after_grace: "pause",
      inbox_id: app.inboxId,
      update_card_url: "https://billing.example.com/card",
    });
    expect(JSON.stringify(stored.body)).not.toContain("FakeKey");
    expect(errors.filter((e) => !e.includes("Failed to load resource"))).toEqual([]);
    await context.close();
  });

  it("an owner changes a health weight and the plans; the companies are recomputed", async () => {
    const before = (await app.api.get(`/api/v1/companies/${companyId}/health`)).body.computed_at;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const errors = watchErrors(page);
    // The health screen points owners and admins at the score's settings.
    await signIn(page, app, ownerEmail, "/success");
    await page.getByRole("link", { name: "Settings → Customer health" }).click();
    await page.waitForURL(/\/settings\/health$/);

    await page.getByLabel("Long waits", { exact: true }).fill("2");
    await page.getByLabel("At risk below this score").fill("40");
    const scoring = page.locator("form", { has: page.getByRole("button", { name: "Save scoring" }) });
    await page.getByRole("button", { name: "Save scoring" }).click();
    await scoring.getByText("Every company's score is being recomputed").waitFor();

    await page.getByLabel("Plans, cheapest first (one per line)").fill("Starter\nGrowth\nScale");
    await page.getByLabel("Feature request").selectOption({ label: "SAML single sign-on" });
    await page.getByLabel("Belongs to plan").selectOption("Scale");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    const plans = page.locator("form", { has: page.getByRole("button", { name: "Save plans" }) });
    await plans.getByRole("list", { name: "Features by plan" }).getByText("SAML single sign-on").waitFor();
    await page.getByRole("button", { name: "Save plans" }).click();
    await plans.getByText("Saved").waitFor();
    await screenshot(page, "settings-health");
    await page.getByRole("heading", { name: "Scoring" }).scrollIntoViewIfNeeded();
    await screenshot(page, "settings-health-weights");

    await page.reload();
    expect(await page.getByLabel("Long waits", { exact: true }).inputValue()).toBe("2");
    expect(await page.getByLabel("At risk below this score").inputValue()).toBe("40");
    expect(await page.getByLabel("Plans, cheapest first (one per line)").inputValue()).toBe(
      "Starter\nGrowth\nScale",
    );
    expect(await page.getByLabel("Plan of SAML single sign-on").inputValue()).toBe("Scale");
    const stored = (await app.api.get("/api/v1/health/settings")).body;
    expect(stored).toMatchObject({
      at_risk_below: 40,
      weights: { long_waits: 2, csat: 1 },
      plans: ["Starter", "Growth", "Scale"],
      feature_plans: { [featureId]: "Scale" },
    });
    // Saving queued a recompute of every company.
    await eventually(async () => {
      const health = await app.api.get(`/api/v1/companies/${companyId}/health`);
      return health.body.computed_at !== before;
    });

    // A plan named twice: the server's message shows by the plans.
    await page.getByLabel("Plans, cheapest first (one per line)").fill("Starter\nGrowth\nScale\nscale");
    await page.getByRole("button", { name: "Save plans" }).click();
    await fieldOf(page, "Plans, cheapest first (one per line)")
      .getByText("Each plan may appear once")
      .waitFor();
    expect(errors.filter((e) => !e.includes("Failed to load resource"))).toEqual([]);
    await context.close();
  });

  it("works on a 375 px phone", async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await signIn(page, app, ownerEmail, "/settings/billing");
    await page.getByLabel("Stripe secret key").waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.getByRole("button", { name: "Copy URL" }).scrollIntoViewIfNeeded();
    // The whole webhook address is readable on the phone: it wraps instead of running out of its box.
    const urlBox = page.getByLabel("Webhook URL");
    expect(
      await urlBox.evaluate(
        (box) => box.scrollWidth <= box.clientWidth && box.scrollHeight <= box.clientHeight,
      ),
    ).toBe(true);
    await screenshot(page, "settings-billing-phone");
    await page.goto(`${app.server.url}/settings/health`);
    await page.getByLabel("Long waits", { exact: true }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, "settings-health-phone");
    await page.getByRole("button", { name: "Save plans" }).scrollIntoViewIfNeeded();
    await screenshot(page, "settings-health-phone-plans");
    await context.close();
  });

  it("an agent is not offered the billing or health settings", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await signIn(page, app, app.agent.email, "/settings/billing");
    await page.getByText("Only owners and admins manage billing.").waitFor();
    const nav = page.getByRole("navigation", { name: "Settings" });
    await nav.getByRole("link", { name: "Profile" }).waitFor();
    expect(await nav.getByRole("link", { name: "Billing" }).count()).toBe(0);
    expect(await nav.getByRole("link", { name: "Customer health" }).count()).toBe(0);
    expect(await page.getByLabel("Stripe secret key").count()).toBe(0);
    expect(await page.getByLabel("Webhook URL").count()).toBe(0);
    await screenshot(page, "settings-billing-agent");
    await page.goto(`${app.server.url}/settings/health`);
    await page.getByText("Only owners and admins change how health is scored.").waitFor();
    expect(await page.getByLabel("Long waits", { exact: true }).count()).toBe(0);
    await context.close();
  });
});
