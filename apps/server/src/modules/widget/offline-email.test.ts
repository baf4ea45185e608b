import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../../test/harness.ts";
import {
  eventually,
  type MailServer,
  mailWorkspace,
  type MailWorkspace,
  sendRaw,
  startMailServer,
} from "../email/test-support.ts";
import { type SmtpSink, startSmtpSink } from "../email/outbound/test-sink.ts";
import { verifyReplyToken } from "../email/reply-token.ts";
import { emailUnreadReply, offlineEmail } from "./offline-email.ts";
import { VisitorSocket, visitorSession } from "./test-support.ts";

// The visitor is gone as soon as the test closes the socket: mail the reply without waiting.
offlineEmail.graceSeconds = 0;

const SMTP_LOGIN = { user: "keepwell", pass: "chat-offline-smtp-4k2p" };

describe.each(databaseKinds)("a chat continued by email on %s", (kind) => {
  let server: MailServer;
  let sink: SmtpSink;
  let acme: MailWorkspace;
  let chatInboxId: string;
  let key: string;

  beforeAll(async () => {
    sink = await startSmtpSink(SMTP_LOGIN);
    server = await startMailServer(kind);
    acme = await mailWorkspace(server, "Acme");
    const smtp = await acme.as.owner.put(`/api/v1/inboxes/${acme.inboxId}/smtp`, {
      host: "127.0.0.1",
      port: sink.port,
      security: "none",
      username: SMTP_LOGIN.user,
      password: SMTP_LOGIN.pass,
      from_name: "Acme Support",
    });
    expect(smtp.status).toBe(200);
    const chat = await acme.as.owner.post("/api/v1/inboxes", { name: "Website chat", channel: "chat" });
    chatInboxId = chat.body.id;
    key = (await acme.as.viewer.get(`/api/v1/inboxes/${chatInboxId}/widget`)).body.public_key;
  });
  afterAll(async () => {
    await server?.destroy();
    await sink?.close();
  });

  /** A visitor who writes, leaves an email address and closes the widget. */
  async function visitorLeaves(email: string, text: string) {
    const session = await visitorSession(server, key, {});
    const socket = await VisitorSocket.open(server.url, key, { token: session.body.token });
    socket.send({ type: "email", email });
    await socket.next("email_saved");
    socket.send({ type: "message", body: text, client_id: "c1" });
    await socket.next("ack");
    socket.close();
    await socket.closed;
    return session.body.token as string;
  }

  it("mails the agent's reply to the visitor who left, and threads their email answer into the chat", async () => {
    const token = await visitorLeaves("wanda@visitor.test", "Is the API rate limited?");
    const incoming = await acme.as.agent.get(`/api/v1/conversations?inbox_id=${chatInboxId}&limit=10`);
    const conversation = incoming.body.data.find((c: { preview: string }) =>
      c.preview.includes("rate limited"),
    );
    expect(conversation).toBeTruthy();

    const reply = await acme.as.agent.post(`/api/v1/conversations/${conversation.id}/messages`, {
      kind: "outgoing",
      body_text: "Yes: 600 requests a minute per token.",
    });
    expect(reply.status).toBe(201);

    const mail = await eventually(async () =>
      sink.received.find((m) => m.recipients.includes("wanda@visitor.test")),
    );
    expect(mail.parsed.text).toContain("600 requests a minute");
    expect(mail.parsed.from?.value[0].address).toBe(acme.address);
    const replyTo = mail.parsed.replyTo?.value[0].address ?? "";
    const tag = replyTo.split("@")[0].split("+")[1];
    expect(verifyReplyToken(server.ctx.config.secret, tag)).toEqual({
      workspaceId: acme.workspaceId,
      conversationId: conversation.id,
    });
    const sentId = String(mail.parsed.messageId);

    // The agent sees where the reply went.
    const emailed = await eventually(async () => {
      const page = await acme.as.agent.get(`/api/v1/conversations/${conversation.id}/messages?limit=50`);
      const m = page.body.data.find((x: { id: string }) => x.id === reply.body.id);
      return m?.delivery_state === "sent" ? m : undefined;
    });
    expect(emailed.metadata.emailed_to).toBe("wanda@visitor.test");

    // The visitor answers from their mail client, to the Reply-To address, over real SMTP.
    const raw = [
      "From: Wanda <wanda@visitor.test>",
      `To: ${replyTo}`,
      "Subject: Re: Website chat",
      `Message-ID: <answer-${Date.now()}@visitor.test>`,
      `In-Reply-To: ${sentId}`,
      `References: ${sentId}`,
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "",
      "Thanks! And per workspace?",
      "",
      "> Yes: 600 requests a minute per token.",
      "",
    ].join("\r\n");
    const sent = await sendRaw(server.smtpPort, { from: "wanda@visitor.test", to: [replyTo] }, raw);
    expect(sent.ok).toBe(true);

    const threaded = await eventually(async () => {
      const page = await acme.as.agent.get(`/api/v1/conversations/${conversation.id}/messages?limit=50`);
      return page.body.data.find(
        (m: { kind: string; body_text: string }) =>
          m.kind === "incoming" && m.body_text.includes("per workspace"),
      );
    });
    expect(threaded.conversation_id).toBe(conversation.id);
    // No second conversation was opened for the email.
    const emailInbox = await acme.as.agent.get(`/api/v1/conversations?inbox_id=${acme.inboxId}&limit=10`);
    expect(emailInbox.body.data).toHaveLength(0);

    // Back on the site, the visitor's history holds the answer without the quoted text.
    const socket = await VisitorSocket.open(server.url, key, { token });
    const ready = socket.frames.find((f) => f.type === "ready")!;
    const bodies = ready.messages.map((m: { body: string }) => m.body);
    expect(bodies).toContain("Thanks! And per workspace?");
    socket.close();
  });

  it("writes to a visitor in the language the widget spoke to them", async () => {
    const session = await visitorSession(server, key, {});
    const socket = await VisitorSocket.open(server.url, key, { token: session.body.token });
    // The widget tells the language it shows (Bengali here) with the page it is on.
    socket.send({ type: "context", language: "en-US", widget_language: "bn", time_zone: "Asia/Dhaka" });
    socket.send({ type: "email", email: "bina@visitor.test" });
    await socket.next("email_saved");
    socket.send({ type: "message", body: "আমার অর্ডার কোথায়?", client_id: "b1" });
    await socket.next("ack");
    socket.close();
    await socket.closed;
    const list = await acme.as.agent.get(`/api/v1/conversations?inbox_id=${chatInboxId}&limit=10`);
    const conversation = list.body.data.find((c: { preview: string }) => c.preview.includes("অর্ডার"));
    const reply = await acme.as.agent.post(`/api/v1/conversations/${conversation.id}/messages`, {
      kind: "outgoing",
      body_text: "Your order ships tomorrow.",
    });
    expect(reply.status).toBe(201);

    const mail = await eventually(async () =>
      sink.received.find((m) => m.recipients.includes("bina@visitor.test")),
    );
    expect(mail.parsed.subject).toBe(`Website chat #${conversation.number}: আপনার চ্যাটের উত্তর`);
    const text = mail.parsed.text ?? "";
    expect(text).toMatch(/^\S+ আপনার চ্যাটের উত্তর দিয়েছেন:/);
    expect(text).toContain("Your order ships tomorrow.");
    expect(text).toContain("কথোপকথন চালিয়ে যেতে এই ইমেলের উত্তর দিন");
    expect(text).not.toMatch(/replied to your chat|Reply to this email/);
    expect(String(mail.parsed.html)).toContain("আপনার চ্যাটের উত্তর দিয়েছেন");

    // Without a language from the widget, the mail is in English.
    const english = sink.received.find((m) => m.recipients.includes("wanda@visitor.test"));
    expect(english?.parsed.subject).toMatch(/^(Re: )?Website chat #\d+: a reply to your chat$/);
    expect(english?.parsed.text).toContain("Reply to this email to continue the conversation");
  });

  it("does not mail a reply the visitor has read in the widget", async () => {
    const session = await visitorSession(server, key, {});
    const socket = await VisitorSocket.open(server.url, key, { token: session.body.token });
    socket.send({ type: "email", email: "reader@visitor.test" });
    await socket.next("email_saved");
    socket.send({ type: "message", body: "Still here", client_id: "r1" });
    await socket.next("ack");
    const list = await acme.as.agent.get(`/api/v1/conversations?inbox_id=${chatInboxId}&limit=10`);
    const conversation = list.body.data.find((c: { preview: string }) => c.preview === "Still here");
    // The visitor has the whole grace period to read it.
    offlineEmail.graceSeconds = 3600;
    const reply = await acme.as.agent.post(`/api/v1/conversations/${conversation.id}/messages`, {
      kind: "outgoing",
      body_text: "Great, here is the answer.",
    });
    await socket.next("message", (f) => f.message.id === reply.body.id);
    socket.send({ type: "read" });
    await eventually(async () => {
      const v = await acme.as.agent.get(`/api/v1/conversations/${conversation.id}/visitor`);
      return v.body.read_at !== null;
    });
    await emailUnreadReply(
      server.ctx,
      { workspace_id: acme.workspaceId, message_id: reply.body.id },
      { retryCount: 0 },
    );
    expect(sink.received.some((m) => m.recipients.includes("reader@visitor.test"))).toBe(false);
    offlineEmail.graceSeconds = 0;
    socket.close();
  });

  it("mails a chat reply once, however often its job runs again", async () => {
    await visitorLeaves("once@visitor.test", "Do you have an EU region?");
    const list = await acme.as.agent.get(`/api/v1/conversations?inbox_id=${chatInboxId}&limit=10`);
    const conversation = list.body.data.find((c: { preview: string }) => c.preview.includes("EU region"));
    const reply = await acme.as.agent.post(`/api/v1/conversations/${conversation.id}/messages`, {
      kind: "outgoing",
      body_text: "Yes, in Frankfurt.",
    });
    const mailed = () => sink.received.filter((m) => m.recipients.includes("once@visitor.test"));
    await eventually(async () => mailed().length === 1);
    // A retried or duplicated job finds the send already settled and only restates it on the message.
    for (let run = 0; run < 2; run++) {
      await emailUnreadReply(
        server.ctx,
        { workspace_id: acme.workspaceId, message_id: reply.body.id },
        { retryCount: run + 1 },
      );
    }
    expect(mailed()).toHaveLength(1);
    const page = await acme.as.agent.get(`/api/v1/conversations/${conversation.id}/messages?limit=50`);
    const message = page.body.data.find((m: { id: string }) => m.id === reply.body.id);
    expect(message.delivery_state).toBe("sent");
    expect(message.metadata.emailed_to).toBe("once@visitor.test");
    expect(message.metadata.email.message_id).toBe(String(mailed()[0].parsed.messageId));
  });
});
