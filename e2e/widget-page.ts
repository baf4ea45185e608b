import type { Frame, Page } from "playwright-core";

/* The chat widget as a host page shows it: its loader's API on window, the chat in a frame. */

/** Waits until the host page's loader has defined `window.Keepwell`. */
export async function widgetLoaded(page: Page): Promise<void> {
  await page.waitForFunction(
    () => typeof (window as unknown as { Keepwell?: unknown }).Keepwell === "function",
  );
}

/** Opens the chat through the loader's JavaScript API, as the host site's own button would. */
export async function openChat(page: Page): Promise<void> {
  await widgetLoaded(page);
  await page.evaluate(() => (window as unknown as { Keepwell: (c: string) => void }).Keepwell("open"));
}

/**
 * The chat frame lives in the loader's closed shadow root, so it is found among the page's frames;
 * returned once `ready` (the composer, or a notice instead) is in it.
 */
export async function chatFrame(page: Page, ready = "textarea, .notice"): Promise<Frame> {
  for (let i = 0; i < 100; i++) {
    const frame = page.frames().find((f) => f.url().includes("/widget/frame/"));
    if (frame) {
      await frame.waitForSelector(ready);
      return frame;
    }
    await page.waitForTimeout(100);
  }
  throw new Error("the chat frame did not appear");
}
