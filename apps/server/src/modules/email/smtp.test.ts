import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { randomUUID } from "node:crypto";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../../test/harness.ts";
import { forwardingAddress } from "./addresses.ts";
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

const LIMIT = 256 * 1024;

/** Runs a command without blocking the event loop; resolves with its exit status and output. */
function runCommand(command: string, args: string[]): Promise<{ status: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 30_000, encoding: "utf8" }, (error, stdout) => {
      resolve({ status: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout });
    });
  });
}

/** Sends SMTP commands one at a time and returns the final reply line to each (after the banner). */
async function smtpDialogue(port: number, commands: string[]): Promise<string[]> {
  const socket = connect(port, "127.0.0.1");
  socket.setEncoding("utf8");
  let buffer = "";
  const replies: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  socket.on("data", (chunk: string) => {
    buffer += chunk;
    let end = buffer.indexOf("\r\n");
    while (end >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      // "250-…" continues a multi-line reply; "250 …" ends it.
      if (/^\d{3} /.test(line) || /^\d{3}$/.test(line)) {
        const waiter = waiters.shift();
        if (waiter) waiter(line);
        else replies.push(line);
      }
      end = buffer.indexOf("\r\n");
    }
  });
  const next = () =>
    new Promise<string>((resolve) => {
      const ready = replies.shift();
      if (ready !== undefined) resolve(ready);
      else waiters.push(resolve);
    });
  await next(); // banner
  const answers: string[] = [];
  for (const command of commands) {
    socket.write(`${command}\r\n`);
    answers.push(await next());
  }
  socket.destroy();
  return answers;
}

