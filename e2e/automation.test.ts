import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../apps/server/src/modules/access/passwords.ts";
import { addMember, upsertAgent } from "../apps/server/src/modules/workspaces/service.ts";
import { hasChromium, launchBrowser, screenshot, watchErrors } from "./browser.ts";
import { type AppFixture, PASSWORD, startApp } from "./fixtures.ts";

/*
 * Lifecycle screens in a real Chromium, signed in as an owner: a sequence built with two steps (a
 * bad variable refused next to its field), previewed for a contact without a name (a warning for
 * the missing variable), a contact enrolled by hand; a broadcast's recipients counted before
 * sending; office hours saved (and a bad window refused); a feature request linked from the composer.
 */
describe.skipIf(!hasChromium)("automation screens in Chromium", () => {
  let app: AppFixture;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let ownerId: string;
  let conversationId: string;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp("Acme"), launchBrowser()]);
    const mail = await app.api.post("/api/v1/inboxes", {
      name: "Mail",
      channel: "email",
      address: "hello@acme.test",
    });
    expect(mail.status).toBe(201);
    for (const contact of [
      { email: "nobody@customers.test" },
      { email: "ines@customers.test", name: "Ines Ortega" },
      { email: "hank@customers.test", name: "Hank Hill" },
      { email: "zed@elsewhere.test", name: "Zed Else" },
    ]) {
      expect((await app.api.post("/api/v1/contacts", contact)).status).toBe(201);
    }
    conversationId = await app.customerWrites({
      name: "Ines Ortega",
      email: "ines@customers.test",
      subject: "Dark mode?",
      body: "Any plans for a dark mode?",
    });
    const ownerEmail = `olivia@acme-${Date.now()}.test`;
    ownerId = await upsertAgent(app.server.ctx.db, ownerEmail, "Olivia Owner", await hashPassword(PASSWORD));
    await addMember(app.server.ctx.db, app.workspace.workspaceId, ownerId, "owner");

    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    errors = watchErrors(page);
    await page.goto(`${app.server.url}/sign-in`);
    await page.getByLabel("Email").fill(ownerEmail);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/conversations/);
    errors.length = 0;
  });

  afterAll(async () => {
    await browser?.close();
    await app?.destroy();
  });

  it("creates a sequence with two steps, refusing an unknown variable next to its field", async () => {
    await page.getByRole("link", { name: "Automation" }).click();
    await page.getByRole("heading", { name: "Automation", level: 1 }).waitFor();
    await page.getByLabel("New sequence").fill("Onboarding");
    await page.getByRole("button", { name: "Create" }).click();
    await page.getByRole("heading", { name: "Onboarding", level: 2 }).waitFor();

    const settings = page.getByRole("form", { name: "Sequence settings" });
    await settings.getByLabel("State").selectOption("active");
    await settings.getByRole("button", { name: "Save settings" }).click();
    await settings.getByText("Saved").waitFor();

    const steps = page.getByRole("form", { name: "Steps" });
    await steps.getByRole("button", { name: "Add step" }).click();
    await steps.getByRole("button", { name: "Add step" }).click();
    await steps.getByLabel("Step 1: wait").fill("0");
    await steps.getByLabel("Step 1: subject").fill("Welcome, {{contact.first_name}}");
    await steps.getByLabel("Step 1: message").fill("Hi {{user.name}}, glad you joined.");
    await steps.getByLabel("Step 2: wait").fill("2");
    await steps.getByLabel("Step 2: unit").selectOption("business_days");
    await steps.getByLabel("Step 2: subject").fill("Two tips");
    await steps.getByLabel("Step 2: message").fill("Tip one: **shortcuts**.");
    await steps.getByRole("button", { name: "Save steps" }).click();
    const message = steps.getByLabel("Step 1: message");
    await expect.poll(() => message.getAttribute("aria-invalid")).toBe("true");
    const describedBy = (await message.getAttribute("aria-describedby"))!;
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toMatch(/Unknown variable user\.name/);
    await screenshot(page, "automation-step-error");
    // The refusal above is a 400 by design; what counts is what follows.
    errors.length = 0;

    await message.fill('Hi {{contact.first_name | "there"}}, glad you joined.');
    await steps.getByRole("button", { name: "Save steps" }).click();
    await steps.getByText("Saved").waitFor();
    const sequences = await app.api.get("/api/v1/sequences");
    const saved = await app.api.get(`/api/v1/sequences/${sequences.body.data[0].id}`);
    expect(saved.body).toMatchObject({ name: "Onboarding", state: "active" });
    expect(saved.body.steps.map((s: { delay_unit: string }) => s.delay_unit)).toEqual([
      "days",
      "business_days",
    ]);
  });

  it("previews a step for a contact without a name, warning about the missing variable, then enrolls them", async () => {
    await page.getByLabel("Contact", { exact: true }).fill("nobody");
    await page.getByRole("button", { name: /nobody@customers\.test/ }).click();
    const preview = page.getByRole("list", { name: "Preview" });
    await preview
      .getByText("contact.first_name is missing for this contact", { exact: false })
      .first()
      .waitFor();
    await preview.getByText("Hi there, glad you joined.").waitFor();
    await page.getByRole("button", { name: "Add nobody@customers.test to this sequence" }).click();
    await page.getByText(/is active here/).waitFor();
    await screenshot(page, "automation-sequence");

    const contact = (await app.api.get("/api/v1/contacts?q=nobody")).body.data[0];
    const automation = await app.api.get(`/api/v1/contacts/${contact.id}/sequences`);
    expect(automation.body.data).toMatchObject([
      { sequence: { name: "Onboarding" }, state: "active", entered_via: "manual" },
    ]);

    await page.getByRole("button", { name: "Pause" }).click();
    await page.getByText(/is paused here/).waitFor();
    await page.getByRole("button", { name: "Resume" }).click();
    await page.getByText(/is active here/).waitFor();
  });

  it("counts a broadcast's recipients before it is sent, then sends it", async () => {
    await page.getByRole("link", { name: "Broadcasts" }).click();
    const form = page.getByRole("form", { name: "Broadcast" });
    await form.getByLabel("Subject").fill("We are moving");
    await form.getByLabel("Message").fill("Hello {{contact.first_name}}, our office moves next week.");
    await form.getByRole("button", { name: "Add condition" }).click();
    await form.getByLabel("Segment condition 1: field").fill("contact.email");
    await form.getByLabel("Segment condition 1: test").selectOption("contains");
    await form.getByLabel("Segment condition 1: value").fill("@customers.test");
    await form.getByRole("button", { name: "Preview recipients" }).click();
    await page.getByRole("heading", { name: "3 recipients" }).waitFor();
    const sample = page.getByRole("list", { name: "Sample recipients" });
    expect(await sample.locator(":scope > li").count()).toBe(3);
    await sample.getByText("contact.first_name is missing", { exact: false }).waitFor();
    await expect.poll(() => form.getByRole("button", { name: "Send to 3" }).isEnabled()).toBe(true);
    await screenshot(page, "automation-broadcast");
    await form.getByRole("button", { name: "Send to 3" }).click();
    await form.getByText("Sent to 3 contacts").waitFor();
    await page.getByRole("heading", { name: "Sent broadcasts" }).waitFor();
    const all = await app.api.get("/api/v1/sequences");
    const broadcast = all.body.data.find((s: { kind: string }) => s.kind === "broadcast");
    // Every recipient is in it (active, or already sent by the scheduler).
    const counts = (await app.api.get(`/api/v1/sequences/${broadcast.id}`)).body.enrollments;
    expect(Object.values(counts).reduce((a, b) => Number(a) + Number(b), 0)).toBe(3);
  });

  it("saves an owner's office hours and refuses hours that end before they start", async () => {
    await page.getByRole("link", { name: "Office hours" }).click();
    const add = page.getByRole("form", { name: "Hold office hours" });
    await add.getByLabel("Day").selectOption({ label: "Tuesday" });
    await add.getByLabel("From").fill("14:00");
    await add.getByLabel("Until").fill("10:00");
    await add.getByRole("button", { name: "Add my hours" }).click();
    await add.getByText("Office hours end after they start").waitFor();
    expect(await add.getByLabel("Until").getAttribute("aria-invalid")).toBe("true");
    errors.length = 0;

    await add.getByLabel("Until").fill("16:30");
    await add.getByRole("button", { name: "Add my hours" }).click();
    const list = page.getByRole("list", { name: "Office hours" });
    await list.getByText("Tuesday").waitFor();
    await list.getByText(/14:00–16:30/).waitFor();
    await page.getByRole("heading", { name: "Founder present, week by week" }).waitFor();
    await screenshot(page, "automation-office-hours");
    const saved = await app.api.get("/api/v1/office-hours");
    expect(saved.body.data).toMatchObject([
      { agent: { id: ownerId }, weekday: 1, start: "14:00", end: "16:30" },
    ]);
  });

  it("links the conversation to a feature request from the composer", async () => {
    await page.goto(`${app.server.url}/conversations/${conversationId}?view=all&status=open`);
    await page.getByRole("button", { name: "Feature request", exact: true }).click();
    const picker = page.getByRole("region", { name: "Link a feature request" });
    await picker.getByLabel("Find or create a feature request").fill("Dark mode");
    await picker.getByRole("button", { name: "Create “Dark mode” and link" }).click();
    await picker.getByText("Linked to “Dark mode”").waitFor();
    await page.locator(".customer-sidebar").getByText("Dark mode").waitFor();
    await screenshot(page, "automation-composer-request");

    const linked = await app.api.get(`/api/v1/conversations/${conversationId}/feature-requests`);
    expect(linked.body.data).toMatchObject([{ request: { title: "Dark mode" } }]);
    expect(errors).toEqual([]);
  });
});
