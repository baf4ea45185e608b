import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, launchBrowser, screenshot, watchErrors } from "./browser.ts";
import { type AppFixture, PASSWORD, startApp } from "./fixtures.ts";

/*
 * Working on many conversations at once and fixing how they were grouped, in a real Chromium:
 * bulk tag and resolve, merge two conversations of one customer, split a message out, merge a
 * duplicate contact, and a desktop notification for an assignment. One page walks through them.
 */
describe.skipIf(!hasChromium)("queue tools in Chromium", () => {
  let app: AppFixture;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  const nav = () => page.getByRole("navigation", { name: "Views" });

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp("Queueco"), launchBrowser()]);
    for (const [i, name] of ["Ines", "Jon", "Kemal"].entries()) {
      await app.seed({
        name,
        email: `${name.toLowerCase()}@example.test`,
        subject: `Bulk question ${i + 1}`,
        body: `Question from ${name}`,
        minutesAgo: 30 - i,
      });
    }
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.grantPermissions(["notifications"], { origin: app.server.url });
    // Record notifications instead of showing them, and let the page believe it is in the background.
    await context.addInitScript(() => {
      const shown: string[] = [];
      (window as unknown as { shownNotifications: string[] }).shownNotifications = shown;
      class FakeNotification {
        static permission = "granted";
        static requestPermission = async () => "granted";
        onclick: (() => void) | null = null;
        constructor(title: string, options?: { body?: string }) {
          shown.push(`${title}: ${options?.body ?? ""}`);
        }
        close() {}
      }
      Object.defineProperty(window, "Notification", { value: FakeNotification });
      document.hasFocus = () => false;
    });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on("dialog", (dialog) => void dialog.accept());
    errors = watchErrors(page);
    await page.goto(`${app.server.url}/conversations?view=all&status=open`);
    await page.getByLabel("Email").fill(app.agent.email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "All · Open" }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.destroy();
  });

  it("selects rows by mouse and keyboard, tags them and resolves them in one go; the counts follow", async () => {
    await nav()
      .getByRole("link", { name: /^All, 3$/ })
      .waitFor();
    await page.getByRole("checkbox", { name: /Select the conversation with Ines/ }).check();
    // x toggles the row under the keyboard cursor.
    await page.locator(".row", { hasText: "Jon" }).focus();
    await page.keyboard.press("x");
    const bar = page.getByRole("toolbar", { name: "Selected conversations" });
    await bar.getByText("2 selected").waitFor();
    await bar.getByLabel("Tag the selected conversations").fill("bulk-e2e");
    await bar.getByLabel("Tag the selected conversations").press("Enter");
    await page.locator(".row", { hasText: "Ines" }).locator(".tag", { hasText: "bulk-e2e" }).waitFor();
    await page.locator(".row", { hasText: "Jon" }).locator(".tag", { hasText: "bulk-e2e" }).waitFor();
    expect(await page.locator(".row", { hasText: "Kemal" }).locator(".tag").count()).toBe(0);
    // The tag becomes a view of its own in the nav, with its count.
    await nav().getByRole("link", { name: /^#bulk-e2e, 2$/ }).waitFor();

    await page.getByRole("checkbox", { name: /Select the conversation with Ines/ }).check();
    await page.getByRole("checkbox", { name: /Select the conversation with Jon/ }).check();
    await screenshot(page, "bulk-selection");
    await bar.getByRole("button", { name: "Resolve" }).click();
    await page.locator(".row", { hasText: "Ines" }).waitFor({ state: "detached" });
    await nav()
      .getByRole("link", { name: /^All, 1$/ })
      .waitFor();
    await nav()
      .getByRole("link", { name: /^Resolved, 2$/ })
      .waitFor();
  });

  it("merges another conversation of the same customer into the open one", async () => {
    const first = await app.seed({
      name: "Lena",
      email: "lena@example.test",
      subject: "Cannot log in",
      body: "My password does not work.",
      minutesAgo: 20,
    });
    const second = await app.seed({
      name: "Lena",
      email: "lena@example.test",
      subject: "Still cannot log in",
      body: "Any news about my login?",
      minutesAgo: 5,
    });
    await page.locator(`#row-${first}`).click();
    await page.getByRole("heading", { name: "Cannot log in", exact: true }).waitFor();
    const customer = page.getByRole("complementary", { name: "Customer" });
    await customer
      .getByRole("button", { name: /Merge #\d+ Still cannot log in into this conversation/ })
      .click();
    const thread = page.getByRole("region", { name: "Messages" });
    await thread.getByText("Any news about my login?").waitFor();
    await thread.getByText(/merged #\d+ into this conversation/).waitFor();
    await page.locator(`#row-${second}`).waitFor({ state: "detached" });
    expect((await app.api.get(`/api/v1/conversations/${second}`)).body.status).toBe("resolved");
    await screenshot(page, "merged-conversation");
  });

  it("splits the later customer message out into a new conversation and opens it", async () => {
    const thread = page.getByRole("region", { name: "Messages" });
    const later = thread.locator(".message", { hasText: "Any news about my login?" });
    const before = page.url();
    await later.getByRole("button", { name: "Split into a new conversation" }).click();
    await page.waitForURL((url) => url.href !== before);
    await page
      .getByRole("region", { name: "Messages" })
      .getByText(/split this out of #\d+/)
      .waitFor();
    await page.getByRole("region", { name: "Messages" }).getByText("Any news about my login?").waitFor();
    expect(
      await page.getByRole("region", { name: "Messages" }).getByText("My password does not work.").count(),
    ).toBe(0);
  });

  it("merges a duplicate contact: their conversations show up under the customer", async () => {
    const phone = await app.api.post("/api/v1/contacts", {
      name: "Lena on the phone",
      phone: "+49 30 1234567",
    });
    const call = await app.api.post("/api/v1/conversations", {
      inbox_id: app.inboxId,
      subject: "Call me back about billing",
      contact: { id: phone.body.id },
      message: { kind: "incoming", body_text: "Please call me." },
    });
    expect(call.status).toBe(201);
    const customer = page.getByRole("complementary", { name: "Customer" });
    await customer.getByRole("button", { name: "Merge a duplicate contact…" }).click();
    await customer.getByLabel("Find the duplicate by name or email").fill("Lena on");
    await customer.getByRole("button", { name: "Merge Lena on the phone here" }).click();
    await customer.getByRole("link", { name: "Call me back about billing" }).waitFor();
    await customer.getByText("+49 30 1234567").waitFor();
    expect((await app.api.get(`/api/v1/contacts/${phone.body.id}`)).status).toBe(404);
    await screenshot(page, "merged-contact");
  });

  it("shows a desktop notification for an assignment once the agent opted in", async () => {
    await page.getByRole("link", { name: "Settings" }).click();
    await page
      .getByRole("navigation", { name: "Settings" })
      .getByRole("link", { name: "Notifications" })
      .click();
    await page.getByLabel("Show desktop notifications in this browser").check();
    const target = await app.seed({
      name: "Mo",
      email: "mo@example.test",
      subject: "Please assign me",
      body: "Hello",
      minutesAgo: 1,
    });
    await page.locator(".connection-live").waitFor();
    await app.api.patch(`/api/v1/conversations/${target}`, { assignee_id: app.agent.id });
    await page.waitForFunction(() =>
      (window as unknown as { shownNotifications: string[] }).shownNotifications.some((n) =>
        n.startsWith("Assigned to you: Please assign me"),
      ),
    );
    expect(errors.filter((e) => !e.includes("Failed to load resource"))).toEqual([]);
  });
});
