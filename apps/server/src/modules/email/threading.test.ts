import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../../test/harness.ts";
import { dedupeKeyOf, sha256Hex } from "./header-scan.ts";
import { processInbound } from "./ingest.ts";
import { insertInbound } from "./queries.ts";
import { createReplyToken } from "./reply-token.ts";
import {
  eventually,
  type MailServer,
  type MailWorkspace,
  mailWorkspace,
  messagesOf,
  rawMessage,
  sendRaw,
  settled,
  startMailServer,
} from "./test-support.ts";

const mid = () => `<${randomUUID()}@customer.example>`;

describe.each(databaseKinds)("threading of received mail (%s)", (kind) => {
  let server: MailServer;
  let acme: MailWorkspace;
  let agentEmail: string;

  const deliver = async (raw: string, from = "ada@customer.example") => {
    const sent = await sendRaw(server.smtpPort, { from, to: [acme.address] }, raw);
    if (!sent.ok) throw new Error(`delivery refused: ${sent.response}`);
  };
  const conversationWith = async (subject: string) => {
    const list = await settled(server, acme);
    return list.filter((c) => c.subject === subject);
  };
  const conversation = async (id: string) => (await acme.as.agent.get(`/api/v1/conversations/${id}`)).body;
  /** An agent's reply through Keepwell, sent by the outbound half; returns its message and Message-ID. */
  const agentReply = async (conversationId: string, text = "Try restarting the export.") => {
    const posted = await acme.as.agent.post(`/api/v1/conversations/${conversationId}/messages`, {
      kind: "outgoing",
      body_text: text,
    });
    expect(posted.status).toBe(201);
    const sent = await eventually(async () => {
      const message = (await messagesOf(acme, conversationId)).find((m) => m.id === posted.body.id);
      return message?.metadata?.email?.message_id ? message : undefined;
    });
    return { id: sent.id as string, messageId: sent.metadata.email.message_id as string };
  };

  beforeAll(async () => {
    server = await startMailServer(kind);
    acme = await mailWorkspace(server, "Acme");
    const session = await acme.as.agent.get("/api/v1/auth/session");
    agentEmail = session.body.agent.email;
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it("puts a customer's reply (In-Reply-To their first message) into the same conversation", async () => {
    const subject = `Thread ${randomUUID().slice(0, 6)}`;
    const first = mid();
    await deliver(rawMessage({ to: acme.address, subject, messageId: first }));
    await deliver(
      rawMessage({
        to: acme.address,
        subject: `Re: ${subject}`,
        headers: { "In-Reply-To": first, References: first },
      }),
    );
    const [only, ...rest] = await conversationWith(subject);
    expect(rest).toHaveLength(0);
    expect(only.message_count).toBe(2);
    expect((await conversationWith(`Re: ${subject}`)).length).toBe(0);
  });

  it("puts a reply to a conversation merged since into the conversation it was merged into", async () => {
    const subject = `Merged ${randomUUID().slice(0, 6)}`;
    const firstId = mid();
    const secondId = mid();
    await deliver(rawMessage({ to: acme.address, subject: `${subject} one`, messageId: firstId }));
    await deliver(rawMessage({ to: acme.address, subject: `${subject} two`, messageId: secondId }));
    const [kept] = await conversationWith(`${subject} one`);
    const [merged] = await conversationWith(`${subject} two`);
    const merge = await acme.as.agent.post(`/api/v1/conversations/${kept.id}/merge`, { source_id: merged.id });
    expect(merge.status).toBe(200);
    await deliver(
      rawMessage({
        to: acme.address,
        subject: `Re: ${subject} two`,
        headers: { "In-Reply-To": secondId, References: secondId },
      }),
    );
    const survivor = await eventually(async () => {
      const current = await conversation(kept.id);
      return current.message_count >= 3 ? current : undefined;
    });
    expect(survivor.message_count).toBe(3);
    expect((await conversation(merged.id)).status).toBe("resolved");
  });

  it("threads a reply whose parent is still waiting to be processed into the parent's conversation", async () => {
    const subject = `Out of order ${randomUUID().slice(0, 6)}`;
    const parentId = mid();
    const parent = Buffer.from(rawMessage({ to: acme.address, subject, messageId: parentId }));
    const child = Buffer.from(
      rawMessage({ to: acme.address, subject: `Re: ${subject}`, headers: { "In-Reply-To": parentId } }),
    );
    // Stored without queueing, as after a crash between commit and queue; the reply is processed first.
    const store = (raw: Buffer, messageId: string | null) =>
      insertInbound(server.ctx.db, {
        workspaceId: acme.workspaceId,
        inboxId: acme.inboxId,
        source: "smtp",
        envelopeFrom: "ada@customer.example",
        envelopeTo: acme.address,
        messageIdHeader: messageId,
        dedupeKey: dedupeKeyOf(messageId, sha256Hex(raw)),
        sha256: sha256Hex(raw),
        raw,
        receivedAt: new Date(),
      });
    await store(parent, parentId.slice(1, -1));
    const reply = await store(child, null);
    await processInbound(server.ctx, acme.workspaceId, reply.id);
    const [only, ...rest] = await conversationWith(subject);
    expect(rest).toHaveLength(0);
    expect(only.message_count).toBe(2);
  });

  it("never merges by subject: the same subject without references opens a new conversation", async () => {
    const subject = `Same subject ${randomUUID().slice(0, 6)}`;
    await deliver(rawMessage({ to: acme.address, subject }));
    await deliver(rawMessage({ to: acme.address, subject }));
    expect(await conversationWith(subject)).toHaveLength(2);
  });

  it("threads a reply to our Message-ID by its reply token, even from another address of the customer", async () => {
    const subject = `Token ${randomUUID().slice(0, 6)}`;
    await deliver(rawMessage({ to: acme.address, subject }));
    const [opened] = await conversationWith(subject);
    const reply = await agentReply(opened.id);
    expect(reply.messageId).toMatch(/^<[a-z2-7]{64}\./);
    await deliver(
      rawMessage({
        from: "Ada at work <ada@work.example>",
        to: acme.address,
        subject: `Re: ${subject}`,
        headers: { "In-Reply-To": reply.messageId },
      }),
      "ada@work.example",
    );
    await settled(server, acme);
    const messages = await messagesOf(acme, opened.id);
    const incoming = messages.filter((m) => m.kind === "incoming");
    expect(incoming).toHaveLength(2);
    expect(incoming[1].metadata.email.threaded_by).toBe("reply-token");
  });

  it("stores an agent's reply from an outside mail client (valid token) as outgoing, answering the customer", async () => {
    const subject = `Outside client ${randomUUID().slice(0, 6)}`;
    await deliver(rawMessage({ to: acme.address, subject }));
    const [opened] = await conversationWith(subject);
    const first = await agentReply(opened.id);
    await deliver(
      rawMessage({
        to: acme.address,
        subject: `Re: ${subject}`,
        headers: { "In-Reply-To": first.messageId },
      }),
    );
    await settled(server, acme);
    expect((await conversation(opened.id)).waiting_since).not.toBeNull();
    // The agent answers from their own mail program, with Keepwell in Bcc.
    await deliver(
      rawMessage({
        from: `Agent <${agentEmail}>`,
        to: "ada@customer.example",
        subject: `Re: ${subject}`,
        headers: { References: first.messageId },
      }),
      agentEmail,
    );
    await settled(server, acme);
    const last = (await messagesOf(acme, opened.id)).at(-1)!;
    expect(last.kind).toBe("outgoing");
    expect(last.sent_by_human).toBe(true);
    expect(last.delivery_state).toBeNull();
    expect(last.metadata.email.sent_from_outside_client).toBe(true);
    expect((await conversation(opened.id)).waiting_since).toBeNull();
  });

  it("never treats mail from an agent's address with a forged token as the agent's", async () => {
    const subject = `Forged ${randomUUID().slice(0, 6)}`;
    await deliver(rawMessage({ to: acme.address, subject }));
    const [opened] = await conversationWith(subject);
    const genuine = createReplyToken("x".repeat(40), {
      workspaceId: acme.workspaceId,
      conversationId: opened.id,
    });
    await deliver(
      rawMessage({
        from: `Agent <${agentEmail}>`,
        to: acme.address,
        subject: `Forged reply ${subject}`,
        headers: { "In-Reply-To": `<${genuine}.aaaaaaaaaaaaaaaa@mail.test>` },
      }),
      agentEmail,
    );
    const [forged] = await conversationWith(`Forged reply ${subject}`);
    expect(forged).toBeDefined();
    const [message] = await messagesOf(acme, forged.id);
    expect(message.kind).toBe("incoming");
    expect(message.metadata.unverified_own_sender).toBe(true);
    expect((await messagesOf(acme, opened.id)).every((m) => m.kind !== "outgoing")).toBe(true);
  });

  it("gives each person who answers a broadcast their own conversation", async () => {
    const subject = `Broadcast ${randomUUID().slice(0, 6)}`;
    const broadcast = mid();
    await deliver(
      rawMessage({
        from: `Agent <${agentEmail}>`,
        to: "ann@one.example, ben@two.example",
        subject,
        messageId: broadcast,
      }),
      agentEmail,
    );
    for (const sender of ["ann@one.example", "ben@two.example"]) {
      await deliver(
        rawMessage({
          from: sender,
          to: acme.address,
          subject: `Re: ${subject}`,
          headers: { "In-Reply-To": broadcast },
        }),
        sender,
      );
    }
    const [original] = await conversationWith(subject);
    const replies = await conversationWith(`Re: ${subject}`);
    expect(replies).toHaveLength(2);
    expect(new Set(replies.map((c) => c.contact_id)).size).toBe(2);
    for (const reply of replies) {
      const [message] = await messagesOf(acme, reply.id);
      expect(message.metadata.email.related_conversation_id).toBe(original.id);
    }
  });

  it("lets a colleague the customer copied answer in the same conversation", async () => {
    const subject = `Copied ${randomUUID().slice(0, 6)}`;
    const first = mid();
    await deliver(
      rawMessage({
        to: acme.address,
        subject,
        messageId: first,
        headers: { Cc: "Bob <bob@customer.example>" },
      }),
    );
    await deliver(
      rawMessage({
        from: "bob@customer.example",
        to: acme.address,
        subject: `Re: ${subject}`,
        headers: { "In-Reply-To": first },
      }),
      "bob@customer.example",
    );
    const [only, ...rest] = await conversationWith(subject);
    expect(rest).toHaveLength(0);
    expect(only.message_count).toBe(2);
  });

  it("reopens a resolved conversation when the customer replies", async () => {
    const subject = `Reopen ${randomUUID().slice(0, 6)}`;
    const first = mid();
    await deliver(rawMessage({ to: acme.address, subject, messageId: first }));
    const [opened] = await conversationWith(subject);
    expect(
      (await acme.as.agent.patch(`/api/v1/conversations/${opened.id}`, { status: "resolved" })).status,
    ).toBe(200);
    await deliver(
      rawMessage({ to: acme.address, subject: `Re: ${subject}`, headers: { "In-Reply-To": first } }),
    );
    await settled(server, acme);
    expect((await conversation(opened.id)).status).toBe("open");
  });

  it("stores an auto-reply in its thread, marked, without reopening or making the customer wait", async () => {
    const subject = `Vacation ${randomUUID().slice(0, 6)}`;
    await deliver(rawMessage({ to: acme.address, subject }));
    const [opened] = await conversationWith(subject);
    const reply = await agentReply(opened.id);
    expect(
      (await acme.as.agent.patch(`/api/v1/conversations/${opened.id}`, { status: "resolved" })).status,
    ).toBe(200);
    await deliver(
      rawMessage({
        to: acme.address,
        subject: `Out of office: ${subject}`,
        text: "I am away until Monday.",
        headers: { "In-Reply-To": reply.messageId, "Auto-Submitted": "auto-replied" },
      }),
    );
    await settled(server, acme);
    const after = await conversation(opened.id);
    expect(after.status).toBe("resolved");
    expect(after.waiting_since).toBeNull();
    const last = (await messagesOf(acme, opened.id)).at(-1)!;
    expect(last.metadata.auto_reply).toBe(true);
    expect(last.metadata.automatic_reasons).toContain("Auto-Submitted: auto-replied");
  });

  it("marks our reply as failed when its bounce comes back, with the remote server's reason", async () => {
    const subject = `Bounce ${randomUUID().slice(0, 6)}`;
    await deliver(rawMessage({ to: acme.address, subject }));
    const [opened] = await conversationWith(subject);
    const reply = await agentReply(opened.id);
    await eventually(async () =>
      (await messagesOf(acme, opened.id)).find((m) => m.id === reply.id && m.delivery_state === "sent"),
    );
    const dsn = [
      "From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>",
      `To: ${acme.address}`,
      "Subject: Undelivered Mail Returned to Sender",
      `Message-ID: ${mid()}`,
      "MIME-Version: 1.0",
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
      "",
      "--b",
      "Content-Type: text/plain",
      "",
      "Your message could not be delivered.",
      "--b",
      "Content-Type: message/delivery-status",
      "",
      "Reporting-MTA: dns; mx.customer.example",
      "",
      "Final-Recipient: rfc822; ada@customer.example",
      "Action: failed",
      "Status: 5.1.1",
      "Diagnostic-Code: smtp; 550 5.1.1 <ada@customer.example>: mailbox unavailable",
      "--b",
      "Content-Type: text/rfc822-headers",
      "",
      `Message-ID: ${reply.messageId}`,
      `Subject: Re: ${subject}`,
      "--b--",
      "",
    ].join("\r\n");
    const sent = await sendRaw(server.smtpPort, { from: "", to: [acme.address] }, dsn);
    expect(sent.ok).toBe(true);
    await settled(server, acme);
    const messages = await messagesOf(acme, opened.id);
    const failed = messages.find((m) => m.id === reply.id)!;
    expect(failed.delivery_state).toBe("failed");
    expect(failed.delivery_error).toMatch(/mailbox unavailable/);
    const bounce = messages.at(-1)!;
    expect(bounce.metadata.bounce).toBe(true);
    expect(bounce.metadata.auto_reply).toBe(true);
  });
});
