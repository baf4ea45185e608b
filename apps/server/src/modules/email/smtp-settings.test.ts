import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConfigError, loadConfig } from "../../config.ts";
import { databaseKinds } from "../../test/harness.ts";
import {
  type MailServer,
  type MailWorkspace,
  mailWorkspace,
  rawMessage,
  settled,
  startMailServer,
} from "./test-support.ts";

const base = { KEEPWELL_SECRET: "x".repeat(40), KEEPWELL_DATA_DIR: tmpdir() };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...base, ...env });
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
}

describe("SMTP settings", () => {
  it("listen on 2525 with a 25 MB limit and BASE_URL's host as the mail domain by default", () => {
    const config = loadConfig({ ...base, BASE_URL: "https://Support.Acme.example" });
    expect(config.smtp).toEqual({
      port: 2525,
      portExplicit: false,
      host: "127.0.0.1",
      domain: "support.acme.example",
      tls: undefined,
      maxMessageBytes: 25 * 1024 * 1024,
    });
  });

  it("explain what is wrong with a bad port, size, domain or half a TLS pair", () => {
    expect(problemsOf({ SMTP_PORT: "smtp" }).join("\n")).toMatch(
      /SMTP_PORT must be a whole number from 0 to 65535/,
    );
    expect(problemsOf({ SMTP_MAX_MESSAGE_BYTES: "10" }).join("\n")).toMatch(
      /SMTP_MAX_MESSAGE_BYTES must be a whole number/,
    );
    expect(problemsOf({ SMTP_DOMAIN: "not a domain" }).join("\n")).toMatch(
      /SMTP_DOMAIN must be a domain name/,
    );
    expect(problemsOf({ SMTP_TLS_CERT: "/tmp/cert.pem" }).join("\n")).toMatch(
      /SMTP_TLS_CERT and SMTP_TLS_KEY go together/,
    );
    expect(
      problemsOf({ SMTP_TLS_CERT: "/nonexistent/c.pem", SMTP_TLS_KEY: "/nonexistent/k.pem" }).join("\n"),
    ).toMatch(/must be readable PEM files/);
  });

  it("turn the listener off with SMTP_PORT=0", () => {
    expect(loadConfig({ ...base, SMTP_PORT: "0" }).smtp.port).toBe(0);
  });
});

const openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].some((p) => existsSync(p));
if (!openssl)
  console.warn("\n*** openssl is not installed: SKIPPING the STARTTLS test (apt-get install openssl) ***\n");

describe.skipIf(!openssl).each(databaseKinds)("STARTTLS on the SMTP listener (%s)", (kind) => {
  let server: MailServer;
  let acme: MailWorkspace;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "keepwell-tls-"));
    const key = path.join(dir, "key.pem");
    const cert = path.join(dir, "cert.pem");
    await promisify(execFile)("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-subj",
      "/CN=mail.test",
      "-days",
      "2",
    ]);
    expect(existsSync(cert)).toBe(true);
    server = await startMailServer(kind, { SMTP_TLS_CERT: cert, SMTP_TLS_KEY: key });
    acme = await mailWorkspace(server, "Acme");
  });
  afterAll(async () => {
    await server?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it("accepts mail from a client that requires STARTTLS", async () => {
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port: server.smtpPort,
      secure: false,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
    });
    try {
      const info = await transport.sendMail({
        envelope: { from: "ada@customer.example", to: [acme.address] },
        raw: rawMessage({ to: acme.address, subject: "Sent over TLS" }),
      });
      expect(info.response).toMatch(/^250 /);
    } finally {
      transport.close();
    }
    expect((await settled(server, acme)).some((c) => c.subject === "Sent over TLS")).toBe(true);
    const routing = await acme.as.agent.get(`/api/v1/inboxes/${acme.inboxId}/inbound`);
    expect(routing.body.smtp.starttls).toBe(true);
  });
});
