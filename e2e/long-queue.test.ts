import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, launchBrowser, watchErrors } from "./browser.ts";
import { type AppFixture, PASSWORD, startApp } from "./fixtures.ts";

/*
 * A queue longer than one page of the API: the list draws only the rows near the viewport, asks for
 * the next page as the agent scrolls towards the end, and reaches the last conversation.
 */
const CONVERSATIONS = 230;
const subject = (n: number) => `Request ${String(n).padStart(3, "0")}`;

describe.skipIf(!hasChromium)("a long queue in Chromium", () => {
  let app: AppFixture;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp("Longqueue"), launchBrowser()]);
    // Newest first in the queue: request 000 arrived last.
    for (let start = 0; start < CONVERSATIONS; start += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, CONVERSATIONS - start) }, (_, i) =>
          app.seed({
            name: `Customer ${start + i}`,
            email: `customer${start + i}@example.test`,
            subject: subject(start + i),
            body: "Hello",
            minutesAgo: start + i + 1,
          }),
        ),
      );
    }
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.destroy();
  });

  it("draws only the rows near the viewport, and pages in the rest while scrolling to the end", async () => {
    const pagesAsked: string[] = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname === "/api/v1/conversations" && url.searchParams.has("cursor"))
        pagesAsked.push(url.search);
    });
    await page.goto(`${app.server.url}/conversations?view=all&status=open`);
    await page.getByLabel("Email").fill(app.agent.email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    const list = page.getByRole("list", { name: "All · Open conversations" });
    await list.getByText(subject(0), { exact: true }).waitFor();
    // Watched from here: signed out, the first screen's requests were answered 401 by design.
    const errors = watchErrors(page);
    // The first screen shows what fits in 720 px plus a little overscan, not the whole first page.
    const drawn = () => page.locator("[id^='row-']").count();
    expect(await drawn()).toBeGreaterThanOrEqual(5);
    expect(await drawn()).toBeLessThan(30);

    const last = list.getByText(subject(CONVERSATIONS - 1), { exact: true });
    const scroller = page.locator("#conversation-list");
    for (let attempt = 0; attempt < 40 && !(await last.isVisible()); attempt++) {
      await scroller.evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
      await page.waitForTimeout(150);
    }
    await last.waitFor();
    // Three pages of 100: the first with the screen, two more asked for by cursor while scrolling.
    expect(pagesAsked.length).toBe(2);
    expect(await drawn()).toBeLessThan(30);
    expect(await list.getByText(subject(0), { exact: true }).count()).toBe(0);

    // Back at the top, the first conversation is drawn again, and the keyboard walks from it.
    await scroller.evaluate((element) => element.scrollTo({ top: 0 }));
    await list.getByText(subject(0), { exact: true }).waitFor();
    const focused = () => page.evaluate(() => document.activeElement?.textContent ?? "");
    await page.locator("body").press("j");
    await expect.poll(focused).toContain(subject(0));
    await page.locator("body").press("j");
    await expect.poll(focused).toContain(subject(1));
    expect(errors).toEqual([]);
  });
});
