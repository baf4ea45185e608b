import { randomUUID } from "node:crypto";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../apps/server/src/modules/access/passwords.ts";
import { addMember, upsertAgent } from "../apps/server/src/modules/workspaces/service.ts";
import { createTestWorkspace } from "../apps/server/src/test/harness.ts";
import { hasChromium, launchBrowser, screenshot, watchErrors } from "./browser.ts";
import { type AppFixture, PASSWORD, signIn, startApp } from "./fixtures.ts";

describe.skipIf(!hasChromium)("settings in Chromium", () => {
  let app: AppFixture;
  let browser: Browser;
  const adminEmail = "lee@settings.test";

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp("Settingsco"), launchBrowser()]);
    const adminId = await upsertAgent(
      app.server.ctx.db,
      adminEmail,
      "Lee Admin",
      await hashPassword(PASSWORD),
    );
    await addMember(app.server.ctx.db, app.workspace.workspaceId, adminId, "admin");
    // Lee also works for a second company, to switch between the two.
    const second = await createTestWorkspace(app.server, "Otherco");
    await addMember(app.server.ctx.db, second.workspaceId, adminId, "agent");
  });

  afterAll(async () => {
    await browser?.close();
    await app?.destroy();
  });

  it("an admin edits the profile, invites, tags and inboxes; the server's field errors show by the field", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const errors = watchErrors(page);
    await signIn(page, app, adminEmail, "/conversations");
    await page.getByRole("link", { name: "Settings" }).click();
    await page.waitForURL(/\/settings\/profile$/);
    const nav = page.getByRole("navigation", { name: "Settings" });
    await nav.getByRole("link", { name: "Team & invitations" }).waitFor();

    // Profile: the new name reaches the header.
    await page.getByLabel("Name", { exact: true }).fill("Lee Ann Admin");
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.locator(".agent-name", { hasText: "Lee Ann Admin" }).waitFor();
    await screenshot(page, "settings-profile");

    // Team: a bad address is refused by the field; a good one becomes a pending invitation.
    await nav.getByRole("link", { name: "Team & invitations" }).click();
    await page.getByRole("list", { name: "Agents" }).getByText("Dana Reyes").waitFor();
    const invite = page.locator("form", { has: page.getByRole("button", { name: "Send invitation" }) });
    await invite.getByLabel("Email").fill("not-an-address");
    await invite.getByRole("button", { name: "Send invitation" }).click();
    await invite.locator(".field-error").waitFor();
    expect(await invite.getByLabel("Email").getAttribute("aria-invalid")).toBe("true");
    await invite.getByLabel("Email").fill("newcomer@example.test");
    await invite.getByRole("button", { name: "Send invitation" }).click();
    await page
      .getByRole("list", { name: "Pending invitations" })
      .getByText("newcomer@example.test")
      .waitFor();
    expect(app.server.ctx.notify.sent.some((m) => m.to === "newcomer@example.test")).toBe(true);
    await screenshot(page, "settings-team");

    // Tags.
    await nav.getByRole("link", { name: "Tags" }).click();
    await page.getByRole("heading", { name: "Tags", level: 1 }).waitFor();
    await page.getByLabel("Name", { exact: true }).fill("billing");
    await page.getByRole("button", { name: "Create tag" }).click();
    await page.getByRole("list", { name: "Tags" }).getByLabel("Name of billing").waitFor();

    // Inboxes: an email inbox needs an address; the server says so next to the field.
    await nav.getByRole("link", { name: "Inboxes" }).click();
    await page.getByRole("heading", { name: "Inboxes", level: 1 }).waitFor();
    const create = page.locator("form", { has: page.getByRole("button", { name: "Create inbox" }) });
    await create.getByLabel("Name").fill("Sales");
    await create.getByRole("button", { name: "Create inbox" }).click();
    await create.locator(".field-error, .form-error").first().waitFor();
    await create.getByLabel("Email address").fill("sales@settingsco.test");
    await create.getByRole("button", { name: "Create inbox" }).click();
    await page.getByRole("heading", { name: "Sales · Email" }).waitFor();
    // The Sales inbox's outgoing server: a bad port is refused by its field, then it is kept.
    await page.getByText("Email settings: receiving and sending").click();
    const smtp = page.getByRole("form", { name: "Outgoing mail server" });
    await smtp.getByLabel("SMTP host").fill("smtp.example.com");
    await smtp.getByLabel("Port").fill("five");
    await smtp.getByRole("button", { name: "Save sending" }).click();
    await smtp.locator(".field-error").waitFor();
    await smtp.getByLabel("Port").fill("587");
    await smtp.getByRole("button", { name: "Save sending" }).click();
    await smtp.locator(".form-saved", { hasText: "Saved" }).waitFor();
    const inboxes = (await app.api.get("/api/v1/inboxes")).body.data as { id: string; name: string }[];
    const sales = inboxes.find((i) => i.name === "Sales");
    const stored = await app.api.get(`/api/v1/inboxes/${sales?.id}/smtp`);
    expect(stored.body).toMatchObject({ mode: "smtp", host: "smtp.example.com", port: 587 });

    // IMAP polling that cannot connect says so on the inbox, with counts; it never stops silently.
    const imap = page.getByRole("form", { name: "IMAP polling" });
    await imap.getByLabel("IMAP host").fill("127.0.0.1");
    await imap.getByLabel("IMAP port").fill("1");
    await imap.getByLabel("IMAP username").fill("sales");
    await imap.getByLabel("IMAP password").fill("not-a-real-password");
    await imap.getByLabel(/TLS from the start/).uncheck();
    await imap.getByRole("button", { name: "Save IMAP" }).click();
    const imapStatus = imap.getByRole("status", { name: "IMAP status" });
    await imapStatus.getByText(/0\s+imported/).waitFor();
    await imapStatus.getByRole("button", { name: "Poll now" }).click();
    await imapStatus.getByText(/Polling fails:/).waitFor({ timeout: 30_000 });
    await imapStatus.scrollIntoViewIfNeeded();
    await screenshot(page, "settings-imap-status");

    // The survey of the Support inbox: a bad delay is refused by its field, a good one is kept.
    const survey = page.getByRole("form", { name: "Survey of Support" });
    await survey.getByLabel(/Ask customers to rate/).check();
    await survey.getByLabel("Send after (minutes)").fill("soon");
    await survey.getByRole("button", { name: "Save survey" }).click();
    await survey.locator(".field-error").waitFor();
    await survey.getByLabel("Send after (minutes)").fill("15");
    await survey.getByRole("button", { name: "Save survey" }).click();
    await survey.locator(".form-saved", { hasText: "Saved" }).waitFor();
    const survey15 = await app.api.get(`/api/v1/inboxes/${app.inboxId}/survey-settings`);
    expect(survey15.body).toMatchObject({ enabled: true, delay_minutes: 15 });
    await screenshot(page, "settings-inboxes");
    expect(errors.filter((e) => !e.includes("Failed to load resource"))).toEqual([]);
    await context.close();
  });

  it("an agent sees only their own settings", async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await signIn(page, app, app.agent.email, "/settings");
    await page.waitForURL(/\/settings\/profile$/);
    const nav = page.getByRole("navigation", { name: "Settings" });
    await nav.getByRole("link", { name: "Notifications" }).waitFor();
    expect(await nav.getByRole("link", { name: "Team & invitations" }).count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await context.close();
  });
  it("a newcomer accepts the invitation from the mail and lands in the inbox, signed in", async () => {
    const mail = app.server.ctx.notify.sent.find((m) => m.to === "newcomer@example.test");
    const link = mail?.text.split("\n").find((line) => line.includes("/accept-invitation?token="));
    expect(link).toBeDefined();
    const context = await browser.newContext({ viewport: { width: 1024, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(link as string);
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Join" }).click();
    await page.locator(".field-error").first().waitFor();
    await page.getByLabel("Your name").fill("Nia Newcomer");
    await page.getByLabel("Password").fill("a brand new long password");
    await screenshot(page, "accept-invitation");
    await page.getByRole("button", { name: "Join" }).click();
    await page.waitForURL(/\/conversations/);
    await page.locator(".agent-name", { hasText: "Nia Newcomer" }).waitFor();
    // The link is single-use.
    await page.goto(link as string);
    await page.waitForURL(/\/accept-invitation/);
    await page.getByLabel("Your name").fill("Someone Else");
    await page.getByLabel("Password").fill("another long password");
    await page.getByRole("button", { name: "Join" }).click();
    await page.getByRole("alert").waitFor();
    await context.close();
  });

  it("an agent who forgot their password resets it from the mailed link and signs in with the new one", async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${app.server.url}/sign-in`);
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    // The page loads lazily: until it is in, "Email" is still the sign-in form's field.
    await page.waitForURL(/\/forgot-password/);
    await page.getByRole("button", { name: "Email me a reset link" }).waitFor();
    await page.getByLabel("Email").fill(app.colleague.email);
    await page.getByRole("button", { name: "Email me a reset link" }).click();
    await page
      .getByRole("status")
      .getByText(/reset link is on its way/)
      .waitFor({ timeout: 30_000 });
    const mail = app.server.ctx.notify.sent.find(
      (m) => m.to === app.colleague.email && m.kind === "password_reset",
    );
    const link = mail?.text.split("\n").find((line) => line.includes("/reset-password?token="));
    expect(link).toBeDefined();
    await page.goto(link as string);
    await page.getByLabel(/New password/).fill("the new password for Sam");
    await page.getByRole("button", { name: "Set the new password" }).click();
    await page.getByRole("link", { name: "Sign in" }).click();
    await signIn(page, app, app.colleague.email, "/sign-in", "the new password for Sam");
    await page.waitForURL(/\/conversations/);
    await context.close();
  });
  it("an admin sets business hours, creates an API token and a webhook, and sees what the server refused", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await signIn(page, app, adminEmail, "/settings/workspace");
    await page.getByRole("heading", { name: "Business hours" }).waitFor();
    await page.getByLabel("monday opens").fill("18:00");
    await page.getByLabel("monday closes").fill("09:00");
    await page.getByRole("button", { name: "Save business hours" }).click();
    await page.getByText(/a range must open before it closes/).waitFor();
    await page.getByLabel("monday opens").fill("08:00");
    await page.getByRole("checkbox", { name: "Sunday" }).uncheck();
    await page.getByRole("button", { name: "Save business hours" }).click();
    await page.locator(".form-saved", { hasText: "Saved" }).last().waitFor();
    const stored = (await app.api.get("/api/v1/workspace")).body.settings.business_hours;
    expect(stored.monday).toEqual([{ open: "08:00", close: "09:00" }]);
    expect(stored.sunday).toEqual([]);

    const nav = page.getByRole("navigation", { name: "Settings" });
    await nav.getByRole("link", { name: "API tokens" }).click();
    await page.getByRole("heading", { name: "API tokens", level: 1 }).waitFor();
    await page.getByLabel("Name", { exact: true }).fill("Zapier");
    await page.getByRole("button", { name: "Create token" }).click();
    const secret = await page.locator(".secret code").textContent();
    const viaToken = await fetch(`${app.server.url}/api/v1/me`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(viaToken.status).toBe(200);
    await page.getByRole("list", { name: "API tokens" }).getByText("Zapier").waitFor();

    await nav.getByRole("link", { name: "Webhooks" }).click();
    await page.getByRole("heading", { name: "Webhooks", level: 1 }).waitFor();
    await page.getByLabel("URL").fill("http://127.0.0.1/hook");
    await page.getByRole("button", { name: "Add webhook" }).click();
    await page.locator(".field-error, .form-error").first().waitFor();
    await page.getByLabel("URL").fill("https://hooks.example.com/keepwell");
    await page.getByRole("button", { name: "Add webhook" }).click();
    await page
      .getByRole("list", { name: "Webhooks" })
      .getByText("https://hooks.example.com/keepwell")
      .waitFor();
    await screenshot(page, "settings-webhooks");
    await context.close();
  });
  it("an admin sees an event a listener set aside and runs it again", async () => {
    // An event the customer health listener gave up on (written directly: nothing fails on purpose here).
    const eventId = randomUUID();
    await app.server.ctx.db
      .insertInto("event_parked")
      .values({
        workspace_id: app.workspace.workspaceId,
        consumer: "health",
        event_id: eventId,
        seq: 1,
        type: "usage.recorded",
        data: JSON.stringify({ company_id: randomUUID(), name: "export" }),
        occurred_at: new Date(),
        attempts: 7,
        error: "Error: the database went away",
      })
      .execute();
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const errors = watchErrors(page);
    await signIn(page, app, adminEmail, "/settings/profile");
    await page
      .getByRole("navigation", { name: "Settings" })
      .getByRole("link", { name: "Event delivery" })
      .click();
    const parked = page.getByRole("list", { name: "Events set aside" });
    await parked.getByText("usage.recorded → health").waitFor();
    await parked.getByText(/7 attempts · Error: the database went away/).waitFor();
    await page
      .getByRole("table", { name: "Listeners" })
      .getByRole("rowheader", { name: "metrics" })
      .waitFor();
    await screenshot(page, "settings-events");
    // The retry runs in the background; once the listener took it, the list says so.
    await parked.getByRole("button", { name: "Retry" }).click();
    await page.getByText("None: every event reached every listener.").waitFor({ timeout: 20_000 });
    // The 401 of the session check before signing in is the only failed load expected.
    expect(errors.filter((e) => !e.includes("Failed to load resource"))).toEqual([]);
    await context.close();
  });

  it("switches to another workspace from the header, with that workspace's role", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await signIn(page, app, adminEmail, "/settings/team");
    await page
      .getByRole("navigation", { name: "Settings" })
      .getByRole("link", { name: "Team & invitations" })
      .waitFor();
    await page.getByRole("combobox", { name: "Workspace", exact: true }).selectOption({ label: "Otherco" });
    await page.waitForURL(/\/conversations/);
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Profile" }).waitFor();
    // An agent there: the workspace screens are not offered.
    expect(
      await page
        .getByRole("navigation", { name: "Settings" })
        .getByRole("link", { name: "Team & invitations" })
        .count(),
    ).toBe(0);
    await context.close();
  });
});
