import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../../test/harness.ts";
import { eventually } from "../email/outbound/test-fixture.ts";
import { type SmtpSink, startSmtpSink } from "../email/outbound/test-sink.ts";
import {
  type MailServer,
  type MailWorkspace,
  mailWorkspace,
  sendRaw,
  settled,
  startMailServer,
} from "../email/test-support.ts";
import { tick } from "./scheduler.ts";

const LOGIN = { user: "keepwell", pass: "bounce-sink-pass" };

/** A delivery status notification (RFC 3464) about the message with `messageId`, as a remote MTA sends it. */
function dsn(to: string, recipient: string, messageId: string, action = "failed", status = "5.1.1") {
  return [
    "From: Mail Delivery System <MAILER-DAEMON@mx.customers.example>",
    `To: ${to}`,
    "Subject: Undelivered Mail Returned to Sender",
    `Message-ID: <${randomUUID()}@mx.customers.example>`,
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
    "Reporting-MTA: dns; mx.customers.example",
    "",
    `Final-Recipient: rfc822; ${recipient}`,
    `Action: ${action}`,
    `Status: ${status}`,
    `Diagnostic-Code: smtp; 550 5.1.1 <${recipient}>: mailbox unavailable`,
    "--b",
    "Content-Type: text/rfc822-headers",
    "",
    `Message-ID: ${messageId}`,
    "Subject: Welcome",
    "--b--",
    "",
  ].join("\r\n");
}

/*
 * A bounce of automated mail, delivered over SMTP to the inbox it was sent from, suppresses the
 * contact: automation never mails them again (sequences, broadcasts), and their history says why.
 */
