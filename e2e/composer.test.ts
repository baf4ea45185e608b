import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../apps/server/src/modules/access/passwords.ts";
import { addMember, upsertAgent } from "../apps/server/src/modules/workspaces/service.ts";
import { hasChromium, launchBrowser, screenshot, watchErrors } from "./browser.ts";
import { type AppFixture, PASSWORD, startApp } from "./fixtures.ts";

/*
 * The composer's helpers in a real Chromium: an admin writes a saved reply with variables (an
 * unknown one is refused by the field), then drops a file into the composer, types "/" to insert
 * the saved reply with the customer's first name filled in, and sends both.
 */
describe.skipIf(!hasChromium)("the composer's attachments and saved replies in Chromium", () => {
  let app: AppFixture;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let conversationId: string;
  const adminEmail = "lee@composer.test";

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp("Composerco"), launchBrowser()]);
    const adminId = await upsertAgent(
      app.server.ctx.db,
      adminEmail,
      "Lee Admin",
      await hashPassword(PASSWORD),
    );
    await addMember(app.server.ctx.db, app.workspace.workspaceId, adminId, "admin");
    conversationId = await app.seed({
      name: "Alice Moreau",
      email: "alice@globex.test",
      subject: "Where is my refund?",
      body: "I returned the order two weeks ago.",
      minutesAgo: 20,
    });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    page.setDefaultTimeout(10_000);
    errors = watchErrors(page);
    await page.goto(`${app.server.url}/settings/saved-replies`);
    await page.getByLabel("Email").fill(adminEmail);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.destroy();
  });

  it("saves a reply with variables in settings, refusing an unknown variable by the field", async () => {
    await page.getByRole("heading", { name: "Saved replies", level: 1 }).waitFor();
    const form = page.getByRole("form", { name: "New saved reply" });
    await form.getByLabel("Name").fill("Refund status");
    await form.getByLabel("Text").fill("Hi {{contact.nickname}}");
    await form.getByRole("button", { name: "Create saved reply" }).click();
    await form.locator(".field-error", { hasText: "{{contact.nickname}}" }).waitFor();
    expect(await form.getByLabel("Text").getAttribute("aria-invalid")).toBe("true");

    await form
      .getByLabel("Text")
      .fill("Hi {{contact.first_name | there}}, your refund is on its way. {{agent.name}}");
    await form.getByRole("button", { name: "Create saved reply" }).click();
    await page.getByRole("form", { name: "Saved reply Refund status" }).waitFor();
    await screenshot(page, "settings-saved-replies");
  });

  it("attaches a dropped file and inserts the saved reply with the customer's first name, then sends both", async () => {
    // The sign-in page's session probe (401) and the refused variable (400) were expected above.
    errors.length = 0;
    await page.goto(`${app.server.url}/conversations/${conversationId}`);
    await page.getByText("I returned the order two weeks ago.").waitFor();

    const composer = page.getByRole("form", { name: "Composer" });
    const files = await page.evaluateHandle(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(["order 1042, returned"], "receipt.txt", { type: "text/plain" }));
      transfer.items.add(new File(["not this one"], "wrong.txt", { type: "text/plain" }));
      return transfer;
    });
    await composer.dispatchEvent("dragover", { dataTransfer: files });
    await composer.dispatchEvent("drop", { dataTransfer: files });
    const chips = composer.getByRole("list", { name: "Attached files" });
    await chips.getByText("receipt.txt").waitFor();
    await chips.getByText("20 B").waitFor();
    await chips.getByText("wrong.txt").waitFor();
    await chips.getByRole("button", { name: "Remove wrong.txt" }).click();
    await chips.getByText("wrong.txt").waitFor({ state: "detached" });

    const text = page.getByLabel("Reply to the customer");
    await text.click();
    await text.press("/");
    await page.getByLabel("Find a saved reply").fill("refund");
    await page.getByLabel("Find a saved reply").press("Enter");
    expect(await text.textContent()).toBe("Hi Alice, your refund is on its way. Lee Admin");
    await screenshot(page, "composer-attachment-saved-reply");

    await page.getByRole("button", { name: "Send", exact: true }).click();
    await page.locator(".message-outgoing", { hasText: "your refund is on its way" }).waitFor();
    await chips.waitFor({ state: "detached" });

    const messages = await app.api.get(`/api/v1/conversations/${conversationId}/messages`);
    const sent = messages.body.data.find((m: { kind: string }) => m.kind === "outgoing");
    expect(sent.body_text).toBe("Hi Alice, your refund is on its way. Lee Admin");
    expect(sent.attachments.map((a: { filename: string }) => a.filename)).toEqual(["receipt.txt"]);
    expect(errors).toEqual([]);
  });
});
