import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { sql } from "kysely";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds, startTestServer, type TestServer } from "../../../test/harness.ts";
import { verifyReplyToken } from "../reply-token.ts";
import { rememberMessageId } from "../threading.ts";
import { deliverMessage, sendRetry } from "./delivery.ts";
import { type SmtpSink, startSmtpSink } from "./test-sink.ts";
import {
  customerWrites,
  deliveredMessage,
  eventually,
  type MailWorkspace,
  mailWorkspace,
  upload,
} from "./test-fixture.ts";

// Two retries without delay keep the failure paths fast; production backs off over hours.
sendRetry.limit = 2;
sendRetry.delaySeconds = 0;

const SMTP_LOGIN = { user: "keepwell", pass: "correct-horse-smtp-9f3k" };

describe.each(databaseKinds)("sending email replies on %s", (kind) => {
  let server: TestServer;
  let sink: SmtpSink;
  let acme: MailWorkspace;

  beforeAll(async () => {
    sink = await startSmtpSink(SMTP_LOGIN);
    sink.answer = (recipient, attempt) => {
      if (recipient.startsWith("reject")) return { code: 550, message: "5.1.1 <reject> mailbox unavailable" };
      if (recipient.startsWith("flaky") && attempt === 1)
        return { code: 451, message: "4.3.0 try again later" };
      if (recipient.startsWith("busy")) return { code: 451, message: "4.7.1 greylisted, come back later" };
      return "accept";
    };
    server = await startTestServer(kind);
    acme = await mailWorkspace(server, "Acme", { signature: "Dana, Acme Support" });
    const saved = await acme.as.owner.put(`/api/v1/inboxes/${acme.inboxId}/smtp`, {
      host: "127.0.0.1",
      port: sink.port,
      security: "none",
      username: SMTP_LOGIN.user,
      password: SMTP_LOGIN.pass,
      from_name: "Acme Support",
    });
    expect(saved.status).toBe(200);
  });
  afterAll(async () => {
    await server?.destroy();
    await sink?.close();
  });

  async function reply(conversationId: string, body: Record<string, unknown>) {
    const posted = await acme.as.agent.post(`/api/v1/conversations/${conversationId}/messages`, {
      kind: "outgoing",
      ...body,
    });
    expect(posted.status).toBe(201);
    expect(posted.body.delivery_state).toBe("queued");
    return posted.body as { id: string };
  }

  it("delivers the agent's reply over SMTP so the customer's client threads it", async () => {
    const { conversationId, messageId } = await customerWrites(acme, { email: "casey@example.test" });
    // What the inbound side records when it receives the customer's mail.
    await rememberMessageId(server.ctx.db, {
      workspaceId: acme.workspaceId,
      messageIdHeader: "first-mail.123@mail.example.test",
      conversationId,
      messageId,
      direction: "incoming",
    });
    const file = await upload(
      server,
      acme.tokens.agent,
      "steps.txt",
      "1. unplug\n2. extinguish\n",
      "text/plain",
    );
    const sent = await reply(conversationId, {
      body_text: "We are on it.\nUnplug the printer first.",
      body_html: '<p>We are on it.</p><p onclick="steal()">Unplug the printer first.</p><script>x()</script>',
      attachment_ids: [file.id],
    });

    const shown = await deliveredMessage(acme, conversationId, sent.id);
    expect(shown.delivery_state).toBe("sent");
    expect(shown.delivery_error).toBeNull();
    expect(shown.metadata.email.response).toMatch(/^250 /);

    const mail = sink.received.find((m) => m.recipients.includes("casey@example.test"))!;
    expect(mail.user).toBe(SMTP_LOGIN.user);
    const parsed = mail.parsed;
    expect(parsed.messageId).toBe(shown.metadata.email.message_id);
    expect(parsed.messageId).toMatch(
      new RegExp(`^<[a-z2-7]{64}\\.[a-z2-7]+@${acme.address.split("@")[1]}>$`),
    );
    expect(parsed.inReplyTo).toBe("<first-mail.123@mail.example.test>");
    expect([parsed.references].flat()).toEqual(["<first-mail.123@mail.example.test>"]);
    expect(parsed.subject).toBe("Re: The printer is on fire");
    expect(parsed.from?.value[0]).toEqual({ name: "Acme agent (Acme Support)", address: acme.address });
    expect(parsed.to && !Array.isArray(parsed.to) && parsed.to.value[0].address).toBe("casey@example.test");
    const replyTo = parsed.replyTo!.value[0].address!;
    const [local, domain] = acme.address.split("@");
    expect(replyTo).toMatch(new RegExp(`^${local}\\+[a-z2-7]{64}@${domain}$`));
    expect(verifyReplyToken(server.ctx.config.secret, replyTo.split("+")[1].split("@")[0])).toEqual({
      workspaceId: acme.workspaceId,
      conversationId,
    });
    // multipart/mixed around multipart/alternative (text + HTML) and the attachment.
    const raw = mail.raw.toString("utf8");
    expect(raw).toMatch(/^Content-Type: multipart\/mixed/m);
    expect(raw).toMatch(/Content-Type: multipart\/alternative/);
    expect(parsed.text).toContain("Unplug the printer first.\n\n-- \nDana, Acme Support");
    expect(parsed.html).toContain("<p>Unplug the printer first.</p>");
    expect(parsed.html).toContain("Dana, Acme Support");
    expect(parsed.html).not.toMatch(/script|onclick/);
    expect(parsed.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([
      ["steps.txt", "1. unplug\n2. extinguish\n"],
    ]);
  });

  it("references every earlier mail of the thread, its own sent replies included", async () => {
    const { conversationId, messageId } = await customerWrites(acme, { email: "casey2@example.test" });
    await rememberMessageId(server.ctx.db, {
      workspaceId: acme.workspaceId,
      messageIdHeader: "root@mail.example.test",
      conversationId,
      messageId,
      direction: "incoming",
    });
    const first = await reply(conversationId, { body_text: "First answer." });
    const firstShown = await deliveredMessage(acme, conversationId, first.id);
    const second = await reply(conversationId, { body_text: "One more thing." });
    await deliveredMessage(acme, conversationId, second.id);
    const mails = sink.received.filter((m) => m.recipients.includes("casey2@example.test"));
    expect(mails).toHaveLength(2);
    expect(mails[1].parsed.inReplyTo).toBe(firstShown.metadata.email.message_id);
    expect([mails[1].parsed.references].flat()).toEqual([
      "<root@mail.example.test>",
      firstShown.metadata.email.message_id,
    ]);
  });

  it("marks the reply failed with the server's reason when the server refuses it for good", async () => {
    const { conversationId } = await customerWrites(acme, { email: "reject@example.test" });
    const sent = await reply(conversationId, { body_text: "Hello?" });
    const shown = await deliveredMessage(acme, conversationId, sent.id);
    expect(shown.delivery_state).toBe("failed");
    expect(shown.delivery_error).toMatch(/550 5\.1\.1 <reject> mailbox unavailable/);
    expect(sink.attempts.get("reject@example.test")).toBe(1);
    expect(sink.received.some((m) => m.recipients.includes("reject@example.test"))).toBe(false);
  });

  it("retries after a temporary refusal and then sends exactly once", async () => {
    const { conversationId } = await customerWrites(acme, { email: "flaky@example.test" });
    const sent = await reply(conversationId, { body_text: "Second time lucky." });
    const shown = await deliveredMessage(acme, conversationId, sent.id);
    expect(shown.delivery_state).toBe("sent");
    expect(shown.delivery_error).toBeNull();
    expect(sink.attempts.get("flaky@example.test")).toBe(2);
    expect(sink.received.filter((m) => m.recipients.includes("flaky@example.test"))).toHaveLength(1);
  });

  it("gives up with the last temporary reason once the retries are spent", async () => {
    const { conversationId } = await customerWrites(acme, { email: "busy@example.test" });
    const sent = await reply(conversationId, { body_text: "Anyone there?" });
    const shown = await deliveredMessage(acme, conversationId, sent.id);
    expect(shown.delivery_state).toBe("failed");
    expect(shown.delivery_error).toMatch(/451 4\.7\.1 greylisted/);
    expect(sink.attempts.get("busy@example.test")).toBe(sendRetry.limit + 1);
  });

  it("never sends a message twice, even when its job runs again after the send", async () => {
    const { conversationId } = await customerWrites(acme, { email: "once@example.test" });
    const sent = await reply(conversationId, { body_text: "Only once." });
    await deliveredMessage(acme, conversationId, sent.id);
    // As if the process stopped after the server accepted the mail but before the message was marked.
    await sql`update messages set delivery_state = 'queued' where id = ${sent.id}`.execute(server.ctx.db);
    const job = { workspace_id: acme.workspaceId, message_id: sent.id };
    await deliverMessage(server.ctx, job, { retryCount: 0 });
    await deliverMessage(server.ctx, job, { retryCount: 1 });
    expect(sink.received.filter((m) => m.recipients.includes("once@example.test"))).toHaveLength(1);
    const shown = await deliveredMessage(acme, conversationId, sent.id);
    expect(shown.delivery_state).toBe("sent");
    expect(shown.metadata.email.response).toMatch(/^250 /);
  });

  it("fails a reply whose sender died mid-send instead of risking a duplicate", async () => {
    const { conversationId } = await customerWrites(acme, { email: "crash@example.test" });
    // A reply claimed long ago by a sender that never came back (written directly: no job runs for it).
    const row = await sql<{ id: string }>`
      insert into messages (workspace_id, conversation_id, kind, author_agent_id, body_text, sent_by_human, delivery_state)
      values (${acme.workspaceId}, ${conversationId}, 'outgoing', ${acme.agents.agent}, 'Lost in flight', true, 'queued')
      returning id`.execute(server.ctx.db);
    const id = row.rows[0].id;
    await sql`insert into email_deliveries (workspace_id, message_id, state, rfc_message_id, attempts, claimed_at)
      values (${acme.workspaceId}, ${id}, 'sending', '<x@y>', 1, now() - interval '1 hour')`.execute(
      server.ctx.db,
    );
    await deliverMessage(server.ctx, { workspace_id: acme.workspaceId, message_id: id }, { retryCount: 1 });
    const shown = await deliveredMessage(acme, conversationId, id);
    expect(shown.delivery_state).toBe("failed");
    expect(shown.delivery_error).toMatch(/may or may not have reached the customer/);
    expect(sink.attempts.has("crash@example.test")).toBe(false);
  });

  it("sends a test mail through the stored settings and reports the server's answer", async () => {
    const result = await acme.as.admin.post(`/api/v1/inboxes/${acme.inboxId}/smtp/test`, {
      to: "it@example.test",
    });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ sent: true, mode: "smtp", error: null });
    expect(result.body.response).toMatch(/^250 /);
    await eventually(async () => sink.received.find((m) => m.recipients.includes("it@example.test")));
  });

  it("reports a refused login from the test mail without failing the request", async () => {
    const other = await mailWorkspace(server, "Wrongpass");
    await other.as.owner.put(`/api/v1/inboxes/${other.inboxId}/smtp`, {
      host: "127.0.0.1",
      port: sink.port,
      security: "none",
      username: SMTP_LOGIN.user,
      password: "not-the-password",
    });
    const result = await other.as.owner.post(`/api/v1/inboxes/${other.inboxId}/smtp/test`, {
      to: "x@example.test",
    });
    expect(result.status).toBe(200);
    expect(result.body.sent).toBe(false);
    expect(result.body.error).toMatch(/535/);
  });

  it("writes the reply as a parsable .eml file under outbox/ when the inbox has no server, and marks it sent", async () => {
    const devco = await mailWorkspace(server, "Devco");
    const settings = await devco.as.owner.get(`/api/v1/inboxes/${devco.inboxId}/smtp`);
    expect(settings.body).toMatchObject({ mode: "outbox", host: null, password_set: false });
    const { conversationId } = await customerWrites(devco, {
      email: "dev@example.test",
      subject: "Local test",
    });
    const posted = await devco.as.agent.post(`/api/v1/conversations/${conversationId}/messages`, {
      kind: "outgoing",
      body_text: "Written to disk.",
    });
    const shown = await deliveredMessage(devco, conversationId, posted.body.id);
    expect(shown.delivery_state).toBe("sent");
    expect(shown.metadata.email.response).toMatch(/^written to outbox\/.+\.eml$/);
    const outbox = path.join(server.ctx.config.dataDir, "outbox");
    const file = path.join(outbox, shown.metadata.email.response.replace("written to outbox/", ""));
    expect((await readdir(outbox)).length).toBeGreaterThan(0);
    const parsed = await simpleParser(await readFile(file));
    expect(parsed.messageId).toBe(shown.metadata.email.message_id);
    expect(parsed.subject).toBe("Local test");
    expect(parsed.text).toContain("Written to disk.");
  });
});