describe.each(databaseKinds)("the SMTP listener (%s)", (kind) => {
  let server: MailServer;
  let acme: MailWorkspace;
  let other: MailWorkspace;

  beforeAll(async () => {
    server = await startMailServer(kind, { SMTP_MAX_MESSAGE_BYTES: String(LIMIT) });
    acme = await mailWorkspace(server, "Acme");
    other = await mailWorkspace(server, "Globex");
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it("stores mail for an inbox address and shows it as a conversation with the sender as contact", async () => {
    const subject = `Export broken ${randomUUID().slice(0, 6)}`;
    const sent = await sendRaw(
      server.smtpPort,
      { from: "ada@customer.example", to: [acme.address] },
      rawMessage({ to: acme.address, subject, text: "Hello,\nthe export button does nothing.\n\nAda" }),
    );
    expect(sent.ok).toBe(true);
    const conversations = await settled(server, acme);
    const conversation = conversations.find((c) => c.subject === subject);
    expect(conversation).toBeDefined();
    expect(conversation!.channel).toBe("email");
    expect(conversation!.waiting_since).not.toBeNull();
    const [message] = await messagesOf(acme, conversation!.id);
    expect(message.kind).toBe("incoming");
    expect(message.body_text).toContain("the export button does nothing");
    expect(message.metadata.email.from).toEqual({ name: "Ada Customer", address: "ada@customer.example" });
    const contact = await acme.as.agent.get(`/api/v1/contacts/${conversation!.contact_id}`);
    expect(contact.body.email).toBe("ada@customer.example");
  });

  it("accepts mail sent to the inbox's forwarding address", async () => {
    const forwarding = forwardingAddress(acme.inboxId, "mail.test");
    const routing = await acme.as.viewer.get(`/api/v1/inboxes/${acme.inboxId}/inbound`);
    expect(routing.status).toBe(200);
    expect(routing.body.forwarding_address).toBe(forwarding);
    expect(routing.body.smtp).toMatchObject({
      enabled: true,
      port: server.smtpPort,
      max_message_bytes: LIMIT,
    });
    const subject = `Forwarded ${randomUUID().slice(0, 6)}`;
    const sent = await sendRaw(
      server.smtpPort,
      { from: "bob@customer.example", to: [forwarding] },
      rawMessage({ from: "bob@customer.example", to: acme.address, subject }),
    );
    expect(sent.ok).toBe(true);
    expect((await settled(server, acme)).some((c) => c.subject === subject)).toBe(true);
  });

  it("answers 550 for an address no inbox has, and stores nothing", async () => {
    const sent = await sendRaw(
      server.smtpPort,
      { from: "ada@customer.example", to: ["nobody@acme.example"] },
      rawMessage({ to: "nobody@acme.example" }),
    );
    expect(sent).toMatchObject({ ok: false, code: 550 });
    expect(sent.response).toMatch(/No Keepwell inbox has the address/);
  });

  it("answers 552 for a message over the size limit", async () => {
    const big = rawMessage({ to: acme.address, text: "x".repeat(LIMIT + 1024) });
    const sent = await sendRaw(server.smtpPort, { from: "ada@customer.example", to: [acme.address] }, big);
    expect(sent).toMatchObject({ ok: false, code: 552 });
  });

  it("applies a workspace's own smaller limit, at RCPT TO when the size is announced", async () => {
    const small = 64 * 1024;
    const patched = await other.as.owner.patch("/api/v1/workspace", {
      settings: { email_max_message_bytes: small },
    });
    expect(patched.status).toBe(200);
    const routing = await other.as.viewer.get(`/api/v1/inboxes/${other.inboxId}/inbound`);
    expect(routing.body.smtp.max_message_bytes).toBe(small);

    const medium = rawMessage({ to: other.address, text: "y".repeat(small + 1024) });
    const refused = await sendRaw(
      server.smtpPort,
      { from: "ada@customer.example", to: [other.address] },
      medium,
    );
    expect(refused).toMatchObject({ ok: false, code: 552 });
    // The same size is still fine for a workspace that kept the server's limit.
    const accepted = await sendRaw(
      server.smtpPort,
      { from: "ada@customer.example", to: [acme.address] },
      rawMessage({ to: acme.address, text: "y".repeat(small + 1024) }),
    );
    expect(accepted.ok).toBe(true);

    const early = await smtpDialogue(server.smtpPort, [
      "EHLO client.example",
      `MAIL FROM:<ada@customer.example> SIZE=${small + 1}`,
      `RCPT TO:<${other.address}>`,
      "QUIT",
    ]);
    expect(early[2]).toMatch(/^552 .*limit is 65536 bytes/);
  });

  it("stores a message delivered twice (same Message-ID) only once", async () => {
    const messageId = `<${randomUUID()}@customer.example>`;
    const raw = rawMessage({ to: acme.address, messageId, subject: `Twice ${messageId}` });
    for (let i = 0; i < 2; i++) {
      expect(
        (await sendRaw(server.smtpPort, { from: "ada@customer.example", to: [acme.address] }, raw)).ok,
      ).toBe(true);
    }
    const conversations = (await settled(server, acme)).filter((c) => c.subject === `Twice ${messageId}`);
    expect(conversations).toHaveLength(1);
    expect(conversations[0].message_count).toBe(1);
  });

  it("stores a message without a Message-ID once when the client retries the same bytes", async () => {
    const subject = `No id ${randomUUID().slice(0, 6)}`;
    const raw = rawMessage({ to: acme.address, messageId: null, subject });
    for (let i = 0; i < 2; i++) {
      expect(
        (await sendRaw(server.smtpPort, { from: "ada@customer.example", to: [acme.address] }, raw)).ok,
      ).toBe(true);
    }
    const conversations = (await settled(server, acme)).filter((c) => c.subject === subject);
    expect(conversations).toHaveLength(1);
    const [message] = await messagesOf(acme, conversations[0].id);
    expect(message.metadata.parse_warnings.join(" ")).toMatch(/no Message-ID/);
  });

  it("keeps the raw source downloadable for the workspace only", async () => {
    const subject = `Raw ${randomUUID().slice(0, 6)}`;
    const raw = rawMessage({ to: acme.address, subject, text: "Original bytes, kept as they came." });
    await sendRaw(server.smtpPort, { from: "ada@customer.example", to: [acme.address] }, raw);
    const conversation = (await settled(server, acme)).find((c) => c.subject === subject)!;
    const [message] = await messagesOf(acme, conversation.id);
    const download = await fetch(`${server.url}/api/v1/messages/${message.id}/raw`, {
      headers: { authorization: `Bearer ${acme.tokens.viewer}` },
    });
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("message/rfc822");
    expect(download.headers.get("content-disposition")).toMatch(/^attachment;/);
    expect(download.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await download.text()).toBe(raw);
    expect((await other.as.owner.get(`/api/v1/messages/${message.id}/raw`)).status).toBe(404);
    expect((await acme.as.owner.get(`/api/v1/messages/${randomUUID()}/raw`)).status).toBe(404);
    expect((await other.as.owner.get(`/api/v1/inboxes/${acme.inboxId}/inbound`)).status).toBe(404);
  });

  it("accepts mail from Python's smtplib", async () => {
    const subject = `From Python ${randomUUID().slice(0, 6)}`;
    const script = `
import smtplib, sys
from email.message import EmailMessage
m = EmailMessage()
m["From"] = "Grace <grace@customer.example>"
m["To"] = sys.argv[2]
m["Subject"] = sys.argv[3]
m.set_content("Sent by smtplib: héllo wörld")
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20) as s:
    s.send_message(m)
`;
    await promisify(execFile)("python3", ["-c", script, String(server.smtpPort), acme.address, subject], {
      timeout: 30_000,
    });
    const conversation = await eventually(async () =>
      (await settled(server, acme)).find((c) => c.subject === subject),
    );
    const [message] = await messagesOf(acme, conversation.id);
    expect(message.body_text).toContain("héllo wörld");
  });

  const swaks = spawnSync("swaks", ["--version"]).status === 0;
  if (!swaks)
    console.warn("\n*** swaks is not installed: skipping the swaks test (apt-get install swaks) ***\n");
  it.skipIf(!swaks)("accepts mail from swaks, and swaks sees 550 for an unknown recipient", async () => {
    const subject = `From swaks ${randomUUID().slice(0, 6)}`;
    // Asynchronously: the server under test runs in this very process.
    const run = (to: string) =>
      runCommand("swaks", [
        "--server",
        "127.0.0.1",
        "--port",
        String(server.smtpPort),
        "--from",
        "swaks@customer.example",
        "--to",
        to,
        "--header",
        `Subject: ${subject}`,
        "--body",
        "Sent by swaks",
        "--timeout",
        "20",
      ]);
    const good = await run(acme.address);
    expect(good.status).toBe(0);
    expect(good.stdout).toMatch(/^<- +250 /m);
    const bad = await run("nobody@acme.example");
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toMatch(/^<\*\* +550 /m);
    expect((await settled(server, acme)).filter((c) => c.subject === subject)).toHaveLength(1);
  });
});
