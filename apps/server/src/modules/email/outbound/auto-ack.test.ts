import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds, startTestServer, type TestServer } from "../../../test/harness.ts";
import { acknowledge, AUTOMATIC_LIMIT_PER_HOUR, renderTemplate } from "./auto-ack.ts";
import { customerWrites, eventually, type MailWorkspace, mailWorkspace } from "./test-fixture.ts";
import { type SmtpSink, startSmtpSink } from "./test-sink.ts";

const LOGIN = { user: "acks", pass: "ack-sender-pass-77" };

describe.each(databaseKinds)("automatic acknowledgements on %s", (kind) => {
  let server: TestServer;
  let sink: SmtpSink;
  let acme: MailWorkspace;

  beforeAll(async () => {
    sink = await startSmtpSink(LOGIN);
    server = await startTestServer(kind);
    acme = await mailWorkspace(server, "Acme", { auto_ack_enabled: true });
    await acme.as.owner.put(`/api/v1/inboxes/${acme.inboxId}/smtp`, {
      host: "127.0.0.1",
      port: sink.port,
      security: "none",
      username: LOGIN.user,
      password: LOGIN.pass,
      from_name: "Acme Support",
    });
  });
  afterAll(async () => {
    await server?.destroy();
    await sink?.close();
  });

  /**
   * Waits until no acknowledgement or send job is waiting or running, and the listeners that queue
   * them have nothing left to read: an acknowledgement's own message queues its send through them.
   */
  async function jobsSettled(): Promise<void> {
    const idle = async () => {
      await server.ctx.events.consumers.settled();
      const result = await sql<{ count: string }>`
        select count(*) as count from pgboss.job
        where name in ('email-auto-ack', 'email-send') and state in ('created', 'retry', 'active')`.execute(
        server.ctx.db,
      );
      return Number(result.rows[0].count) === 0;
    };
    await eventually(async () => (await idle()) && (await idle()));
  }

  const mailsTo = (address: string) => sink.received.filter((m) => m.recipients.includes(address));

  it("acknowledges a new email conversation with RFC 3834 headers and leaves the customer waiting", async () => {
    const { conversationId } = await customerWrites(acme, {
      email: "new@example.test",
      subject: "Broken login",
    });
    const mail = await eventually(async () => mailsTo("new@example.test")[0]);
    expect(mail.parsed.headers.get("auto-submitted")).toBe("auto-replied");
    expect(mail.parsed.headers.get("x-auto-response-suppress")).toBe("All");
    expect(mail.parsed.subject).toBe("Re: Broken login");
    expect(mail.parsed.from?.value[0].name).toBe("Acme Support");
    const conversation = await acme.as.agent.get(`/api/v1/conversations/${conversationId}`);
    expect(mail.parsed.text).toContain(`Your reference is #${conversation.body.number}`);
    expect(mail.parsed.text).toContain("Hello Casey Customer");

    await jobsSettled();
    const messages = await acme.as.agent.get(`/api/v1/conversations/${conversationId}/messages`);
    const ack = messages.body.data.find((m: { kind: string }) => m.kind === "outgoing");
    expect(ack).toMatchObject({ sent_by_human: false, delivery_state: "sent", author_agent_id: null });
    expect(ack.metadata.automatic).toBe("auto_ack");
    const after = await acme.as.agent.get(`/api/v1/conversations/${conversationId}`);
    expect(after.body.waiting_since).not.toBeNull();
    expect(after.body.first_human_response_at).toBeNull();
  });

  it("does not acknowledge a customer's follow-up in the same conversation", async () => {
    const { conversationId } = await customerWrites(acme, { email: "twice@example.test" });
    await jobsSettled();
    await acme.as.agent.post(`/api/v1/conversations/${conversationId}/messages`, {
      kind: "incoming",
      body_text: "Also, the fax machine.",
    });
    await jobsSettled();
    expect(mailsTo("twice@example.test")).toHaveLength(1);
  });

  it(`sends one address at most ${AUTOMATIC_LIMIT_PER_HOUR} automatic messages an hour`, async () => {
    for (let i = 0; i < AUTOMATIC_LIMIT_PER_HOUR + 2; i++) {
      await customerWrites(acme, { email: "flood@example.test", subject: `Flood ${i}` });
    }
    await jobsSettled();
    expect(mailsTo("flood@example.test")).toHaveLength(AUTOMATIC_LIMIT_PER_HOUR);
  });

  it("never acknowledges our own addresses or robots", async () => {
    await customerWrites(acme, { email: "mailer-daemon@example.test" });
    await customerWrites(acme, { email: "no-reply@example.test" });
    await jobsSettled();
    expect(mailsTo("mailer-daemon@example.test")).toHaveLength(0);
    expect(mailsTo("no-reply@example.test")).toHaveLength(0);
  });

  it("never answers a message the inbound side flagged as an auto-reply or a bounce", async () => {
    const quiet = await mailWorkspace(server, "Quiet");
    const flagged = await customerWrites(quiet, { email: "vacation@example.test" });
    const bounced = await customerWrites(quiet, { email: "bounce@example.test" });
    const plain = await customerWrites(quiet, { email: "human@example.test" });
    await quiet.as.owner.patch(`/api/v1/inboxes/${quiet.inboxId}`, { settings: { auto_ack_enabled: true } });
    const flag = (id: string, metadata: Record<string, unknown>) =>
      sql`update messages set metadata = metadata || ${JSON.stringify(metadata)}::jsonb where id = ${id}`.execute(
        server.ctx.db,
      );
    await flag(flagged.messageId, { auto_reply: true, automatic_reasons: ["Auto-Submitted: auto-replied"] });
    await flag(bounced.messageId, { bounce: true });
    for (const { messageId } of [flagged, bounced, plain]) {
      await acknowledge(server.ctx, { workspace_id: quiet.workspaceId, message_id: messageId });
    }
    const outgoing = async (conversationId: string) =>
      (await quiet.as.agent.get(`/api/v1/conversations/${conversationId}/messages`)).body.data.filter(
        (m: { kind: string }) => m.kind === "outgoing",
      );
    expect(await outgoing(flagged.conversationId)).toHaveLength(0);
    expect(await outgoing(bounced.conversationId)).toHaveLength(0);
    expect(await outgoing(plain.conversationId)).toHaveLength(1);
  });

  it("acknowledges nothing while the inbox has it switched off", async () => {
    const off = await mailWorkspace(server, "Off");
    const { conversationId } = await customerWrites(off, { email: "nobody-acks@example.test" });
    await jobsSettled();
    const messages = await off.as.agent.get(`/api/v1/conversations/${conversationId}/messages`);
    expect(messages.body.data.map((m: { kind: string }) => m.kind)).toEqual(["incoming"]);
  });

  it("fills the template's placeholders and leaves unknown ones visible", () => {
    expect(renderTemplate("#{{number}} {{ subject }} {{typo}}", { number: "7", subject: "Hi" })).toBe(
      "#7 Hi {{typo}}",
    );
  });
});
