import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, BrowserContext, Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../apps/server/src/modules/access/passwords.ts";
import { type SmtpSink, startSmtpSink } from "../apps/server/src/modules/email/outbound/test-sink.ts";
import {
  eventually,
  freePort,
  type MailServer,
  type MailWorkspace,
  mailWorkspace,
  sendRaw,
  startMailServer,
} from "../apps/server/src/modules/email/test-support.ts";
import { offlineEmail } from "../apps/server/src/modules/widget/offline-email.ts";
import { addMember, upsertAgent } from "../apps/server/src/modules/workspaces/service.ts";
import { apiClient } from "../apps/server/src/test/harness.ts";
import { ensureWidgetBuilt } from "../scripts/build-widget.js";
import { hasChromium, launchBrowser, screenshot, watchErrors } from "./browser.ts";
import { type AppFixture, PASSWORD, startApp } from "./fixtures.ts";
import { chatFrame, openChat, widgetLoaded } from "./widget-page.ts";

/*
 * The widget on a customer's site, in a real Chromium: a host page on another origin (with CSS that
 * tries to break it) embeds the snippet; the visitor writes; the agent app in a second browser
 * context sees the chat arrive live and answers; the visitor sees the answer.
 */
describe.skipIf(!hasChromium)("the chat widget in Chromium", () => {
  let app: AppFixture;
  let browser: Browser;
  let host: Server;
  let hostUrl: string;
  let key: string;
  let inboxId: string;
  let visitorContext: BrowserContext;
  let visitor: Page;
  let errors: string[];

  beforeAll(async () => {
    await ensureWidgetBuilt({ log: () => {} });
    [app, browser] = await Promise.all([startApp("Acme"), launchBrowser()]);
    const inbox = await app.api.post("/api/v1/inboxes", { name: "Website chat", channel: "chat" });
    await app.api.post("/api/v1/inboxes", { name: "Call me back", channel: "callback" });
    const widget = await app.api.get(`/api/v1/inboxes/${inbox.body.id}/widget`);
    key = widget.body.public_key;
    inboxId = inbox.body.id;

    host = createServer((request, response) => {
      const page = new URL(request.url ?? "/", "http://x").searchParams.get("page") ?? "plain";
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      response.end(hostPage(app.server.url, key, page));
    });
    await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
    hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    const saved = await app.api.put(`/api/v1/inboxes/${inbox.body.id}/widget`, {
      allowed_origins: [hostUrl],
      respect_business_hours: false,
      greeting: "Hi! Ask us anything.",
    });
    expect(saved.status).toBe(200);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => host?.close(resolve));
    await app?.destroy();
  });

  async function signedInAgent(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${app.server.url}/`);
    await page.waitForURL(/\/sign-in/);
    await page.getByLabel("Email").fill(app.agent.email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/conversations\?/);
    await page.getByRole("navigation", { name: "Views" }).getByRole("link", { name: /^All/ }).click();
    await page.locator(".connection-live").waitFor();
    return page;
  }

  it("loads only the small loader until the visitor opens the chat, despite hostile page CSS", async () => {
    visitorContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
    visitor = await visitorContext.newPage();
    visitor.setDefaultTimeout(10_000);
    errors = watchErrors(visitor);
    const requested: string[] = [];
    visitor.on("request", (r) => requested.push(new URL(r.url()).pathname));
    await visitor.goto(`${hostUrl}/?page=hostile`);
    await widgetLoaded(visitor);
    expect(requested).toContain("/widget.js");
    expect(requested).not.toContain("/widget/assets/widget.js");
    // The host page cannot see into the launcher: its root is closed.
    expect(
      await visitor.evaluate(() => document.querySelector("[data-keepwell]")?.shadowRoot ?? null),
    ).toBeNull();

    // A real click on the launcher in the corner (the page's `button { display: none }` does not reach it).
    await visitor.mouse.click(1280 - 20 - 28, 800 - 20 - 28);
    const frame = await chatFrame(visitor);
    expect(requested).toContain("/widget/assets/widget.js");
    await frame.getByText("Hi! Ask us anything.").waitFor();
    expect(await frame.evaluate(() => getComputedStyle(document.querySelector("h1")!).fontSize)).toBe("16px");
    await screenshot(visitor, "widget-open-en");
  });

  it("lets the visitor chat with an agent who sees it live in the agent app and answers", async () => {
    const frame = await chatFrame(visitor);
    await frame.locator("[data-testid=offline]").waitFor();
    const agentContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const agent = await signedInAgent(agentContext);
    // An agent coming online changes what the open widget promises.
    await frame.getByText("We usually reply in a few minutes").waitFor();

    await frame.getByLabel("Write a message…").fill("Hello from the pricing page, is there a yearly plan?");
    await frame.getByLabel("Write a message…").press("Enter");
    await frame.locator(".bubble.visitor", { hasText: "yearly plan" }).waitFor();
    await frame.getByText("Sending…").waitFor({ state: "detached" });

    const row = agent.getByRole("link", { name: /yearly plan/ });
    await row.waitFor();
    await row.click();
    await agent.locator(".message-text", { hasText: "Hello from the pricing page" }).waitFor();
    // Who the visitor is: the page they are on and their browser, beside the chat.
    const panel = agent.locator("[data-testid=visitor-panel]");
    await panel.getByText("Not verified (anonymous)").waitFor();
    await panel.getByRole("link", { name: "Customer site" }).waitFor();
    expect(await panel.getByRole("link", { name: "Customer site" }).getAttribute("href")).toContain(hostUrl);
    await panel.getByText(/Chrome \d+ on Linux/).waitFor();
    // The language the chat speaks (and an emailed reply would use), not only the browser's region tag.
    await panel.getByText("English (en)", { exact: true }).waitFor();
    // The visitor types; the agent sees it.
    await frame.getByLabel("Write a message…").pressSequentially("One more thing", { delay: 20 });
    await agent.getByText("is typing…").waitFor();
    await screenshot(agent, "chat-visitor-typing");
    await frame.getByLabel("Write a message…").fill("");
    await agent.getByLabel("Reply to the customer").fill("Yes! Yearly saves two months.");
    await agent.getByRole("button", { name: "Send", exact: true }).click();

    const answer = frame.locator(".row.agent", { hasText: "Yearly saves two months" });
    await answer.waitFor();
    expect(await answer.locator(".name").textContent()).toBe("Dana");
    await screenshot(visitor, "widget-conversation");
    // The widget is open and focused: the agent learns the reply was read.
    await agent.locator("[data-testid=read-receipt]", { hasText: "Seen by" }).waitFor();
    // The visitor attaches a screenshot; the agent gets the file in the thread.
    await frame.locator("input[type=file]").setInputFiles({
      name: "export-error.png",
      mimeType: "image/png",
      buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]),
    });
    await frame.locator(".row.visitor .file", { hasText: "export-error.png" }).waitFor();
    await agent.getByRole("img", { name: "export-error.png" }).waitFor({ state: "attached" });
    // A file type agents should not open is refused in the widget, with the reason.
    await frame.locator("input[type=file]").setInputFiles({
      name: "setup.exe",
      mimeType: "application/x-msdownload",
      buffer: Buffer.from("MZ"),
    });
    await frame.getByText("Send an image, a PDF or a text file").waitFor();

    // A reload keeps the visitor's history: the token stays in the frame's own storage.
    await visitor.reload();
    await openChat(visitor);
    const again = await chatFrame(visitor);
    await again.locator(".row.agent", { hasText: "Yearly saves two months" }).waitFor();
    await agentContext.close();
    expect(errors).toEqual([]);
  });

  it("takes a callback request from the widget into the callback queue, where it is worked", async () => {
    const frame = await chatFrame(visitor);
    await frame.getByRole("button", { name: "Call me back" }).click();
    await frame.getByLabel("Phone number").fill("12");
    await frame.getByRole("button", { name: "Request a call" }).click();
    await frame.getByRole("alert").waitFor();
    expect(await frame.getByRole("alert").textContent()).toMatch(/not a valid phone number/);
    await frame.getByLabel("Phone number").fill("+44 20 7946 0958");
    await frame.getByLabel("What is it about?").fill("Talk about the yearly plan");
    await frame.getByRole("button", { name: "Request a call" }).click();
    await frame.getByText("Thanks! We'll call you at +442079460958.").waitFor();
    await screenshot(visitor, "widget-callback-requested");

    // An agent works it from the callback queue in the agent app: call, then record the outcome.
    const agentContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const agent = await signedInAgent(agentContext);
    await agent.getByRole("list", { name: "More" }).getByRole("link", { name: "Callbacks" }).click();
    const row = agent
      .getByRole("listitem", { name: /Callback for/ })
      .filter({ hasText: "Talk about the yearly plan" });
    await row.waitFor();
    expect(await row.getByRole("link", { name: /Call now/ }).getAttribute("href")).toBe("tel:+442079460958");
    await row.getByLabel("Outcome").selectOption("reached");
    await row.getByLabel("Notes").fill("Agreed on the yearly plan");
    await screenshot(agent, "callback-queue");
    await row.getByRole("button", { name: "Record the call" }).click();
    await row.waitFor({ state: "detached" });
    const done = await app.api.get("/api/v1/callbacks?state=done");
    const request = done.body.data.find((c: { phone: string }) => c.phone === "+442079460958");
    expect(request).toMatchObject({
      reason: "Talk about the yearly plan",
      state: "done",
      outcome: "reached",
      attempts: 1,
    });
    expect(request.speed_of_answer_ms).toBeGreaterThan(0);
    await agentContext.close();
    await frame.getByRole("button", { name: "Back to chat" }).click();
    await frame.getByLabel("Write a message…").waitFor();
  });

  it("asks the visitor how it went once the chat is resolved, and the agent sees the answer", async () => {
    const frame = await chatFrame(visitor);
    const settings = await app.api.put(`/api/v1/inboxes/${inboxId}/survey-settings`, {
      enabled: true,
      delay_minutes: 0,
    });
    expect(settings.status).toBe(200);
    const list = await app.api.get(`/api/v1/conversations?inbox_id=${inboxId}&status=open`);
    const conversationId = list.body.data[0].id as string;
    expect(
      (await app.api.patch(`/api/v1/conversations/${conversationId}`, { status: "resolved" })).status,
    ).toBe(200);

    const survey = frame.locator("[data-testid=survey]");
    await survey.getByText("How would you rate the help you received?").waitFor();
    await survey.getByRole("button", { name: /Good/ }).click();
    await survey.locator("button[aria-pressed=true]", { hasText: "Good" }).waitFor();
    // A later click changes the answer.
    await survey.getByRole("button", { name: /Bad/ }).click();
    await survey.locator("button[aria-pressed=true]", { hasText: "Bad" }).waitFor();
    await survey.getByLabel("What could we have done better?").fill("The yearly price was hard to find.");
    await survey.getByRole("button", { name: "Send" }).click();
    await survey.getByText("Thank you, we read every comment.").waitFor();
    await screenshot(visitor, "widget-survey-answered");

    const thread = await app.api.get(`/api/v1/conversations/${conversationId}/messages?limit=100`);
    const lines = thread.body.data.map((m: { body_text: string }) => m.body_text).join("\n");
    expect(lines).toContain("changed their survey answer from “good” to “bad”");
    expect(lines).toContain("Survey comment (bad): “The yearly price was hard to find.”");
  });

  it("speaks Bengali to a Bengali browser, and says when the founder is answering", async () => {
    // The owner holds office hours all week: the widget names them, in the visitor's language.
    const owner = apiClient(app.server.url, app.workspace.tokens.owner);
    const slots: string[] = [];
    for (let weekday = 0; weekday < 7; weekday++) {
      slots.push(
        (await owner.post("/api/v1/office-hours", { weekday, start: "00:00", end: "24:00" })).body.id,
      );
    }
    const founderName = (await owner.get("/api/v1/me")).body.name as string;
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "bn-BD" });
    const page = await context.newPage();
    await page.goto(`${hostUrl}/`);
    await openChat(page);
    const frame = await chatFrame(page);
    await frame.getByRole("heading", { name: "আমাদের সাথে চ্যাট করুন" }).waitFor();
    await frame.getByPlaceholder("একটি বার্তা লিখুন…").waitFor();
    await frame.getByText(`আজ আপনি প্রতিষ্ঠাতার সাথে কথা বলছেন: ${founderName}`).waitFor();
    await screenshot(page, "widget-open-bn");
    // The server learns the language the widget speaks, for mail that continues the chat.
    await frame.getByLabel("একটি বার্তা লিখুন…").fill("বাংলায় উত্তর দিন");
    await frame.getByLabel("একটি বার্তা লিখুন…").press("Enter");
    const visitorInfo = await eventually(async () => {
      const list = await owner.get(`/api/v1/conversations?inbox_id=${inboxId}&limit=100`);
      const chat = list.body.data.find((c: { preview: string }) => c.preview === "বাংলায় উত্তর দিন");
      const info = chat ? await owner.get(`/api/v1/conversations/${chat.id}/visitor`) : undefined;
      return info?.body.language === "bn" ? info.body : undefined;
    });
    expect(visitorInfo.context.language).toBe("bn-BD");
    await context.close();
    for (const id of slots) await owner.delete(`/api/v1/office-hours/${id}`);
  });

  it("does not link a forged identity to the customer it claims to be", async () => {
    const victim = await app.api.post("/api/v1/contacts", {
      name: "Grace Victim",
      email: "grace@victim.test",
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${hostUrl}/?page=forged`);
    await openChat(page);
    const frame = await chatFrame(page);
    await frame.getByLabel("Write a message…").fill("I am Grace, show me my invoices");
    await frame.getByLabel("Write a message…").press("Enter");
    await frame.getByText("Sending…").waitFor({ state: "detached" });
    const list = await app.api.get(`/api/v1/conversations?contact_id=${victim.body.id}`);
    expect(list.body.data).toEqual([]);
    await context.close();
  });
});

