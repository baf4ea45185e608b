import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, launchBrowser, screenshot, watchErrors } from "./browser.ts";
import { type AppFixture, PASSWORD, startApp } from "./fixtures.ts";

/*
 * Feature requests in a real Chromium: an agent links a conversation to a request from the
 * sidebar, finds it in the list prioritised by MRR or by how many asked, ships it, edits the
 * drafted notice and sends the notices to everyone who asked.
 */
describe.skipIf(!hasChromium)("feature requests in Chromium", () => {
  let app: AppFixture;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const conversations: Record<string, string> = {};

  async function customer(key: string, name: string, company: { name: string; mrr_cents: number }) {
    const created = await app.api.post("/api/v1/companies", company);
    const contact = await app.api.post("/api/v1/contacts", {
      name,
      email: `${key}@customers.test`,
      company_id: created.body.id,
    });
    expect(contact.status).toBe(201);
    conversations[key] = await app.customerWrites({
      name,
      email: `${key}@customers.test`,
      subject: `${name} would like a feature`,
      body: "Could you add this, please?",
    });
  }

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp("Acme"), launchBrowser()]);
    const mail = await app.api.post("/api/v1/inboxes", {
      name: "Mail",
      channel: "email",
      address: "hello@acme.test",
    });
    await customer("ines", "Ines Ortega", { name: "Initech", mrr_cents: 90_000 });
    await customer("hank", "Hank Hill", { name: "Hooli", mrr_cents: 20_000 });
    await customer("tess", "Tess Tran", { name: "Tinyco", mrr_cents: 5_000 });
    const sso = await app.api.post("/api/v1/feature-requests", { title: "Single sign-on" });
    await app.api.post(`/api/v1/feature-requests/${sso.body.id}/asks`, {
      conversation_id: conversations.hank,
    });
    await app.api.post(`/api/v1/feature-requests/${sso.body.id}/asks`, {
      conversation_id: conversations.tess,
    });

    const sequence = await app.api.post("/api/v1/sequences", {
      name: "Onboarding",
      inbox_id: mail.body.id,
      state: "active",
      steps: [{ delay_amount: 3, delay_unit: "days", subject: "Tips", body: "Some tips" }],
    });
    const ines = (await app.api.get("/api/v1/contacts?q=ines")).body.data[0].id;
    await app.api.post(`/api/v1/sequences/${sequence.body.id}/enrollments`, { contact_ids: [ines] });

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    errors = watchErrors(page);
    await page.goto(`${app.server.url}/sign-in`);
    await page.getByLabel("Email").fill(app.agent.email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/conversations/);
    // The sign-in page's session probe answers 401 by design; what counts is what follows.
    errors.length = 0;
  });

  afterAll(async () => {
    await browser?.close();
    await app?.destroy();
  });

  it("shows the contact's automated email in the sidebar and lets the agent pause it", async () => {
    await page.goto(`${app.server.url}/conversations/${conversations.ines}?view=all&status=open`);
    const automation = page.getByRole("region", { name: "Automated email" });
    await automation.getByText(/Onboarding/).waitFor();
    await automation.getByRole("button", { name: "Pause" }).click();
    await automation.getByText(/paused: paused by an agent/).waitFor();
    await automation.getByRole("button", { name: "Resume" }).click();
    await automation.getByRole("button", { name: "Pause" }).waitFor();
  });

  it("links the open conversation to a new request from the sidebar", async () => {
    const field = page.getByLabel("Link to a feature request");
    await field.fill("Bulk export");
    // Scoped to the sidebar: the composer's editor has a "Link" button of its own.
    await page.locator(".customer-sidebar").getByRole("button", { name: "Link", exact: true }).click();
    await page.locator(".customer-sidebar").getByText("Bulk export").waitFor();
    await screenshot(page, "features-sidebar");
  });

  it("lists requests by the MRR behind them, or by how many customers asked", async () => {
    await page.locator(".customer-sidebar").getByRole("link", { name: "Feature requests" }).click();
    await page.getByRole("heading", { name: "Feature requests", level: 1 }).waitFor();
    const titles = () => page.locator(".features-title").allTextContents();
    await page.locator(".features-title").first().waitFor();
    expect(await titles()).toEqual(["Bulk export", "Single sign-on"]);
    await page.getByLabel("Sort by").selectOption("count");
    await expect.poll(titles).toEqual(["Single sign-on", "Bulk export"]);
    await screenshot(page, "features-list");
  });

  it("ships a request, lets the agent edit the drafted email, and sends it", async () => {
    await page.getByRole("button", { name: /Bulk export/ }).click();
    await page.getByRole("heading", { name: "Bulk export", level: 2 }).waitFor();
    await page.getByText("Initech ($900/mo)").waitFor();
    await page.getByLabel("Request status").selectOption("shipped");
    const draft = page.getByRole("form", { name: "Email to Ines Ortega" });
    await draft.waitFor();
    expect(await draft.getByLabel("Message").inputValue()).toContain("Hi Ines,");
    await draft.getByLabel("Message").fill("Ines, bulk export is live. Thank you for asking!\n\nDana");
    await draft.getByRole("button", { name: "Save draft" }).click();
    await draft.getByText("Saved").waitFor();
    await page.getByRole("button", { name: "Send 1 email" }).click();
    await page.getByText("1 sent").waitFor();
    await page.getByText(/Ines Ortega.*sent/).waitFor();
    await page.getByText("First ask to shipped").waitFor();
    await screenshot(page, "features-shipped");

    const notices = await app.api.get(
      `/api/v1/feature-requests/${(await app.api.get("/api/v1/feature-requests?q=bulk")).body.data[0].id}/notices`,
    );
    const sent = await app.api.get(
      `/api/v1/conversations/${notices.body.data[0].sent_conversation_id}/messages`,
    );
    expect(sent.body.data[0]).toMatchObject({ kind: "outgoing", author_agent_id: app.agent.id });
    expect(sent.body.data[0].body_text).toContain("bulk export is live");
    expect(errors).toEqual([]);
  });
});
