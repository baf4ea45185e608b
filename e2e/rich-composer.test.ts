import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../apps/server/src/modules/email/outbound/test-fixture.ts";
import { type SmtpSink, startSmtpSink } from "../apps/server/src/modules/email/outbound/test-sink.ts";
import { hasChromium, launchBrowser, screenshot, watchErrors } from "./browser.ts";
import { type AppFixture, PASSWORD, startApp } from "./fixtures.ts";

/*
 * The rich composer, the draft that keeps its uploaded files, and the profile picture, in a real
 * Chromium: bold and a list reach the customer as HTML with a matching text part (read from a
 * real SMTP sink), Word paste arrives clean, a draft with a file survives a reload, and an
 * uploaded avatar shows in the header and beside the agent's messages.
 */
const SMTP_LOGIN = { user: "keepwell", pass: "composer-smtp-secret-7h2" };

/** A 1×1 PNG. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

describe.skipIf(!hasChromium)("the rich composer and the profile picture in Chromium", () => {
  let app: AppFixture;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let sink: SmtpSink;
  let mailConversation: string;
  let draftConversation: string;

  beforeAll(async () => {
    [app, browser, sink] = await Promise.all([
      startApp("Richco"),
      launchBrowser(),
      startSmtpSink(SMTP_LOGIN),
    ]);
    const inbox = await app.api.post("/api/v1/inboxes", {
      name: "Mail",
      channel: "email",
      address: `help-${Date.now()}@richco.test`,
    });
    expect(inbox.status).toBe(201);
    const smtp = await app.api.put(`/api/v1/inboxes/${inbox.body.id}/smtp`, {
      host: "127.0.0.1",
      port: sink.port,
      security: "none",
      username: SMTP_LOGIN.user,
      password: SMTP_LOGIN.pass,
      from_name: "Richco Support",
    });
    expect(smtp.status).toBe(200);
    const created = await app.api.post("/api/v1/conversations", {
      inbox_id: inbox.body.id,
      subject: "How do I rotate my API key?",
      contact: { email: "maya@customer.test", name: "Maya Chen" },
      message: { kind: "incoming", body_text: "Where is the rotate button?" },
    });
    mailConversation = created.body.id;
    draftConversation = await app.customerWrites({
      name: "Noor Haddad",
      email: "noor@customer.test",
      subject: "Invoice copy please",
      body: "Could you send last month's invoice?",
    });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    page.setDefaultTimeout(10_000);
    errors = watchErrors(page);
    await page.goto(`${app.server.url}/conversations/${mailConversation}`);
    await page.getByLabel("Email").fill(app.agent.email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Where is the rotate button?").waitFor();
    // The sign-in page's session probe (401) was expected.
    errors.length = 0;
  });

  afterAll(async () => {
    await browser?.close();
    await app?.destroy();
    await sink?.close();
  });

  it("sends bold text and a bulleted list as clean HTML with a matching text part", async () => {
    const editor = page.getByLabel("Reply to the customer");
    await editor.click();
    await page.keyboard.type("Hi Maya, ");
    await page.keyboard.press("Control+b");
    await page.keyboard.type("two steps");
    await page.keyboard.press("Control+b");
    await page.keyboard.type(":");
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Bulleted list" }).click();
    await page.keyboard.type("Open Settings");
    await page.keyboard.press("Enter");
    await page.keyboard.type("Press Rotate");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Enter");

    // Pasted from Word: Office markup, styles and a script must not survive into the message.
    await editor.evaluate((element) => {
      const data = new DataTransfer();
      data.setData(
        "text/html",
        `<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p.MsoNormal{color:red}</style></head>
         <body><!--StartFragment--><p class="MsoNormal" style="mso-margin-top-alt:auto"><b><span style="font-family:Calibri;color:#C00000">Old keys</span></b><span> stop working after a day.<o:p></o:p></span></p>
         <script>window.pwned = true</script><img src="x" onerror="window.pwned = true"><!--EndFragment--></body></html>`,
      );
      data.setData("text/plain", "Old keys stop working after a day.");
      element.dispatchEvent(
        new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }),
      );
    });
    await page.locator("#composer-text strong", { hasText: "Old keys" }).waitFor();
    // The browser refuses the pasted handler and styles while the editor reads the HTML (CSP
    // reports them as errors); nothing of them runs or stays.
    expect(await page.evaluate(() => (window as unknown as { pwned?: boolean }).pwned)).toBeUndefined();
    expect(errors.every((e) => e.includes("Content Security Policy"))).toBe(true);
    errors.length = 0;
    await page.getByRole("button", { name: "Bold" }).waitFor();
    await screenshot(page, "composer-rich-text");

    await page.keyboard.press("Control+Enter");
    await page.locator(".message-outgoing", { hasText: "Press Rotate" }).waitFor();
    expect((await editor.textContent())?.trim()).toBe("");

    const mail = await eventually(async () =>
      sink.received.find((m) => m.recipients.includes("maya@customer.test")),
    );
    const html = mail.parsed.html as string;
    expect(html).toContain("<strong>two steps</strong>");
    expect(html).toMatch(/<ul><li><p>Open Settings<\/p><\/li><li><p>Press Rotate<\/p><\/li><\/ul>/);
    expect(html).toContain("<strong>Old keys</strong>");
    expect(html).not.toMatch(/mso-|MsoNormal|Calibri|<script|onerror|<o:p|<style/i);
    const text = mail.parsed.text ?? "";
    expect(text).toContain(
      "Hi Maya, two steps:\n\n- Open Settings\n- Press Rotate\n\nOld keys stop working after a day.",
    );
    expect(await page.evaluate(() => (window as unknown as { pwned?: boolean }).pwned)).toBeUndefined();

    const messages = await app.api.get(`/api/v1/conversations/${mailConversation}/messages`);
    const sent = messages.body.data.find((m: { kind: string }) => m.kind === "outgoing");
    expect(sent.body_html).toContain("<li><p>Open Settings</p></li>");
    expect(sent.body_text).toContain("- Press Rotate");
    expect(errors).toEqual([]);
  });

  it("keeps a draft's formatting and its uploaded file across a reload, then sends both", async () => {
    await page.goto(`${app.server.url}/conversations/${draftConversation}`);
    await page.getByText("Could you send last month's invoice?").waitFor();
    const editor = page.getByLabel("Reply to the customer");
    await editor.click();
    await page.keyboard.type("Here it is, ");
    await page.keyboard.press("Control+i");
    await page.keyboard.type("with VAT");
    await page.keyboard.press("Control+i");
    await page.getByLabel("Attach files").setInputFiles({
      name: "invoice-may.txt",
      mimeType: "text/plain",
      buffer: Buffer.from("Invoice 2031, May"),
    });
    const chips = page.getByRole("list", { name: "Attached files" });
    await chips.getByText("invoice-may.txt").waitFor();
    await chips.getByText("uploading…").waitFor({ state: "detached" });

    await page.reload();
    await page.getByText("Could you send last month's invoice?").waitFor();
    await page.locator("#composer-text em", { hasText: "with VAT" }).waitFor();
    await chips.getByText("invoice-may.txt").waitFor();
    expect(await page.getByLabel("Reply to the customer").textContent()).toBe("Here it is, with VAT");
    await screenshot(page, "composer-draft-after-reload");

    await page.getByRole("button", { name: "Send", exact: true }).click();
    await page.locator(".message-outgoing", { hasText: "Here it is, with VAT" }).waitFor();
    await chips.waitFor({ state: "detached" });
    const messages = await app.api.get(`/api/v1/conversations/${draftConversation}/messages`);
    const sent = messages.body.data.find((m: { kind: string }) => m.kind === "outgoing");
    expect(sent.body_html).toBe("<p>Here it is, <em>with VAT</em></p>");
    expect(sent.attachments.map((a: { filename: string }) => a.filename)).toEqual(["invoice-may.txt"]);

    // Sent, the draft is gone: a reload shows an empty composer with no files.
    await page.reload();
    await page.locator(".message-outgoing", { hasText: "Here it is, with VAT" }).waitFor();
    await page.getByLabel("Reply to the customer").waitFor();
    expect((await page.getByLabel("Reply to the customer").textContent())?.trim()).toBe("");
    expect(await chips.count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it("uploads a profile picture that shows in the header and beside the agent's messages", async () => {
    await page.goto(`${app.server.url}/settings/profile`);
    const picture = page.getByLabel("Profile picture");
    await picture.setInputFiles({
      name: "face.png",
      mimeType: "image/png",
      buffer: Buffer.from("<svg></svg>"),
    });
    await page.getByRole("alert").filter({ hasText: "PNG, JPEG or WebP" }).waitFor();
    expect(await picture.getAttribute("aria-invalid")).toBe("true");

    await picture.setInputFiles({ name: "face.png", mimeType: "image/png", buffer: PNG });
    const headerAvatar = page.locator(".top-actions .agent-name img.avatar-image");
    await headerAvatar.waitFor();
    expect(await headerAvatar.getAttribute("src")).toMatch(
      new RegExp(`/api/v1/agents/${app.agent.id}/avatar\\?v=`),
    );
    expect(await headerAvatar.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
    await page.getByRole("button", { name: "Remove picture" }).waitFor();
    await screenshot(page, "profile-avatar");

    await page.goto(`${app.server.url}/conversations/${draftConversation}`);
    await page
      .locator(".message-outgoing", { hasText: "Here it is, with VAT" })
      .locator("img.avatar-image")
      .waitFor();
    expect(await page.getByLabel("Assignee").count()).toBe(1);
    // The bad pick's 400 was expected above; nothing else went wrong.
    expect(errors.filter((e) => !e.includes("400"))).toEqual([]);
  });
});
