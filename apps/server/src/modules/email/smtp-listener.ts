import {
  type SMTPServerAddress,
  SMTPServer,
  type SMTPServerDataStream,
  type SMTPServerSession,
} from "smtp-server";
import type { AppContext } from "../../context.ts";
import { type ResolvedRecipient, resolveRecipient, storeDelivery } from "./inbound-store.ts";
import { inboundMessageLimit } from "./service.ts";

const MAX_RECIPIENTS = 100;
/** RFC 5321 section 6.3: a message that went through this many relays is looping. */
const MAX_RECEIVED_HEADERS = 50;

export interface SmtpListener {
  port: number;
  close(): Promise<void>;
}

/** An SMTP reply with a code: smtp-server sends `responseCode` and the message to the client. */
function reply(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * The inbound SMTP listener. It accepts mail for known inbox and forwarding addresses (550 for any
 * other), refuses mail over the size limit with 552 (advertised through SIZE, and counted), and
 * answers 250 only once the raw message is committed to the database.
 */
export async function startSmtpListener(ctx: AppContext): Promise<SmtpListener> {
  const { smtp } = ctx.config;
  const server = new SMTPServer({
    name: smtp.domain,
    banner: "Keepwell ready",
    size: smtp.maxMessageBytes,
    rejectOversized: true,
    authOptional: true,
    disabledCommands: smtp.tls ? ["AUTH"] : ["AUTH", "STARTTLS"],
    ...(smtp.tls ? { key: smtp.tls.key, cert: smtp.tls.cert } : {}),
    disableReverseLookup: true,
    hideENHANCEDSTATUSCODES: false,
    maxClients: 500,
    socketTimeout: 60_000,
    closeTimeout: 5_000,
    logger: false,
    onRcptTo(address, session, callback) {
      if (session.envelope.rcptTo.length >= MAX_RECIPIENTS) {
        callback(reply(452, "Too many recipients in one message; send the rest separately"));
        return;
      }
      acceptRecipient(ctx, address, declaredSize(session)).then(
        () => callback(),
        (error: Error & { responseCode?: number }) => {
          if (error.responseCode) {
            callback(error);
            return;
          }
          ctx.log.error({ err: error }, "smtp: recipient lookup failed");
          callback(reply(451, "Temporary failure looking up the recipient; try again later"));
        },
      );
    },
    onData(stream, session, callback) {
      receive(ctx, stream, session).then(
        (text) => callback(null, text),
        (error: Error & { responseCode?: number }) => {
          if (!error.responseCode) ctx.log.error({ err: error }, "smtp: storing a message failed");
          callback(
            error.responseCode ? error : reply(451, "Temporary failure storing the message; try again later"),
          );
        },
      );
    },
  });
  server.on("error", (error) => ctx.log.error({ err: error }, "smtp: server error"));

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new Error(
              `SMTP_PORT ${smtp.port} is in use: choose another port, or set SMTP_PORT=0 to turn the listener off`,
            )
          : error,
      );
    };
    server.server.once("error", onError);
    server.listen(smtp.port, smtp.host, () => {
      server.server.off("error", onError);
      resolve();
    });
  });
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : smtp.port;
  ctx.log.info({ port, domain: smtp.domain, starttls: Boolean(smtp.tls) }, "smtp: listening");
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The size the client announced with MAIL FROM:<…> SIZE=n (RFC 1870), if it did. */
function declaredSize(session: SMTPServerSession): number | undefined {
  const args = session.envelope.mailFrom ? session.envelope.mailFrom.args : false;
  const size = Number(args ? (args as { SIZE?: string }).SIZE : Number.NaN);
  return Number.isFinite(size) && size > 0 ? size : undefined;
}

interface AcceptedRecipient {
  recipient: ResolvedRecipient;
  limit: number;
}

/**
 * What RCPT TO found for each accepted address, keyed by the address object smtp-server keeps in
 * the envelope, so DATA does not look it up again.
 */
const accepted = new WeakMap<object, AcceptedRecipient>();

/**
 * RCPT TO: the address must be an inbox (550), and a message announced as larger than that
 * inbox's workspace takes is refused right away (552) rather than after it was sent.
 */
async function acceptRecipient(
  ctx: AppContext,
  address: SMTPServerAddress,
  size: number | undefined,
): Promise<void> {
  const found = await lookUpRecipient(ctx, address.address);
  if (!found) throw reply(550, `No Keepwell inbox has the address <${address.address}>`);
  if (size !== undefined && size > found.limit)
    throw reply(552, `Message too large for <${address.address}>: the limit is ${found.limit} bytes`);
  accepted.set(address, found);
}

async function lookUpRecipient(ctx: AppContext, address: string): Promise<AcceptedRecipient | null> {
  const recipient = await resolveRecipient(ctx.db, ctx.config.smtp.domain, address);
  if (!recipient) return null;
  return { recipient, limit: await inboundMessageLimit(ctx, recipient.workspaceId) };
}

async function receive(
  ctx: AppContext,
  stream: SMTPServerDataStream,
  session: SMTPServerSession,
): Promise<string> {
  const ceiling = ctx.config.smtp.maxMessageBytes;
  const chunks: Buffer[] = [];
  let size = 0;
  // Keep reading past the limit (the client is still sending), but stop keeping the bytes.
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= ceiling) chunks.push(chunk);
  }
  if (stream.sizeExceeded || size > ceiling) {
    throw reply(552, `Message too large: the limit is ${ceiling} bytes`);
  }
  const raw = Buffer.concat(chunks, size);
  if (raw.length === 0 || raw.toString("latin1").trim() === "") throw reply(554, "Empty message refused");
  if (countReceivedHeaders(raw) > MAX_RECEIVED_HEADERS)
    throw reply(554, "Mail loop detected: too many Received headers");

  const found: AcceptedRecipient[] = [];
  for (const rcpt of session.envelope.rcptTo) {
    const recipient = accepted.get(rcpt) ?? (await lookUpRecipient(ctx, rcpt.address));
    if (recipient) found.push(recipient);
  }
  if (found.length === 0) throw reply(550, "None of the recipients is a Keepwell inbox any more");
  // One reply covers every recipient, so the smallest limit among their workspaces applies.
  const limit = Math.min(...found.map((f) => f.limit));
  if (raw.length > limit) throw reply(552, `Message too large: the limit is ${limit} bytes`);
  const recipients = found.map((f) => f.recipient);
  const mailFrom = session.envelope.mailFrom;
  const stored = await storeDelivery(ctx, {
    raw,
    envelopeFrom: mailFrom ? mailFrom.address : null,
    recipients,
    source: "smtp",
  });
  const fresh = stored.filter((s) => s.created).length;
  return fresh === stored.length ? `Stored as ${stored[0].id}` : `Already stored as ${stored[0].id}`;
}

function countReceivedHeaders(raw: Buffer): number {
  const headEnd = raw.indexOf("\r\n\r\n");
  const head = raw.subarray(0, headEnd >= 0 ? headEnd : Math.min(raw.length, 512 * 1024)).toString("latin1");
  return head.match(/^received:/gim)?.length ?? 0;
}