describe.skipIf(!hasChromium)("the chat widget's settings in the agent app", () => {
  let app: AppFixture;
  let browser: Browser;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp("Initech"), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.destroy();
  });

  it("lets an admin create the chat inbox, set its greeting and copy the snippet", async () => {
    const email = `admin-${Date.now()}@initech.test`;
    const adminId = await upsertAgent(app.server.ctx.db, email, "Ada Admin", await hashPassword(PASSWORD));
    await addMember(app.server.ctx.db, app.workspace.workspaceId, adminId, "admin");
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(10_000);
    const errors = watchErrors(page);
    await page.goto(`${app.server.url}/sign-in`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/conversations/);
    await page.goto(`${app.server.url}/settings/widget`);
    await page.getByRole("button", { name: "Create a chat inbox" }).click();
    const snippet = page.getByLabel("Embed snippet");
    await snippet.waitFor();
    expect(await snippet.inputValue()).toMatch(
      /<script src="http:\/\/127\.0\.0\.1:\d+\/widget\.js" data-keepwell-widget="kwc_/,
    );

    await page.getByLabel("Greeting").fill("Hello from Initech support");
    await page.getByLabel("Allowed sites (one origin per line; empty allows any site)").fill("not a site");
    await page.getByRole("button", { name: "Save widget" }).click();
    await page.locator(".field-error").first().waitFor();
    await page
      .getByLabel("Allowed sites (one origin per line; empty allows any site)")
      .fill("https://www.initech.test");
    await page.getByRole("button", { name: "Save widget" }).click();
    await page.getByText("Saved", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Create a secret" }).click();
    expect(await page.getByLabel("Identity secret").inputValue()).toMatch(/^[0-9a-f]{64}$/);
    await screenshot(page, "widget-settings");

    const inboxes = await app.api.get("/api/v1/inboxes");
    const chat = inboxes.body.data.find((i: { channel: string }) => i.channel === "chat");
    const widget = await app.api.get(`/api/v1/inboxes/${chat.id}/widget`);
    expect(widget.body).toMatchObject({
      greeting: "Hello from Initech support",
      allowed_origins: ["https://www.initech.test"],
      identity_secret_set: true,
    });
    // The 401 of the session probe before sign-in and the 400 of the refused origin are expected.
    expect(errors.filter((e) => !e.includes("Failed to load resource"))).toEqual([]);
  });
});

