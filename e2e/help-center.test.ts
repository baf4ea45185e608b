import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, launchBrowser, screenshot, watchErrors } from "./browser.ts";
import { type AppFixture, PASSWORD, startApp } from "./fixtures.ts";

/*
 * The help center in a real Chromium: an agent writes and publishes an article with the live
 * preview; a customer (JavaScript off, as the public pages need none) finds it by searching,
 * says it did not help and reaches the chat; hostile Markdown stays inert; a stale save is refused.
 */
describe.skipIf(!hasChromium)("the help center in Chromium", () => {
  let app: AppFixture;
  let browser: Browser;
  let agentPage: Page;
  let reader: BrowserContext;
  let errors: string[];
  let workspaceSlug: string;
  let articleId: string;
  const chatUrl = "https://chat.acme.test/start";

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp("Acme"), launchBrowser()]);
    const settings = await app.api.put("/api/v1/help-center/settings", {
      enabled: true,
      title: "Acme help",
      chat_url: chatUrl,
      contact_email: "help@acme.test",
    });
    expect(settings.status).toBe(200);
    workspaceSlug = new URL(settings.body.public_url).pathname.split("/")[2];
    const agentContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    agentPage = await agentContext.newPage();
    agentPage.setDefaultTimeout(10_000);
    errors = watchErrors(agentPage);
    reader = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
    // The chat lives elsewhere; answer its address so the journey can arrive there.
    await reader.route(`${chatUrl}**`, (route) =>
      route.fulfill({ contentType: "text/html", body: "<title>Chat</title><h1>Chat with Acme</h1>" }),
    );
  });

  afterAll(async () => {
    await browser?.close();
    await app?.destroy();
  });

  it("writes and publishes an article with a live preview", async () => {
    await agentPage.goto(`${app.server.url}/sign-in`);
    await agentPage.getByLabel("Email").fill(app.agent.email);
    await agentPage.getByLabel("Password").fill(PASSWORD);
    await agentPage.getByRole("button", { name: "Sign in" }).click();
    await agentPage.getByRole("link", { name: "Help center" }).waitFor();
    errors.length = 0; // the signed-out session check answers 401 by design
    await agentPage.getByRole("link", { name: "Help center" }).click();
    await agentPage.getByRole("button", { name: "New article" }).click();
    await agentPage.getByLabel("Title").fill("Export your invoices");
    await agentPage
      .getByLabel("Text (Markdown)")
      .fill("Open **Billing** and press *Export*.\n\n- CSV\n- PDF");
    const preview = agentPage.getByRole("region", { name: "Preview" });
    await preview.locator("strong", { hasText: "Billing" }).waitFor();
    await preview.locator("li", { hasText: "PDF" }).waitFor();
    await agentPage.getByLabel("State").selectOption("published");
    await agentPage.getByRole("button", { name: "Create article" }).click();
    await agentPage.waitForURL(/article=[0-9a-f-]{36}/);
    articleId = new URL(agentPage.url()).searchParams.get("article") ?? "";
    await agentPage.getByText(/Version 1 · published at/).waitFor();
    await screenshot(agentPage, "help-center-editor");
    expect(errors).toEqual([]);
  });

  it("lets a customer find it by search without JavaScript, say it did not help, and reach the chat", async () => {
    const page = await reader.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${app.server.url}/help/${workspaceSlug}/en`);
    await page.getByRole("link", { name: "Chat with us" }).waitFor();
    await page.getByRole("searchbox", { name: "Search the help center" }).fill("invoce export");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/\/search\?q=/);
    await page.locator("mark").first().waitFor();
    await page.getByRole("link", { name: "Export your invoices" }).click();
    await page.getByRole("heading", { name: "Export your invoices" }).waitFor();
    await page.getByText("Did this answer your question?").waitFor();
    await page.getByRole("button", { name: "No" }).click();
    await page.getByText(/Sorry it did not help/).waitFor();
    await screenshot(page, "help-center-unhelpful");
    await page.getByRole("status").getByText(/Sorry/).waitFor();
    await page.locator(".vote").getByRole("link", { name: "Chat with us" }).click();
    await page.waitForURL(chatUrl);
    await page.getByRole("heading", { name: "Chat with Acme" }).waitFor();
    const report = await app.api.get(
      `/api/v1/help-center/reports?from=${new Date().toISOString().slice(0, 10)}&to=${new Date().toISOString().slice(0, 10)}`,
    );
    expect(report.body.articles.find((a: { id: string }) => a.id === articleId)).toMatchObject({
      unhelpful: 1,
    });
  });

  it("renders hostile Markdown inert in the browser", async () => {
    const hostile = await app.api.post("/api/v1/help-center/articles", {
      title: "Hostile",
      status: "published",
      body_markdown: [
        "<script>window.__xss = 1</script>",
        '<img src="x" onerror="window.__xss = 2">',
        "[link](javascript:window.__xss=3)",
        "<svg><script>window.__xss = 4</script></svg>",
        '<a href="javascript:window.__xss=5">click me</a>',
        '<iframe srcdoc="<script>parent.__xss=6</script>"></iframe>',
        '<details open ontoggle="window.__xss=7">x</details>',
      ].join("\n\n"),
    });
    expect(hostile.status).toBe(201);
    const context = await browser.newContext();
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(`${app.server.url}/help/${workspaceSlug}/en/articles/${hostile.body.slug}`);
    await page.getByRole("heading", { name: "Hostile" }).waitFor();
    const link = page.getByText("click me");
    if (await link.count()) await link.click({ timeout: 2000 }).catch(() => {});
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator("script, iframe, svg").count()).toBe(0);
    expect(dialogs).toEqual([]);
    await context.close();
  });

  it("refuses a stale save with a clear conflict instead of overwriting", async () => {
    await agentPage.goto(`${app.server.url}/help-center?article=${articleId}`);
    await agentPage.getByLabel("Title").fill("Export your invoices (CSV and PDF)");
    const current = await app.api.get(`/api/v1/help-center/articles/${articleId}`);
    const other = await app.api.patch(`/api/v1/help-center/articles/${articleId}`, {
      version: current.body.version,
      body_markdown: "Someone else's edit.",
    });
    expect(other.status).toBe(200);
    await agentPage.getByRole("button", { name: "Save", exact: true }).click();
    await agentPage
      .getByRole("alert")
      .getByText(/Someone else saved this article/)
      .waitFor();
    await agentPage.getByRole("button", { name: /Load their version/ }).click();
    await expect
      .poll(() => agentPage.getByLabel("Text (Markdown)").inputValue())
      .toBe("Someone else's edit.");
    await agentPage.getByLabel("Your unsaved text").waitFor();
    await screenshot(agentPage, "help-center-conflict");
  });
});