describe.each(databaseKinds)("bounces of sequence and broadcast mail on %s", (kind) => {
  let server: MailServer;
  let sink: SmtpSink;
  let acme: MailWorkspace;

  beforeAll(async () => {
    sink = await startSmtpSink(LOGIN);
    server = await startMailServer(kind);
    acme = await mailWorkspace(server, "Acme");
    const smtp = await acme.as.owner.put(`/api/v1/inboxes/${acme.inboxId}/smtp`, {
      host: "127.0.0.1",
      port: sink.port,
      security: "none",
      username: LOGIN.user,
      password: LOGIN.pass,
    });
    expect(smtp.status).toBe(200);
  });
  afterAll(async () => {
    await server?.destroy();
    await sink?.close();
  });

  const mailTo = (address: string) => sink.received.filter((m) => m.recipients.includes(address));
  async function contact(email: string) {
    const created = await acme.as.agent.post("/api/v1/contacts", { email, name: "Bo Bounce" });
    expect(created.status).toBe(201);
    return created.body.id as string;
  }
  async function sequence(name: string) {
    const created = await acme.as.admin.post("/api/v1/sequences", {
      name,
      inbox_id: acme.inboxId,
      state: "active",
      steps: [
        { delay_amount: 0, delay_unit: "days", subject: "Welcome", body: "Hello." },
        { delay_amount: 3, delay_unit: "days", subject: "Tips", body: "Tip one." },
      ],
    });
    expect(created.status).toBe(201);
    return created.body.id as string;
  }
  /** Runs the scheduler until `address` has `count` mails (steps are sent by jobs). */
  async function mailsFor(address: string, count: number) {
    return eventually(async () => {
      await tick(server.ctx);
      return mailTo(address).length >= count ? mailTo(address) : undefined;
    });
  }
  async function bounce(raw: string) {
    const sent = await sendRaw(server.smtpPort, { from: "", to: [acme.address] }, raw);
    expect(sent.ok).toBe(true);
    return settled(server, acme);
  }
  /** Conversations the mailer daemon's reports opened in the inbox. */
  const fromDaemon = (list: Array<Record<string, unknown>>) =>
    list.filter((c) => c.subject === "Undelivered Mail Returned to Sender");
  const automationOf = async (contactId: string) =>
    (await acme.as.viewer.get(`/api/v1/contacts/${contactId}/sequences`)).body;

  it("suppresses the contact when a sequence mail bounces, stops their sequences, and shows why", async () => {
    const email = `bo-${randomUUID().slice(0, 6)}@customers.example`;
    const bo = await contact(email);
    const onboarding = await sequence("Onboarding");
    const other = await sequence("Other");
    for (const id of [onboarding, other]) {
      const enrolled = await acme.as.agent.post(`/api/v1/sequences/${id}/enrollments`, { contact_ids: [bo] });
      expect(enrolled.body.enrolled).toBe(1);
    }
    const [first] = await mailsFor(email, 1);
    const sentId = first.parsed.messageId!;
    expect(sentId).toMatch(/^<seq\./);

    const daemonBefore = fromDaemon(await settled(server, acme)).length;
    // A delay report and a report about a message we never sent change nothing; the delay is known
    // to be about a sequence mail, so it opens no conversation either. The stranger's report does,
    // as any mail we cannot place.
    expect(fromDaemon(await bounce(dsn(acme.address, email, sentId, "delayed", "4.4.7")))).toHaveLength(
      daemonBefore,
    );
    expect(fromDaemon(await bounce(dsn(acme.address, email, `<${randomUUID()}@acme.example>`)))).toHaveLength(
      daemonBefore + 1,
    );
    expect((await automationOf(bo)).suppressed).toBeNull();

    // The failure is recorded on the contact's automation history only: no conversation from MAILER-DAEMON.
    expect(fromDaemon(await bounce(dsn(acme.address, email, sentId)))).toHaveLength(daemonBefore + 1);
    const after = await automationOf(bo);
    expect(after.suppressed).toBe("bounced");
    for (const enrollment of after.data) expect(enrollment.state).toBe("stopped");
    const history = after.data.flatMap((e: { history: { state: string; detail: string }[] }) => e.history);
    const bounced = history.find((h: { state: string }) => h.state === "bounced");
    expect(bounced?.detail).toMatch(/5\.1\.1.*mailbox unavailable/);

    // Never emailed by automation again: a new sequence refuses them and the scheduler sends nothing.
    const later = await sequence("Later");
    const refused = await acme.as.agent.post(`/api/v1/sequences/${later}/enrollments`, { contact_ids: [bo] });
    expect(refused.body).toMatchObject({
      enrolled: 0,
      skipped: [{ contact_id: bo, reason: "the contact bounced" }],
    });
    const before = mailTo(email).length;
    await tick(server.ctx);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mailTo(email)).toHaveLength(before);
  });

  it("suppresses the contact when a broadcast bounces, and leaves them out of the next one", async () => {
    const email = `cy-${randomUUID().slice(0, 6)}@customers.example`;
    const cy = await contact(email);
    const segment = { conditions: [{ field: "contact.email", op: "eq", value: email }] };
    const body = { inbox_id: acme.inboxId, subject: "We moved", body: "New address.", segment };
    const sent = await acme.as.admin.post("/api/v1/broadcasts", body);
    expect(sent.status).toBe(201);
    const [mail] = await mailsFor(email, 1);

    const daemonBefore = fromDaemon(await settled(server, acme)).length;
    expect(fromDaemon(await bounce(dsn(acme.address, email, mail.parsed.messageId!)))).toHaveLength(
      daemonBefore,
    );
    expect((await automationOf(cy)).suppressed).toBe("bounced");
    const preview = await acme.as.admin.post("/api/v1/broadcasts/preview", body);
    expect(preview.body).toMatchObject({
      recipients: 0,
      skipped: [{ contact_id: cy, reason: "the contact bounced" }],
    });
    // Another workspace cannot see the contact's automation state.
    const globex = await mailWorkspace(server, "Globex");
    expect((await globex.as.owner.get(`/api/v1/contacts/${cy}/sequences`)).status).toBe(404);
  });

  it("keeps putting the bounce of an agent's reply into that reply's conversation", async () => {
    const email = `di-${randomUUID().slice(0, 6)}@customers.example`;
    const opened = await acme.as.agent.post("/api/v1/conversations", {
      inbox_id: acme.inboxId,
      subject: "Invoice question",
      contact: { email, name: "Di Customer" },
      message: { kind: "incoming", body_text: "Where is my invoice?" },
    });
    expect(opened.status).toBe(201);
    const reply = await acme.as.agent.post(`/api/v1/conversations/${opened.body.id}/messages`, {
      kind: "outgoing",
      body_text: "Here it is.",
    });
    expect(reply.status).toBe(201);
    const [mail] = await eventually(async () => (mailTo(email).length > 0 ? mailTo(email) : undefined));
    const daemonBefore = fromDaemon(await settled(server, acme)).length;

    expect(fromDaemon(await bounce(dsn(acme.address, email, mail.parsed.messageId!)))).toHaveLength(
      daemonBefore,
    );
    const messages = (await acme.as.agent.get(`/api/v1/conversations/${opened.body.id}/messages`)).body.data;
    const sent = messages.find((m: { id: string }) => m.id === reply.body.id);
    expect(sent.delivery_state).toBe("failed");
    expect(messages.at(-1).metadata.bounce).toBe(true);
  });
});
