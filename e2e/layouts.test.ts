import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, launchBrowser, screenshot, watchErrors } from "./browser.ts";
import { type AppFixture, signIn, startApp } from "./fixtures.ts";

/** A queue longer than two pages of the API, to exercise paging and virtualization. */
const QUEUE = 130;

/** Signed in as the agent, on the inbox. */
async function signInToInbox(page: Page, app: AppFixture) {
  await signIn(page, app, app.agent.email, "/conversations?view=all&status=open");
  await page.waitForURL(/\/conversations/);
}

describe.skipIf(!hasChromium)("the agent web app's layouts in Chromium", () => {
  let app: AppFixture;
  let browser: Browser;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp("Initech"), launchBrowser()]);
    for (let i = 0; i < QUEUE; i++) {
      await app.seed({
        name: `Customer ${i}`,
        email: `customer${i}@example.test`,
        subject: `Question number ${i} about the product`,
        body: `This is question ${i}.`,
        minutesAgo: QUEUE - i,
      });
    }
  });

  afterAll(async () => {
    await browser?.close();
    await app?.destroy();
  });

  it("is usable 375 px wide: one pane at a time, views in a drawer, nothing wider than the screen", async () => {
    const context = await browser.newContext({
      viewport: { width: 375, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const errors = watchErrors(page);
    await signInToInbox(page, app);
    await page.getByRole("heading", { name: "All · Open" }).waitFor();
    await page.locator(".row").first().waitFor();
    expect(await page.getByRole("navigation", { name: "Views" }).isVisible()).toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, "phone-list");

    await page.getByRole("button", { name: "Views" }).click();
    await page
      .getByRole("navigation", { name: "Views" })
      .getByRole("link", { name: /^Unassigned/ })
      .waitFor();
    await screenshot(page, "phone-views");
    await page.getByRole("navigation", { name: "Views" }).getByRole("link", { name: /^All/ }).click();
    await page.getByRole("navigation", { name: "Views" }).waitFor({ state: "hidden" });

    await page.locator(".row").first().click();
    await page.locator(".conversation h2").waitFor();
    expect(await page.locator(".list-pane").isVisible()).toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.getByLabel("Reply to the customer").fill("Answered from a phone.");
    await page.getByRole("button", { name: "Send and resolve" }).click();
    await page.locator(".message-outgoing", { hasText: "Answered from a phone." }).waitFor();
    await page.getByRole("button", { name: /^Reopen/ }).waitFor();
    await screenshot(page, "phone-conversation");

    await page.getByRole("link", { name: "Back to the list" }).click();
    await page.getByRole("heading", { name: "All · Open" }).waitFor();
    expect(errors.filter((e) => !e.includes("Failed to load resource"))).toEqual([]);
    await context.close();
  });

  it("keeps a long queue light: only the rows on screen are in the page, and more load on scroll", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await signInToInbox(page, app);
    await page.locator(".row").first().waitFor();
    // The exact count of open conversations: the phone test before resolved one of them.
    await page
      .getByRole("navigation", { name: "Views" })
      .getByRole("link", { name: `All, ${QUEUE - 1}` })
      .waitFor();
    expect(await page.locator(".row-item").count()).toBeLessThan(40);

    // Scroll to the end until every page has arrived.
    const oldest = page.getByRole("link", { name: /Question number 0 about/ });
    for (let i = 0; i < 20 && !(await oldest.isVisible()); i++) {
      await page.locator(".list-scroll").evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await page.waitForTimeout(150);
    }
    await oldest.waitFor();
    expect(await page.locator(".row-item").count()).toBeLessThan(40);
    expect(await page.locator(".rows").evaluate((el) => el.getBoundingClientRect().height)).toBeGreaterThan(
      QUEUE * 80,
    );
    await context.close();
  });

  it("has a dark theme, kept across reloads", async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      colorScheme: "light",
    });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await signInToInbox(page, app);
    await page.locator(".row").first().click();
    await page.locator(".conversation h2").waitFor();
    await page.getByRole("button", { name: /^Theme: system/ }).click();
    await page.getByRole("button", { name: /^Theme: light/ }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await page.reload();
    await page.locator(".conversation h2").waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe("rgb(17, 21, 26)");
    await screenshot(page, "dark-conversation");
    await context.close();
  });
});