/*
 * Nobody online: the visitor leaves an email address and goes; the agent's reply reaches them by
 * email (over SMTP, to a real SMTP server), their emailed answer comes back over SMTP into the same
 * chat, and the widget shows it when they return.
 */
describe.skipIf(!hasChromium)("an offline chat continued by email, in Chromium", () => {
  let server: MailServer;
  let sink: SmtpSink;
  let globex: MailWorkspace;
  let browser: Browser;
  let host: Server;
  let hostUrl: string;
  let key: string;
  let chatInboxId: string;

  beforeAll(async () => {
    await ensureWidgetBuilt({ log: () => {} });
    offlineEmail.graceSeconds = 0;
    sink = await startSmtpSink({ user: "keepwell", pass: "offline-chat-e2e-7f1q" });
    const port = await freePort();
    [server, browser] = await Promise.all([
      startMailServer("pglite", { PORT: String(port), BASE_URL: `http://127.0.0.1:${port}` }),
      launchBrowser(),
    ]);
    globex = await mailWorkspace(server, "Globex");
    await globex.as.owner.put(`/api/v1/inboxes/${globex.inboxId}/smtp`, {
      host: "127.0.0.1",
      port: sink.port,
      security: "none",
      username: "keepwell",
      password: "offline-chat-e2e-7f1q",
      from_name: "Globex Support",
    });
    const chat = await globex.as.owner.post("/api/v1/inboxes", { name: "Globex chat", channel: "chat" });
    chatInboxId = chat.body.id;
    key = (await globex.as.owner.get(`/api/v1/inboxes/${chatInboxId}/widget`)).body.public_key;
    host = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      response.end(hostPage(server.url, key, "plain"));
    });
    await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
    hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    await globex.as.owner.put(`/api/v1/inboxes/${chatInboxId}/widget`, {
      allowed_origins: [hostUrl],
      respect_business_hours: false,
    });
  });
  afterAll(async () => {
    offlineEmail.graceSeconds = 60;
    await browser?.close();
    await new Promise((resolve) => host?.close(resolve));
    await server?.destroy();
    await sink?.close();
  });

  async function openWidget(page: Page): Promise<Frame> {
    await page.goto(`${hostUrl}/`);
    await openChat(page);
    return chatFrame(page, "textarea");
  }

  it("mails the reply to the visitor who left, and threads their emailed answer back into the chat", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const frame = await openWidget(page);
    await frame.locator("[data-testid=offline]").waitFor();
    await frame.getByLabel("Leave your email and we'll reply there.").fill("wanda@visitor.test");
    await frame.getByRole("button", { name: "Save" }).click();
    await frame.getByText("Thanks — we'll reply to wanda@visitor.test.").waitFor();
    await frame.getByLabel("Write a message…").fill("Do you have a sandbox account for testing?");
    await frame.getByLabel("Write a message…").press("Enter");
    await frame.getByText("Sending…").waitFor({ state: "detached" });
    await screenshot(page, "widget-offline-email");
    // The visitor leaves the site; their token stays in the frame origin's storage.
    await page.close();

    const list = await globex.as.agent.get(`/api/v1/conversations?inbox_id=${chatInboxId}`);
    const conversationId = list.body.data[0].id as string;
    await globex.as.agent.post(`/api/v1/conversations/${conversationId}/messages`, {
      kind: "outgoing",
      body_text: "Yes — every plan includes a sandbox. Reply here if you need it switched on.",
    });
    const mail = await eventually(async () =>
      sink.received.find((m) => m.recipients.includes("wanda@visitor.test")),
    );
    expect(mail.parsed.text).toContain("every plan includes a sandbox");
    const replyTo = mail.parsed.replyTo?.value[0].address ?? "";
    expect(replyTo).toMatch(/^support-[0-9a-f]{8}\+[a-z2-7]{64}@globex\.example$/);

    const answer = [
      "From: Wanda <wanda@visitor.test>",
      `To: ${replyTo}`,
      "Subject: Re: Globex chat",
      `Message-ID: <sandbox-${Date.now()}@visitor.test>`,
      `In-Reply-To: ${mail.parsed.messageId}`,
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "",
      "Please switch it on for wanda-test.",
      "",
    ].join("\r\n");
    expect((await sendRaw(server.smtpPort, { from: "wanda@visitor.test", to: [replyTo] }, answer)).ok).toBe(
      true,
    );
    await eventually(async () => {
      const page = await globex.as.agent.get(`/api/v1/conversations/${conversationId}/messages?limit=50`);
      return page.body.data.some((m: { body_text: string }) => m.body_text.includes("wanda-test"));
    });

    // Back on the site, the whole conversation is in the widget, the emailed answer included.
    const back = await context.newPage();
    back.setDefaultTimeout(10_000);
    const again = await openWidget(back);
    await again.locator(".row.agent", { hasText: "every plan includes a sandbox" }).waitFor();
    await again.locator(".bubble.visitor", { hasText: "Please switch it on for wanda-test." }).waitFor();
    await screenshot(back, "widget-offline-email-continued");
    await context.close();
  });
});

function hostPage(keepwell: string, key: string, kind: string): string {
  const hostile =
    kind === "hostile"
      ? `<style>* { font-size: 40px !important; color: red !important; } button, iframe { display: none !important; }</style>`
      : "";
  const identify =
    kind === "forged"
      ? `<script>window.Keepwell = { q: [["identify", { user_id: "grace-1", email: "grace@victim.test", name: "Grace", user_hash: "${"ab".repeat(32)}" }]] };</script>`
      : "";
  return `<!doctype html><html><head><meta charset="utf-8"><title>Customer site</title>${hostile}</head>
<body><h1>Pricing</h1><p>Plans for every team.</p>${identify}
<script src="${keepwell}/widget.js" data-keepwell-widget="${key}" async></script></body></html>`;
}
