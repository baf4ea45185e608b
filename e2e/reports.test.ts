import { readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SurveyRating } from "../apps/server/src/db/schema.ts";
import { recordComment, recordRating } from "../apps/server/src/modules/surveys/responses.ts";
import { issueNonce, signSurveyLink, verifySurveyLink } from "../apps/server/src/modules/surveys/tokens.ts";
import { hasChromium, launchBrowser, screenshot, watchErrors } from "./browser.ts";
import { type AppFixture, PASSWORD, startApp } from "./fixtures.ts";

/** A customer's answer to a survey, recorded the way the survey page records it. */
async function rate(app: AppFixture, conversationId: string, rating: SurveyRating, comment: string) {
  const db = app.server.ctx.db;
  const c = await db
    .selectFrom("conversations")
    .selectAll()
    .where("id", "=", conversationId)
    .executeTakeFirstOrThrow();
  const survey = await db
    .insertInto("surveys")
    .values({
      workspace_id: c.workspace_id,
      conversation_id: c.id,
      contact_id: c.contact_id,
      inbox_id: c.inbox_id,
      channel: c.channel,
      agent_id: app.agent.id,
      resolved_at: new Date(),
      state: "sent",
      scheduled_for: new Date(),
      sent_at: new Date(),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const secret = app.server.ctx.config.secret;
  const token = signSurveyLink(secret, {
    workspaceId: c.workspace_id,
    conversationId,
    surveyId: survey.id,
    choice: rating,
    expiresAt: new Date(Date.now() + 60_000),
  });
  const check = verifySurveyLink(secret, token, new Date());
  if (!check.ok) throw new Error("bad survey link");
  const { commentNonce } = await recordRating(
    app.server.ctx,
    check.link,
    check.payload,
    issueNonce(secret, "rate", check.payload, new Date()),
  );
  await recordComment(app.server.ctx, check.link, commentNonce, comment);
}

describe.skipIf(!hasChromium)("reports in Chromium", () => {
  let app: AppFixture;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp("Reportco"), launchBrowser()]);
    const fast = await app.seed({
      name: "Pia",
      email: "pia@example.test",
      subject: "Quick one",
      body: "Hi",
      minutesAgo: 30,
    });
    const slow = await app.seed({
      name: "Quin",
      email: "quin@example.test",
      subject: "Slow one",
      body: "Hi",
      minutesAgo: 50,
    });
    for (const id of [fast, slow]) {
      await app.api.patch(`/api/v1/conversations/${id}`, { assignee_id: app.agent.id });
      await app.api.post(`/api/v1/conversations/${id}/messages`, { kind: "outgoing", body_text: "Answered" });
      await app.api.patch(`/api/v1/conversations/${id}`, { status: "resolved" });
    }
    await rate(app, fast, "great", "Lovely and quick");
    await rate(app, slow, "bad", "Took far too long to hear back");
    // Metrics and rollups follow the events; wait until the report sees both answers.
    for (let i = 0; i < 50; i++) {
      const asa = await app.api.get("/api/v1/reports/asa");
      if (asa.body.total?.count === 2) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const context = await browser.newContext({
      viewport: { width: 1440, height: 1000 },
      acceptDownloads: true,
    });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.destroy();
  });

  it("shows ASA, CSAT, first response and the comments, filters them, and downloads a table as CSV", async () => {
    const errors = watchErrors(page);
    await page.goto(`${app.server.url}/conversations`);
    await page.getByLabel("Email").fill(app.agent.email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("link", { name: "Reports" }).click();
    await page.getByRole("heading", { name: "Reports", level: 1 }).waitFor();
    const headlines = page.getByRole("region", { name: "Headline figures" });
    await headlines.getByText("2 answered").waitFor();
    expect(await headlines.textContent()).toContain("50%");
    expect(await headlines.textContent()).toContain("2 responses");
    await page.locator(".report-chart canvas").first().waitFor();
    const live = page.getByRole("region", { name: "Right now" });
    await live.getByText(/agents online/).waitFor();
    expect(await live.textContent()).toMatch(/0\s*waiting/);
    await page.getByRole("table", { name: "Conversations by hour of the week" }).waitFor();

    const comments = page.getByRole("list", { name: "Comments" });
    await comments.getByText("Took far too long to hear back").waitFor();
    await comments.getByText("Lovely and quick").waitFor();
    await page.getByLabel("Bad ratings only").check();
    await comments.getByText("Lovely and quick").waitFor({ state: "detached" });
    await comments.getByText("Took far too long to hear back").waitFor();
    await screenshot(page, "reports");

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download ASA as CSV" }).click(),
    ]);
    const csv = readFileSync((await download.path()) as string, "utf8");
    expect(csv.split(/\r?\n/)[0]).toBe("key,label,count,mean_ms,median_ms,p90_ms");
    expect(csv).toContain("total");

    // A reversed range is refused by the server, which names the field.
    const from = page.getByLabel("From", { exact: true });
    await page.getByLabel("To", { exact: true }).fill("2026-01-01");
    await from.fill("2026-02-01");
    await page.locator(".report-filters .field-error").first().waitFor();
    expect(await from.getAttribute("aria-invalid")).toBe("true");
    expect(errors.filter((e) => !e.includes("Failed to load resource"))).toEqual([]);
  });

  it("fits a phone: nothing wider than 375 px but the tables' own scrolling", async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${app.server.url}/reports`);
    await page.getByRole("region", { name: "Headline figures" }).getByText("2 answered").waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, "reports-phone");
  });
});
