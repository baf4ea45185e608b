import type { Browser, Page, WebSocketRoute } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, launchBrowser, screenshot, watchErrors } from "./browser.ts";
import { type AppFixture, PASSWORD, startApp } from "./fixtures.ts";

/*
 * The agent's day in a real Chromium: sign in, see a new request arrive live, answer it, resolve
 * it, keep drafts, and do it all again with the keyboard alone. One browser page walks through the
 * journeys in order, as a person would.
 */
describe.skipIf(!hasChromium)("the agent web app in Chromium", () => {
  let app: AppFixture;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let lateId: string;
  /** The page's stream sockets, proxied so a test can cut them; a gate holds back reconnecting. */
  const sockets: WebSocketRoute[] = [];
  let reconnectGate: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp("Acme"), launchBrowser()]);
    const company = await app.api.post("/api/v1/companies", {
      name: "Globex",
      plan: "Scale",
      mrr_cents: 49_900,
    });
    const contact = await app.api.post("/api/v1/contacts", {
      name: "Alice Moreau",
      email: "alice@globex.test",
      company_id: company.body.id,
    });
    expect(contact.status).toBe(201);
    lateId = await app.seed({
      name: "Alice Moreau",
      email: "alice@globex.test",
      subject: "Export to CSV stopped working",
      body: "Since this morning the export button does nothing.\nCan you have a look?",
      minutesAgo: 190,
    });
    await app.seed({
      name: "Bram de Vries",
      email: "bram@example.test",
      subject: "How do I add a teammate?",
      body: "We hired someone new and I cannot find where to invite them.",
      minutesAgo: 12,
    });
    const mine = await app.seed({
      name: "Chen Wei",
      email: "chen@example.test",
      subject: "Refund for a double charge",
      body: "I was charged twice this month.",
      minutesAgo: 35,
    });
    await app.api.patch(`/api/v1/conversations/${mine}`, { assignee_id: app.agent.id });
    await app.api.post(`/api/v1/conversations/${mine}/tags`, { tag: "billing" });

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    errors = watchErrors(page);
    await page.routeWebSocket(/\/api\/v1\/stream$/, async (socket) => {
      await reconnectGate;
      sockets.push(socket);
      socket.connectToServer();
    });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.destroy();
  });

  it("signs in, showing the server's problem next to the field it names", async () => {
    await page.goto(`${app.server.url}/`);
    await page.waitForURL(/\/sign-in/);
    await page.getByLabel("Email").fill("not an email");
    await page.getByLabel("Password").fill("whatever");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator(".field-error").first().waitFor();
    expect(await page.getByLabel("Email").getAttribute("aria-invalid")).toBe("true");

    await page.getByLabel("Email").fill(app.agent.email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/wrong email or password/i);
    await screenshot(page, "sign-in-error");

    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/conversations\?/);
    await page.getByRole("heading", { name: "Mine · Open" }).waitFor();
    await page.getByRole("link", { name: /Refund for a double charge/ }).waitFor();
  });

  it("lists the queue with customer, company, plan, waiting time past target, assignee and tags", async () => {
    await page.getByRole("navigation", { name: "Views" }).getByRole("link", { name: /^All/ }).click();
    await page.getByRole("heading", { name: "All · Open" }).waitFor();
    const late = page.locator(`#row-${lateId}`);
    await late.waitFor();
    await late.getByText("Globex").waitFor();
    expect(await late.locator(".plan").textContent()).toBe("Scale");
    expect(await late.locator(".row-wait").getAttribute("class")).toContain("row-wait-late");
    expect(await late.locator(".row-wait").textContent()).toMatch(/3h 1\dm/);
    const refund = page.getByRole("link", { name: /Refund for a double charge/ });
    expect(await refund.textContent()).toContain("Dana Reyes");
    expect(await refund.textContent()).toContain("billing");
    // Counts: three open conversations, one of them mine, two unassigned.
    const nav = page.getByRole("navigation", { name: "Views" });
    await nav.getByRole("link", { name: /^All, 3$/ }).waitFor();
    await nav.getByRole("link", { name: /^Mine, 1$/ }).waitFor();
    await nav.getByRole("link", { name: /^Unassigned, 2$/ }).waitFor();
    await screenshot(page, "inbox");
  });

  it("shows a conversation created through the API in the list, and its count, without a reload", async () => {
    await page.evaluate(() => {
      (window as unknown as { stillThisPage: boolean }).stillThisPage = true;
    });
    await page.locator(".connection-live").waitFor();
    await app.customerWrites({
      name: "Dmitri Ivanov",
      email: "dmitri@example.test",
      subject: "Invoice shows the wrong VAT number",
      body: "Our VAT number is DE123456789, the invoice says DE987654321.",
    });
    await page.getByRole("link", { name: /Invoice shows the wrong VAT number/ }).waitFor();
    await page
      .getByRole("navigation", { name: "Views" })
      .getByRole("link", { name: /^All, 4$/ })
      .waitFor();
    expect(await page.evaluate(() => (window as unknown as { stillThisPage?: boolean }).stillThisPage)).toBe(
      true,
    );
  });

  it("opens the conversation, replies, adds a note and resolves it", async () => {
    await page.getByRole("link", { name: /Invoice shows the wrong VAT number/ }).click();
    await page.getByRole("heading", { name: "Invoice shows the wrong VAT number" }).waitFor();
    await page.getByText("Our VAT number is DE123456789").waitFor();

    await page
      .getByLabel("Reply to the customer")
      .fill("Sorry about that! A corrected invoice is on its way.");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await page.locator(".message-outgoing", { hasText: "A corrected invoice is on its way" }).waitFor();

    await page.getByLabel("Assignee").selectOption({ label: "Me (Dana Reyes)" });
    await page
      .getByRole("navigation", { name: "Views" })
      .getByRole("link", { name: /^Mine, 2$/ })
      .waitFor();
    await page.getByLabel("Add a tag").fill("vat");
    await page.getByLabel("Add a tag").press("Enter");
    await page.getByRole("button", { name: "Remove the tag vat" }).waitFor();

    await page.getByRole("button", { name: /^Note/ }).click();
    await page.getByLabel(/Internal note/).fill("Finance fixed the VAT id in Stripe.");
    await page.getByRole("button", { name: "Add note" }).click();
    await page.locator(".message-note", { hasText: "Finance fixed the VAT id" }).waitFor();
    await screenshot(page, "conversation");

    await page.getByRole("button", { name: /^Resolve/ }).click();
    await page.getByRole("button", { name: /^Reopen/ }).waitFor();
    await page.locator(".activity", { hasText: /Resolved by Dana Reyes/ }).waitFor();

    const id = new URL(page.url()).pathname.split("/").pop();
    const stored = await app.api.get(`/api/v1/conversations/${id}`);
    expect(stored.body.status).toBe("resolved");
    expect(stored.body.assignee_id).toBe(app.agent.id);
    expect(stored.body.tags.map((t: { name: string }) => t.name)).toEqual(["vat"]);
    const messages = await app.api.get(`/api/v1/conversations/${id}/messages`);
    const kinds = messages.body.data.map((m: { kind: string }) => m.kind);
    expect(kinds).toEqual(expect.arrayContaining(["incoming", "outgoing", "note", "activity"]));
    // Resolved, it leaves the open list.
    await page
      .getByRole("link", { name: /Invoice shows the wrong VAT number/ })
      .waitFor({ state: "detached" });
  });

  it("keeps a draft across a reload, and keeps it with the reason when sending fails", async () => {
    await page.locator(`#row-${lateId}`).click();
    await page.getByRole("heading", { name: "Export to CSV stopped working" }).waitFor();
    const customer = page.getByRole("complementary", { name: "Customer" });
    await customer.getByText("$499").waitFor();
    expect(await customer.textContent()).toContain("Globex");
    expect(await customer.textContent()).toContain("Scale");
    const composer = page.getByLabel("Reply to the customer");
    await composer.fill("Half-written answer about the CSV export");
    await page.reload();
    await page.getByRole("heading", { name: "Export to CSV stopped working" }).waitFor();
    expect(await page.getByLabel("Reply to the customer").textContent()).toBe(
      "Half-written answer about the CSV export",
    );

    await page.route("**/api/v1/conversations/*/messages", (route) =>
      route.request().method() === "POST"
        ? route.fulfill({
            status: 503,
            contentType: "application/problem+json",
            body: JSON.stringify({
              type: "about:blank",
              title: "The outbox is paused for maintenance",
              status: 503,
            }),
          })
        : route.continue(),
    );
    await page.getByRole("button", { name: "Send", exact: true }).click();
    const failure = page.locator("#composer-error");
    await failure.waitFor();
    expect(await failure.textContent()).toContain("The outbox is paused for maintenance");
    expect(await page.getByLabel("Reply to the customer").textContent()).toBe(
      "Half-written answer about the CSV export",
    );
    await screenshot(page, "send-failed");
    await page.unrouteAll();
  });

  it("shows a lost connection, and catches up on what it missed once back", async () => {
    await page.goto(`${app.server.url}/conversations?view=all&status=open`);
    await page.locator(".connection-live").waitFor();
    let release = () => {};
    reconnectGate = new Promise((resolve) => {
      release = resolve;
    });
    sockets.at(-1)?.close();
    await page.getByText("Offline, reconnecting…").waitFor();
    await app.customerWrites({
      name: "Eve Okafor",
      email: "eve@example.test",
      subject: "Sent while the agent was offline",
      body: "Did this get lost?",
    });
    release();
    await page.locator(".connection-live").waitFor();
    await page.getByRole("link", { name: /Sent while the agent was offline/ }).waitFor();
  });

  it("shows a customer's HTML mail in a sandboxed frame, scripts removed", async () => {
    const created = await app.api.post("/api/v1/conversations", {
      inbox_id: app.inboxId,
      subject: "Formatted mail",
      contact: { email: "fran@example.test", name: "Fran Lopez" },
      message: {
        kind: "incoming",
        body_text: "Hello, this is bold.",
        body_html: '<p>Hello, this is <b id="bold">bold</b>.</p><script>document.title="pwned"</script>',
      },
    });
    await page.getByRole("link", { name: /Formatted mail/ }).click();
    const frame = page.frameLocator("iframe.message-frame");
    await frame.locator("#bold, b").first().waitFor();
    expect(await page.locator("iframe.message-frame").getAttribute("sandbox")).toBe(
      "allow-popups allow-popups-to-escape-sandbox",
    );
    expect(await frame.locator("script").count()).toBe(0);
    await screenshot(page, "html-mail");
    expect(await page.title()).toBe("Keepwell");
    expect(created.status).toBe(201);
  });

  it("tells an agent when a colleague opens the same conversation, and when they type in it", async () => {
    const conversationUrl = page.url();
    const colleague = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const other = await colleague.newPage();
    other.setDefaultTimeout(10_000);
    await other.goto(conversationUrl);
    await other.getByLabel("Email").fill(app.colleague.email);
    await other.getByLabel("Password").fill(PASSWORD);
    await other.getByRole("button", { name: "Sign in" }).click();
    await other.locator(".conversation h2").waitFor();

    const notice = page.locator(".collision");
    await notice.getByText("Sam Rivera is viewing this conversation.").waitFor();
    await other.getByLabel("Reply to the customer").pressSequentially("I'll take this one");
    await notice.getByText("Sam Rivera is typing a reply…").waitFor();
    await screenshot(page, "collision");
    await colleague.close();
    await notice.getByText(/Sam Rivera/).waitFor({ state: "detached" });
  });

  it("works with the keyboard alone", async () => {
    await page.goto(`${app.server.url}/conversations?view=all&status=open`);
    await page.getByRole("heading", { name: "All · Open" }).waitFor();
    await page.locator(".row").first().waitFor();
    const focusedId = () => page.evaluate(() => document.activeElement?.id ?? "");

    await page.keyboard.press("j");
    expect(await focusedId()).toMatch(/^row-/);
    const first = await focusedId();
    await page.keyboard.press("j");
    expect(await focusedId()).not.toBe(first);
    await page.keyboard.press("k");
    expect(await focusedId()).toBe(first);
    // The focus ring is visible.
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).not.toBe(
      "none",
    );

    await page.keyboard.press("Enter");
    await page.waitForURL(new RegExp(`/conversations/${first.replace("row-", "")}`));
    await page.locator(".conversation h2").waitFor();
    // The rich editor's code loads after the conversation shows.
    await page.locator("#composer-text").waitFor();

    await page.keyboard.press("r");
    expect(await focusedId()).toBe("composer-text");
    await page.keyboard.type("Typed without a mouse.");
    await page.keyboard.press("Control+Enter");
    await page.locator(".message-outgoing", { hasText: "Typed without a mouse." }).waitFor();
    await page.keyboard.press("Escape");

    await page.keyboard.press("n");
    expect(await page.getByRole("button", { name: /^Note/ }).getAttribute("aria-pressed")).toBe("true");
    await page.keyboard.press("Escape");

    await page.keyboard.press("a");
    expect(await page.evaluate(() => document.activeElement?.closest("label")?.textContent)).toContain(
      "Assignee",
    );
    // The first Escape closes the picker, the second leaves the field.
    await page.keyboard.press("Escape");
    await page.keyboard.press("Escape");

    await page.keyboard.press("e");
    await page.getByRole("button", { name: /^Reopen/ }).waitFor();
    await page.keyboard.press("e");
    await page.getByRole("button", { name: /^Resolve/ }).waitFor();

    await page.keyboard.press("?");
    const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await dialog.waitFor();
    await screenshot(page, "shortcuts");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });

    await page.keyboard.press("/");
    expect(await focusedId()).toBe("search-input");
    await page.keyboard.type("Alice");
    await page.getByRole("option", { name: /Alice Moreau/ }).waitFor();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await page.getByText("Conversations of").waitFor();
    await page.locator(`#row-${lateId}`).waitFor();
  });

  it("labels every control, and reports no script or policy errors", async () => {
    const unlabelled = await page.evaluate(() => {
      const controls = [
        ...document.querySelectorAll<HTMLElement>("a[href], button, input, select, textarea"),
      ];
      return controls
        .filter((el) => el.offsetParent !== null)
        .filter((el) => {
          const labelled =
            el.getAttribute("aria-label") ||
            el.getAttribute("aria-labelledby") ||
            (el as HTMLInputElement).labels?.length ||
            el.textContent?.trim() ||
            el.getAttribute("title");
          return !labelled;
        })
        .map((el) => el.outerHTML.slice(0, 120));
    });
    expect(unlabelled).toEqual([]);
    // Failed requests (the 401 of the signed-out session check, the 4xx the tests provoke) are expected.
    expect(errors.filter((e) => !e.includes("Failed to load resource"))).toEqual([]);
  });

  it("sends the agent to sign-in when the session ends under the app, then back to the view", async () => {
    const session = await page.request.get(`${app.server.url}/api/v1/auth/session`);
    const { csrf_token: csrf } = (await session.json()) as { csrf_token: string };
    // Signed out elsewhere: the same browser's session ends while this page is open.
    const ended = await page.request.post(`${app.server.url}/api/v1/auth/logout`, {
      headers: { "x-csrf-token": csrf },
    });
    expect(ended.status()).toBe(204);
    await page
      .getByRole("navigation", { name: "Views" })
      .getByRole("link", { name: /^Unassigned/ })
      .click();
    await page.waitForURL(/\/sign-in/);

    // A first visit while signed out: the early reads of the view are refused and must not be
    // reused once signed in.
    await page.goto(`${app.server.url}/conversations?view=all&status=open`);
    await page.waitForURL(/\/sign-in\?redirect=/);
    await page.getByLabel("Email").fill(app.agent.email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/conversations\?view=all/);
    await page.getByRole("heading", { name: "All · Open" }).waitFor();
    await page.locator(`#row-${lateId}`).waitFor();

    // A reload, signed in: the list drawn from the reads asked for before the app loaded.
    await page.reload();
    await page.locator(`#row-${lateId}`).getByText("Alice Moreau").waitFor();
    expect(page.url()).toMatch(/\/conversations\?view=all/);
  });
});
