import { randomBytes } from "node:crypto";
import MailComposer from "nodemailer/lib/mail-composer/index.js";

/** The demo workspace's email inbox, which every fresh Keepwell has. */
export const INBOX_ADDRESS = "support@demo.keepwell.test";
/** Marks the benchmark's conversations in the API's list. */
export const SUBJECT_PREFIX = "[bench-email]";

/**
 * Realistic support mail: a text and HTML body of 1-60 KB, and for about a third an attachment of
 * 20-110 KB (base64 on the wire), so messages range from a few KB to about 200 KB.
 */
export async function composeMessages(count: number): Promise<Buffer[]> {
  const words =
    "thanks order invoice login password refund shipping broken account billing please help".split(" ");
  const messages: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const bodyBytes = 1024 + Math.floor(Math.random() * 60 * 1024);
    let text = `Hello,\n\nmessage ${i} from the email benchmark.\n`;
    while (text.length < bodyBytes) text += `${words[Math.floor(Math.random() * words.length)]} `;
    const attachments =
      i % 3 === 0
        ? [
            {
              filename: `screenshot-${i}.png`,
              content: randomBytes(20 * 1024 + Math.floor(Math.random() * 90 * 1024)),
              contentType: "image/png",
            },
          ]
        : [];
    const composer = new MailComposer({
      from: `Customer ${i} <customer-${i}@customers.example>`,
      to: INBOX_ADDRESS,
      subject: `${SUBJECT_PREFIX} question ${i}`,
      messageId: `<bench-${i}-${randomBytes(6).toString("hex")}@customers.example>`,
      date: new Date(),
      text,
      html: `<p>${text.slice(0, 4096).replaceAll("\n", "<br>")}</p>`,
      attachments,
    });
    messages.push(await composer.compile().build());
  }
  return messages;
}

export const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : Number.NaN;

/** Runs `clients` workers that take the next message index until none is left; returns each one's time. */
export async function concurrently(
  count: number,
  clients: number,
  send: (client: number, index: number) => Promise<void>,
): Promise<{ seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (next < count) {
        const index = next++;
        const t0 = performance.now();
        await send(client, index);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latencies: latencies.sort((a, b) => a - b) };
}
