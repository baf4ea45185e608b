import { createHash, randomUUID } from "node:crypto";
import { link, mkdir, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import nodemailer, { type SendMailOptions } from "nodemailer";

/** How an inbox sends: its SMTP server, or the outbox folder in local development mode. */
export type SmtpTarget = {
  host: string;
  port: number;
  security: "tls" | "starttls" | "none";
  username: string | null;
  password: string | null;
};

export interface SendResult {
  mode: "smtp" | "outbox";
  /** The server's final reply ("250 2.0.0 Ok: queued as …") or the outbox file written. */
  response: string;
}

/** Whether a failed send may succeed later (retry) or never will (fail now). */
export interface SendFailure {
  reason: string;
  permanent: boolean;
}

/** A send that takes longer than this is abandoned; the claim on a message outlives it (delivery.ts). */
export const SEND_DEADLINE_MS = 120_000;

const timeouts = { connectionTimeout: 20_000, greetingTimeout: 20_000, socketTimeout: 60_000 };

/**
 * Sends one composed mail. Attachments are given as content by the caller, so file and URL access
 * are switched off: nothing in a message can make nodemailer read a local path or fetch a URL.
 */
export async function sendMail(
  target: SmtpTarget | null,
  outboxDir: string | null,
  mail: SendMailOptions,
): Promise<SendResult> {
  const safeMail = { ...mail, disableFileAccess: true, disableUrlAccess: true };
  if (!target) return writeToOutbox(outboxDir, safeMail);
  const transport = nodemailer.createTransport({
    host: target.host,
    port: target.port,
    secure: target.security === "tls",
    requireTLS: target.security === "starttls",
    ignoreTLS: target.security === "none",
    auth: target.username ? { user: target.username, pass: target.password ?? "" } : undefined,
    ...timeouts,
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        transport.close();
        reject(
          Object.assign(new Error("the server took too long to accept the message"), { code: "ETIMEDOUT" }),
        );
      }, SEND_DEADLINE_MS);
    });
    const info = await Promise.race([transport.sendMail(safeMail), deadline]);
    return { mode: "smtp", response: String(info.response ?? "accepted") };
  } finally {
    clearTimeout(timer);
    transport.close();
  }
}

/**
 * Local development mode: the mail is built exactly as it would be sent and written as an .eml file,
 * so a newcomer sees what the customer would get without any server. The file is named by the
 * mail's Message-ID and created exclusively, so writing the same mail again (a retry after a crash
 * mid-send) finds it there instead of making a second copy.
 */
async function writeToOutbox(outboxDir: string | null, mail: SendMailOptions): Promise<SendResult> {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
  const info = await transport.sendMail(mail);
  if (!outboxDir) return { mode: "outbox", response: "built; not written (the data directory is in memory)" };
  await mkdir(outboxDir, { recursive: true });
  const messageId = String(mail.messageId ?? info.messageId ?? "");
  const name = `${createHash("sha256")
    .update(messageId || randomUUID())
    .digest("hex")
    .slice(0, 32)}.eml`;
  // Written aside (beside the outbox, so that the folder holds only whole mails), then linked into
  // place: a stop mid-write never leaves a partial mail under the name.
  const partial = path.join(path.dirname(outboxDir), ".outbox-partial");
  await mkdir(partial, { recursive: true });
  const aside = path.join(partial, `${name}.${randomUUID()}`);
  await writeFile(aside, info.message as Buffer, { mode: 0o600 });
  try {
    await link(aside, path.join(outboxDir, name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return { mode: "outbox", response: `already in outbox/${name}` };
  } finally {
    await unlink(aside).catch(() => {});
  }
  return { mode: "outbox", response: `written to outbox/${name}` };
}

/** The outbox folder of an install, or null when the data directory lives in memory. */
export function outboxDirectory(dataDir: string): string | null {
  return dataDir === "memory://" ? null : path.join(dataDir, "outbox");
}

/**
 * Reads a nodemailer error as the agent should see it. A 5xx reply (except 503) rejects the message
 * for good; 4xx replies, timeouts and connection failures may pass later, and so may a refused
 * login: an admin can fix the settings while the retries run.
 */
export function describeFailure(error: unknown): SendFailure {
  const e = (error ?? {}) as {
    message?: string;
    code?: string;
    response?: string;
    responseCode?: number;
    permanent?: boolean;
    originalCode?: string;
    command?: string;
  };
  if (typeof e.responseCode === "number") {
    const reply = (e.response ?? e.message ?? "").replace(/\s+/g, " ").trim().slice(0, 500);
    return { reason: reply || `SMTP ${e.responseCode}`, permanent: e.permanent === true };
  }
  const what = e.originalCode ?? e.code;
  const message = (e.message ?? String(error)).replace(/\s+/g, " ").trim().slice(0, 500);
  // An address nodemailer refuses before talking to any server can never be sent.
  const permanent = e.code === "EENVELOPE";
  return { reason: what && !message.includes(what) ? `${what}: ${message}` : message, permanent };
}
