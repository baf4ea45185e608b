import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, launchBrowser, watchErrors } from "../../../../../e2e/browser.ts";
import type { TestServer } from "../../test/harness.ts";
import type { MailWorkspace } from "../email/outbound/test-fixture.ts";
import { type SmtpSink, startSmtpSink } from "../email/outbound/test-sink.ts";
import {
  eventually,
  resolvedConversation,
  SINK_LOGIN,
  surveyMailTo,
  surveyServer,
  surveyWorkspace,
} from "./test-support.ts";

/*
 * The whole journey in a real browser: the survey email's own HTML, a click on "Bad", the page
 * recording it by itself, a comment, and what the team then sees. e2e/browser.ts warns loudly and
 * this suite is skipped when Debian's Chromium is missing.
 */
describe.skipIf(!hasChromium)("a customer answering a survey in Chromium", () => {
  let server: TestServer;
  let sink: SmtpSink;
  let acme: MailWorkspace;
  let browser: Browser;

  beforeAll(async () => {
    sink = await startSmtpSink(SINK_LOGIN);
    server = await surveyServer("pglite");
    acme = await surveyWorkspace(server, sink, "Acme");
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.destroy();
    await sink?.close();
  });

  it("clicks bad in the email, writes a comment, and the team sees both and a follow-up for the owner", async () => {
    const { id, email } = await resolvedConversation(acme);
    const mail = await surveyMailTo(sink, email);
    const context = await browser.newContext({ locale: "en-GB" });
    const inbox = await context.newPage();
    await inbox.setContent(String(mail.parsed.html));
    await expect(inbox.getByRole("link", { name: /Great/ }).isVisible()).resolves.toBe(true);

    const [page] = await Promise.all([
      context.waitForEvent("page"),
      inbox.getByRole("link", { name: /Bad/ }).click(),
    ]);
    const errors = watchErrors(page);
    await page.waitForLoadState();
    const status = page.getByRole("status");
    await status.filter({ hasText: "Thank you! Your answer: Bad" }).waitFor();
    expect(await page.locator('a[aria-current="true"]').textContent()).toBe("Bad");
    await page.getByLabel("What could we have done better?").fill("The fix took a week and nobody told me.");
    await page.getByRole("button", { name: "Send" }).click();
    await page.getByText("Thank you, we read every comment.").waitFor();
    expect(errors).toEqual([]);
    expect(await context.cookies()).toEqual([]);

    const lines = await eventually(async () => {
      const messages = (await acme.as.agent.get(`/api/v1/conversations/${id}/messages?limit=100`)).body
        .data as {
        body_text: string;
        metadata: Record<string, unknown>;
      }[];
      const followUp = messages.find((m) => m.metadata.action === "survey_follow_up");
      return followUp ? messages : undefined;
    });
    const text = lines.map((m) => m.body_text);
    expect(text).toContain("The customer answered the survey: “bad”");
    expect(text).toContain("Survey comment (bad): “The fix took a week and nobody told me.”");
    const followUpId = lines.find((m) => m.metadata.action === "survey_follow_up")!.metadata
      .follow_up_conversation_id;
    const followUp = await acme.as.agent.get(`/api/v1/conversations/${followUpId}`);
    expect(followUp.body).toMatchObject({ assignee_id: acme.ownerId, status: "open" });
    const followUpText = (
      await acme.as.agent.get(`/api/v1/conversations/${followUpId}/messages?limit=100`)
    ).body.data
      .map((m: { body_text: string }) => m.body_text)
      .join("\n");
    expect(followUpText).toContain("The fix took a week and nobody told me.");
    const feed = await acme.as.viewer.get("/api/v1/reports/comments?bad_only=true");
    expect(feed.body.data[0]).toMatchObject({
      conversation_id: id,
      rating: "bad",
      follow_up_conversation_id: followUpId,
    });
    await context.close();
  });
});
