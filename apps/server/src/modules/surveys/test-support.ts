import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { startTestServer, type TestServer } from "../../test/harness.ts";
import { eventually } from "../email/outbound/test-fixture.ts";
import type { ReceivedMail, SmtpSink } from "../email/outbound/test-sink.ts";
import { type MailWorkspace, mailWorkspace } from "../email/outbound/test-fixture.ts";
import { followUpDelay } from "./responses.ts";

/** A free port, so that BASE_URL (which the survey links use) is the address the server listens on. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** A server whose links point at itself; bad ratings open their follow-up at once. */
export async function surveyServer(kind: "pglite" | "postgres"): Promise<TestServer> {
  followUpDelay.seconds = 0;
  const port = await freePort();
  return startTestServer(kind, { PORT: String(port), BASE_URL: `http://127.0.0.1:${port}` });
}

export const SINK_LOGIN = { user: "keepwell", pass: "sink-password" };

/** An email workspace that sends through the test SMTP sink, with surveys switched on. */
export async function surveyWorkspace(
  server: TestServer,
  sink: SmtpSink,
  name: string,
  settings: { delay_minutes?: number; min_days_between?: number; question?: string } = {},
): Promise<MailWorkspace> {
  const ws = await mailWorkspace(server, name);
  const smtp = await ws.as.owner.put(`/api/v1/inboxes/${ws.inboxId}/smtp`, {
    host: "127.0.0.1",
    port: sink.port,
    security: "none",
    username: SINK_LOGIN.user,
    password: SINK_LOGIN.pass,
  });
  if (smtp.status !== 200) throw new Error(`smtp: ${JSON.stringify(smtp.body)}`);
  const survey = await ws.as.admin.put(`/api/v1/inboxes/${ws.inboxId}/survey-settings`, {
    enabled: true,
    delay_minutes: settings.delay_minutes ?? 0,
    min_days_between: settings.min_days_between ?? 0,
    ...(settings.question ? { question: settings.question } : {}),
  });
  if (survey.status !== 200) throw new Error(`survey settings: ${JSON.stringify(survey.body)}`);
  return ws;
}

/** A customer writes, an agent answers (unless told not to), and the conversation is resolved. */
export async function resolvedConversation(
  ws: MailWorkspace,
  options: { email?: string; reply?: boolean; tag?: string } = {},
): Promise<{ id: string; email: string }> {
  const email = options.email ?? `customer-${randomUUID().slice(0, 8)}@example.com`;
  const created = await ws.as.agent.post("/api/v1/conversations", {
    inbox_id: ws.inboxId,
    subject: "Invoices do not export",
    contact: { email, name: "Casey Customer" },
    message: { kind: "incoming", body_text: "The export button does nothing." },
  });
  if (created.status !== 201) throw new Error(`conversation: ${JSON.stringify(created.body)}`);
  const id = created.body.id as string;
  if (options.reply !== false) {
    await ws.as.agent.post(`/api/v1/conversations/${id}/messages`, {
      kind: "outgoing",
      body_text: "Fixed, try again.",
    });
  }
  if (options.tag) await ws.as.agent.post(`/api/v1/conversations/${id}/tags`, { tag: options.tag });
  const resolved = await ws.as.agent.patch(`/api/v1/conversations/${id}`, { status: "resolved" });
  if (resolved.status !== 200) throw new Error(`resolve: ${JSON.stringify(resolved.body)}`);
  return { id, email };
}

/** The survey email the sink received for an address. */
export function surveyMailTo(sink: SmtpSink, address: string): Promise<ReceivedMail> {
  return eventually(async () =>
    sink.received.find(
      (m) => m.recipients.includes(address.toLowerCase()) && /\(#\d+/.test(m.parsed.subject ?? ""),
    ),
  );
}

/** The four answer links, from the text part ("Great: https://…"). */
export function linksOf(mail: ReceivedMail): Record<"great" | "good" | "okay" | "bad", string> {
  const text = mail.parsed.text ?? "";
  const link = (label: string) => {
    const match = new RegExp(`^${label}: (\\S+)$`, "m").exec(text);
    if (!match) throw new Error(`no ${label} link in:\n${text}`);
    return match[1];
  };
  return { great: link("Great"), good: link("Good"), okay: link("Okay"), bad: link("Bad") };
}

/** What a browser does on the page: read its nonce and post it back. */
export async function answer(link: string, headers: Record<string, string> = {}) {
  const page = await fetch(link, { headers });
  const html = await page.text();
  const nonce = /name="nonce" value="([^"]+)"/.exec(html)?.[1];
  if (!nonce) throw new Error(`no nonce on the page (${page.status}):\n${html}`);
  const post = await fetch(link, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", ...headers },
    body: new URLSearchParams({ nonce }).toString(),
  });
  return { page: html, nonce, status: post.status, body: await post.json() };
}

export async function postForm(url: string, fields: Record<string, string>, accept = "text/html") {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

export { eventually };
