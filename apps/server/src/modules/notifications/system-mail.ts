import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import nodemailer from "nodemailer";

export interface SystemMail {
  to: string;
  subject: string;
  text: string;
  kind: "password_reset" | "invitation";
}

/**
 * Mail that Keepwell sends to its own users (password resets, invitations). Until an outgoing
 * server is configured it is written as .eml files under `outbox/` in the data directory, and the
 * link is logged, so a newcomer can still reset a password or invite a colleague.
 */
export class SystemMailer {
  readonly sent: SystemMail[] = [];
  readonly #outbox: string | undefined;
  readonly #from: string;
  readonly #log: (message: string) => void;

  constructor(options: { dataDir: string; baseUrl: string; log: (message: string) => void }) {
    this.#outbox = options.dataDir === "memory://" ? undefined : path.join(options.dataDir, "outbox");
    this.#from = `Keepwell <no-reply@${new URL(options.baseUrl).hostname}>`;
    this.#log = options.log;
  }

  async send(mail: SystemMail): Promise<void> {
    this.sent.push(mail);
    if (this.sent.length > 100) this.sent.shift();
    this.#log(
      `${mail.kind} mail for ${mail.to}: ${mail.text.split("\n").find((l) => l.startsWith("http")) ?? ""}`,
    );
    if (!this.#outbox) return;
    const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
    const info = await transport.sendMail({
      from: this.#from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
    });
    await mkdir(this.#outbox, { recursive: true });
    await writeFile(path.join(this.#outbox, `${Date.now()}-${mail.kind}.eml`), info.message as Buffer);
  }

  passwordReset(input: { email: string; link: string }): Promise<void> {
    return this.send({
      kind: "password_reset",
      to: input.email,
      subject: "Reset your Keepwell password",
      text: `Someone asked to reset the password of your Keepwell account.\nIf it was you, open this link within an hour:\n\n${input.link}\n\nIf it was not you, ignore this message.\n`,
    });
  }

  invitation(input: {
    email: string;
    link: string;
    workspaceName: string;
    inviterName: string;
  }): Promise<void> {
    return this.send({
      kind: "invitation",
      to: input.email,
      subject: `${input.inviterName} invited you to ${input.workspaceName} on Keepwell`,
      text: `${input.inviterName} invited you to answer customers with the ${input.workspaceName} team.\nAccept within 7 days:\n\n${input.link}\n`,
    });
  }
}
