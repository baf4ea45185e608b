import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../../test/harness.ts";
import { CORPUS_SIZE_LIMIT, corpus } from "./corpus/cases.ts";
import {
  eventually,
  type MailServer,
  type MailWorkspace,
  mailWorkspace,
  sendRaw,
  startMailServer,
} from "./test-support.ts";

describe.each(databaseKinds)("the malformed mail corpus (%s)", (kind) => {
  let server: MailServer;
  let acme: MailWorkspace;

  beforeAll(async () => {
    server = await startMailServer(kind, { SMTP_MAX_MESSAGE_BYTES: String(CORPUS_SIZE_LIMIT) });
    acme = await mailWorkspace(server, "Acme");
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it.each(corpus)("handles $name with a clear reply or a stored message", async (testCase) => {
    const sent = await sendRaw(
      server.smtpPort,
      { from: "ada@customer.example", to: [acme.address] },
      testCase.raw(),
    );
    if (testCase.code !== 250) {
      expect(sent).toMatchObject({ ok: false, code: testCase.code });
      return;
    }
    expect(sent.ok, sent.response).toBe(true);
    const inboundId = /Stored as ([0-9a-f-]{36})/.exec(sent.response)?.[1];
    expect(inboundId).toBeDefined();
    const row = await eventually(async () => {
      const stored = await server.ctx.db
        .selectFrom("inbound_emails")
        .select(["state", "message_id", "conversation_id", "last_error"])
        .where("workspace_id", "=", acme.workspaceId)
        .where("id", "=", inboundId!)
        .executeTakeFirst();
      return stored?.state !== "received" ? stored : undefined;
    }, 30_000);
    expect(row.state, row.last_error ?? "").toBe("processed");
    const messages = await acme.as.agent.get(
      `/api/v1/conversations/${row.conversation_id}/messages?limit=100`,
    );
    const message = messages.body.data.find((m: { id: string }) => m.id === row.message_id);
    expect(message).toBeDefined();
    if (testCase.warning)
      expect((message.metadata.parse_warnings ?? []).join("\n")).toMatch(testCase.warning);
    testCase.check?.(message);
    const raw = await acme.as.agent.get(`/api/v1/messages/${message.id}/raw`);
    expect(raw.status).toBe(200);
  });

  it("keeps serving after the whole corpus", async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const sent = await sendRaw(
      server.smtpPort,
      { from: "ada@customer.example", to: [acme.address] },
      `From: ada@customer.example\r\nTo: ${acme.address}\r\nSubject: Still here\r\n\r\nHello again.\r\n`,
    );
    expect(sent.ok).toBe(true);
  });
});
