import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds, type TestServer } from "../../test/harness.ts";
import type { MailWorkspace } from "../email/outbound/test-fixture.ts";
import { type SmtpSink, startSmtpSink } from "../email/outbound/test-sink.ts";
import { sendSurvey } from "./delivery.ts";
import {
  answer,
  eventually,
  linksOf,
  postForm,
  resolvedConversation,
  SINK_LOGIN,
  surveyMailTo,
  surveyServer,
  surveyWorkspace,
} from "./test-support.ts";

describe.each(databaseKinds)("CSAT surveys on %s", (kind) => {
  let server: TestServer;
  let sink: SmtpSink;
  let acme: MailWorkspace;
  let globex: MailWorkspace;

  beforeAll(async () => {
    sink = await startSmtpSink(SINK_LOGIN);
    server = await surveyServer(kind);
    acme = await surveyWorkspace(server, sink, "Acme");
    globex = await surveyWorkspace(server, sink, "Globex");
  });
  afterAll(async () => {
    await server?.destroy();
    await sink?.close();
  });

  const surveysOf = (conversationId: string) =>
    server.ctx.db.selectFrom("surveys").selectAll().where("conversation_id", "=", conversationId).execute();
  const settledSurvey = (conversationId: string) =>
    eventually(async () =>
      (await surveysOf(conversationId)).find((s) => s.state !== "scheduled" && s.state !== "sending"),
    );

  describe("settings", () => {
    it("starts switched off and lets an admin switch it on with a delay, wording and frequency", async () => {
      const fresh = (await acme.as.owner.post("/api/v1/inboxes", { name: "Other", channel: "api" })).body.id;
      const before = await acme.as.admin.get(`/api/v1/inboxes/${fresh}/survey-settings`);
      expect(before.body).toEqual({
        inbox_id: fresh,
        enabled: false,
        delay_minutes: 60,
        question: null,
        min_days_between: 30,
        updated_at: null,
      });
      const saved = await acme.as.admin.put(`/api/v1/inboxes/${fresh}/survey-settings`, {
        enabled: true,
        delay_minutes: 15,
        question: "How was our help with your invoices?",
      });
      expect(saved.status).toBe(200);
      expect(saved.body).toMatchObject({
        enabled: true,
        delay_minutes: 15,
        question: "How was our help with your invoices?",
        min_days_between: 30,
      });
      const kept = await acme.as.owner.put(`/api/v1/inboxes/${fresh}/survey-settings`, { enabled: false });
      expect(kept.body).toMatchObject({
        enabled: false,
        delay_minutes: 15,
        question: "How was our help with your invoices?",
      });
    });

    it("refuses agents and viewers, another workspace's inbox, and bad values", async () => {
      const url = `/api/v1/inboxes/${acme.inboxId}/survey-settings`;
      expect((await acme.as.agent.put(url, { enabled: false })).status).toBe(403);
      expect((await acme.as.viewer.get(url)).status).toBe(403);
      expect((await globex.as.owner.get(url)).status).toBe(404);
      expect((await globex.as.owner.put(url, { enabled: false })).status).toBe(404);
      const negative = await acme.as.admin.put(url, { enabled: true, delay_minutes: -1 });
      expect(negative.status).toBe(400);
      expect(negative.body.field).toBe("delay_minutes");
      expect((await acme.as.admin.put(url, { enabled: true, sneaky: 1 })).body.field).toBe("sneaky");
    });
  });

  describe("sending", () => {
    it("emails a resolved conversation's customer one question with four one-click answers", async () => {
      const { id, email } = await resolvedConversation(acme);
      const mail = await surveyMailTo(sink, email);
      expect(mail.parsed.subject).toMatch(/^How did we do\? \(#\d+ Invoices do not export\)$/);
      expect(mail.parsed.headers.get("auto-submitted")).toBe("auto-generated");
      const links = linksOf(mail);
      const html = String(mail.parsed.html);
      for (const link of Object.values(links)) {
        expect(link).toMatch(new RegExp(`^${server.ctx.config.baseUrl}/survey/[A-Za-z0-9_-]{94}$`));
        expect(html).toContain(`href="${link}"`);
      }
      expect(html).toMatch(/<td[^>]+bgcolor="#b91c1c"[^>]*><a [^>]*style="display:inline-block/);
      expect((await settledSurvey(id)).state).toBe("sent");
    });

    it("skips conversations nobody answered, spam, and contacts surveyed recently", async () => {
      const silent = await resolvedConversation(acme, { reply: false });
      expect(await settledSurvey(silent.id)).toMatchObject({
        state: "skipped",
        skip_reason: "no_human_reply",
      });
      const spam = await resolvedConversation(acme, { tag: "Spam" });
      expect(await settledSurvey(spam.id)).toMatchObject({ state: "skipped", skip_reason: "spam" });

      await acme.as.admin.put(`/api/v1/inboxes/${acme.inboxId}/survey-settings`, {
        enabled: true,
        min_days_between: 30,
      });
      const first = await resolvedConversation(acme, { email: "often@example.com" });
      expect((await settledSurvey(first.id)).state).toBe("sent");
      const second = await resolvedConversation(acme, { email: "often@example.com" });
      expect(await settledSurvey(second.id)).toMatchObject({
        state: "skipped",
        skip_reason: "recently_surveyed",
      });
      await acme.as.admin.put(`/api/v1/inboxes/${acme.inboxId}/survey-settings`, {
        enabled: true,
        min_days_between: 0,
      });
    });

    it("checks again when the survey is due: a conversation reopened meanwhile gets none", async () => {
      await acme.as.admin.put(`/api/v1/inboxes/${acme.inboxId}/survey-settings`, {
        enabled: true,
        delay_minutes: 60,
      });
      const { id } = await resolvedConversation(acme);
      const [scheduled] = await eventually(async () => {
        const rows = await surveysOf(id);
        return rows.length > 0 ? rows : undefined;
      });
      expect(scheduled.state).toBe("scheduled");
      await acme.as.agent.post(`/api/v1/conversations/${id}/messages`, {
        kind: "incoming",
        body_text: "Still broken.",
      });
      await sendSurvey(
        server.ctx,
        { workspace_id: acme.workspaceId, survey_id: scheduled.id },
        { retryCount: 0 },
      );
      expect((await surveysOf(id))[0]).toMatchObject({ state: "skipped", skip_reason: "reopened" });
      await acme.as.admin.put(`/api/v1/inboxes/${acme.inboxId}/survey-settings`, {
        enabled: true,
        delay_minutes: 0,
      });
    });
  });

  describe("answer links", () => {
    let conversationId: string;
    let links: ReturnType<typeof linksOf>;
    const responses = () =>
      server.ctx.db
        .selectFrom("survey_responses as r")
        .innerJoin("surveys as s", "s.id", "r.survey_id")
        .select(["r.rating", "r.comment", "r.follow_up_conversation_id"])
        .where("s.conversation_id", "=", conversationId)
        .execute();

    beforeAll(async () => {
      const resolved = await resolvedConversation(acme);
      conversationId = resolved.id;
      links = linksOf(await surveyMailTo(sink, resolved.email));
    });

    it("shows the chosen answer to a plain fetch, as a mail scanner makes, and records nothing", async () => {
      for (const method of ["GET", "HEAD", "GET"]) {
        const response = await fetch(links.good, { method });
        expect(response.status).toBe(200);
        expect(response.headers.get("content-security-policy")).toMatch(
          /default-src 'none'; script-src 'sha256-/,
        );
        expect(response.headers.get("set-cookie")).toBeNull();
        expect(response.headers.get("referrer-policy")).toBe("no-referrer");
      }
      const page = await (await fetch(links.good)).text();
      expect(page).toMatch(/aria-current="true">Good</);
      expect(await responses()).toEqual([]);
    });

    it("records the answer the page posts, once; a replayed post changes nothing", async () => {
      const first = await answer(links.good);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({
        status: "recorded",
        rating: "good",
        message: "Thank you! Your answer: Good",
      });
      expect(first.body.comment_nonce).toEqual(expect.any(String));
      const replay = await postForm(links.good, { nonce: first.nonce });
      expect(replay.status).toBe(409);
      expect(replay.text).toContain("already recorded");
      expect(await responses()).toEqual([{ rating: "good", comment: null, follow_up_conversation_id: null }]);
    });

    it("changes the rating when a later link is clicked, never adding a second response", async () => {
      const later = await answer(links.okay);
      expect(later.body.rating).toBe("okay");
      expect(await responses()).toHaveLength(1);
      expect((await responses())[0].rating).toBe("okay");
      const messages = await acme.as.agent.get(`/api/v1/conversations/${conversationId}/messages?limit=100`);
      const lines = messages.body.data.filter(
        (m: { metadata: { action?: string } }) => m.metadata.action === "survey_response",
      );
      expect(lines.map((m: { body_text: string }) => m.body_text)).toEqual([
        "The customer changed their survey answer from “good” to “okay”",
      ]);
    });

    it("works without JavaScript: the Confirm button posts the form and the comment follows", async () => {
      const page = await (await fetch(links.okay)).text();
      const nonce = /name="nonce" value="([^"]+)"/.exec(page)![1];
      const recorded = await postForm(links.okay, { nonce });
      expect(recorded.status).toBe(200);
      expect(recorded.text).toContain("What could we have done better?");
      const commentNonce = /name="nonce" value="([^"]+)"/.exec(recorded.text)![1];
      const thanks = await postForm(`${links.okay}/comment`, {
        nonce: commentNonce,
        comment: "Took three days.",
      });
      expect(thanks.status).toBe(200);
      expect(thanks.text).toContain("we read every comment");
      expect((await responses())[0]).toMatchObject({ rating: "okay", comment: "Took three days." });
      expect(
        (await postForm(`${links.okay}/comment`, { nonce: commentNonce, comment: "again" })).status,
      ).toBe(409);
    });

    it("answers tampered, expired and cross-workspace links with a friendly page and no change", async () => {
      const before = await responses();
      const token = links.great.split("/survey/")[1];
      const flipped = `${links.great.split("/survey/")[0]}/survey/${token.slice(0, 40)}${token[40] === "A" ? "B" : "A"}${token.slice(41)}`;
      const tampered = await fetch(flipped);
      expect(tampered.status).toBe(404);
      expect(await tampered.text()).toContain("This link does not work");
      expect((await postForm(flipped, { nonce: "x" })).status).toBe(404);

      const { signSurveyLink } = await import("./tokens.ts");
      const [survey] = await surveysOf(conversationId);
      const sign = (over: Partial<Parameters<typeof signSurveyLink>[1]>) =>
        `${server.ctx.config.baseUrl}/survey/${signSurveyLink(server.ctx.config.secret, { workspaceId: acme.workspaceId, conversationId, surveyId: survey.id, choice: "bad", expiresAt: new Date(Date.now() + 60_000), ...over })}`;
      const expired = await fetch(sign({ expiresAt: new Date(Date.now() - 1000) }));
      expect(expired.status).toBe(410);
      expect(await expired.text()).toContain("expired");
      expect((await fetch(sign({ workspaceId: globex.workspaceId }))).status).toBe(404);
      const other = await resolvedConversation(globex);
      expect((await fetch(sign({ conversationId: other.id }))).status).toBe(404);
      expect((await postForm(links.bad, { nonce: "forged-nonce" })).status).toBe(404);
      expect(await responses()).toEqual(before);
    });

    it("speaks the customer's language, chosen by Accept-Language", async () => {
      const bengali = await (
        await fetch(links.great, { headers: { "accept-language": "bn-BD,bn;q=0.9,en;q=0.5" } })
      ).text();
      expect(bengali).toContain('<html lang="bn">');
      expect(bengali).toContain("দারুণ");
      const tamil = await (
        await fetch(links.great, { headers: { "accept-language": "fr, ta;q=0.8" } })
      ).text();
      expect(tamil).toContain('<html lang="ta">');
      const hausa = await (await fetch(links.great, { headers: { "accept-language": "ha" } })).text();
      expect(hausa).toContain("Madalla");
      const fallback = await (await fetch(links.great, { headers: { "accept-language": "de-DE" } })).text();
      expect(fallback).toContain('<html lang="en">');
    });

    it("opens a follow-up for a bad rating, assigned to the owner, with the comment, linked to the conversation", async () => {
      const bad = await answer(links.bad);
      await postForm(`${links.bad}/comment`, {
        nonce: bad.body.comment_nonce,
        comment: "Nobody told me it was fixed.",
      });
      const followUpId = await eventually(
        async () => (await responses())[0].follow_up_conversation_id ?? undefined,
      );
      const followUp = await acme.as.agent.get(`/api/v1/conversations/${followUpId}`);
      expect(followUp.body).toMatchObject({
        assignee_id: acme.ownerId,
        status: "open",
        inbox_id: acme.inboxId,
      });
      expect(followUp.body.subject).toMatch(/^Follow-up: bad rating on #\d+/);
      const messages = (await acme.as.agent.get(`/api/v1/conversations/${followUpId}/messages?limit=100`))
        .body.data;
      const text = messages.map((m: { body_text: string }) => m.body_text).join("\n");
      expect(text).toContain("Nobody told me it was fixed.");
      expect(text).toMatch(/Follow-up of #\d+/);
      const original = (await acme.as.agent.get(`/api/v1/conversations/${conversationId}/messages?limit=100`))
        .body.data;
      expect(
        original.some(
          (m: { metadata: { follow_up_conversation_id?: string } }) =>
            m.metadata.follow_up_conversation_id === followUpId,
        ),
      ).toBe(true);
      // Answering the follow-up does not ask the customer for another rating.
      await acme.as.agent.post(`/api/v1/conversations/${followUpId}/messages`, {
        kind: "outgoing",
        body_text: "So sorry.",
      });
      await acme.as.agent.patch(`/api/v1/conversations/${followUpId}`, { status: "resolved" });
      expect(await settledSurvey(followUpId)).toMatchObject({
        state: "skipped",
        skip_reason: "follow_up_of_a_rating",
      });
    });
  });
});
