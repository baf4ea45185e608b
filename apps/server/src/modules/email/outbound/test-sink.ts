import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/** What a test wants the sink to answer at the end of DATA, by recipient address. */
export type SinkAnswer = "accept" | { code: number; message: string };

export interface ReceivedMail {
  raw: Buffer;
  parsed: ParsedMail;
  recipients: string[];
  user: string | undefined;
}

export interface SmtpSink {
  port: number;
  received: ReceivedMail[];
  /** DATA attempts per recipient, accepted or not. */
  attempts: Map<string, number>;
  /** Decides the answer for each attempt; the default accepts everything. */
  answer: (recipient: string, attempt: number) => SinkAnswer;
  close(): Promise<void>;
}

/**
 * A real SMTP server (the smtp-server package) on a random loopback port, for tests of outgoing mail:
 * it requires the given login, keeps every accepted message with its parse, and answers what the
 * test says (for example 550 or a temporary 451) at the end of DATA.
 */
export async function startSmtpSink(credentials: { user: string; pass: string }): Promise<SmtpSink> {
  const sink: SmtpSink = {
    port: 0,
    received: [],
    attempts: new Map(),
    answer: () => "accept",
    close: async () => {},
  };
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authOptional: false,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.user && auth.password === credentials.pass) {
        callback(null, { user: auth.username });
      } else {
        callback(Object.assign(new Error("5.7.8 Authentication credentials invalid"), { responseCode: 535 }));
      }
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", async () => {
        const recipients = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        const key = recipients[0] ?? "";
        const attempt = (sink.attempts.get(key) ?? 0) + 1;
        sink.attempts.set(key, attempt);
        const answer = sink.answer(key, attempt);
        if (answer !== "accept") {
          callback(Object.assign(new Error(answer.message), { responseCode: answer.code }));
          return;
        }
        const raw = Buffer.concat(chunks);
        sink.received.push({
          raw,
          parsed: await simpleParser(raw),
          recipients,
          user: session.user as string,
        });
        callback(null, "2.0.0 Ok: queued by the test sink");
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  sink.port = (server.server.address() as AddressInfo).port;
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}
