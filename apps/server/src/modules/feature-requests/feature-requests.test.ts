import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, createTestWorkspace, databaseKinds, type TestWorkspace } from "../../test/harness.ts";
import { verifyReplyToken } from "../email/reply-token.ts";
import {
  eventually,
  type MailServer,
  type MailWorkspace,
  mailWorkspace,
  rawMessage,
  sendRaw,
  startMailServer,
} from "../email/test-support.ts";

describe.each(databaseKinds)("feature requests on %s", (kind) => {
  let server: MailServer;
  let acme: MailWorkspace;
  let globex: TestWorkspace;
  const conversations: Record<string, string> = {};
  const contacts: Record<string, string> = {};
  const requests: Record<string, string> = {};

  /** A company with its MRR, a contact in it, and an email conversation where the contact wrote. */
  async function customer(key: string, company: { name: string; mrr_cents: number } | null) {
    const companyId = company ? (await acme.as.agent.post("/api/v1/companies", company)).body.id : null;
    const contact = await acme.as.agent.post("/api/v1/contacts", {
      name: `${key[0].toUpperCase()}${key.slice(1)} Customer`,
      email: `${key}@customers.example`,
      ...(companyId ? { company_id: companyId } : {}),
    });
    expect(contact.status).toBe(201);
    contacts[key] = contact.body.id;
    const conversation = await acme.as.agent.post("/api/v1/conversations", {
      inbox_id: acme.inboxId,
      subject: `A question from ${key}`,
      contact: { id: contact.body.id },
      message: { kind: "incoming", body_text: "Could you add this, please?" },
    });
    expect(conversation.status).toBe(201);
    conversations[key] = conversation.body.id;
  }

  beforeAll(async () => {
    server = await startMailServer(kind);
    acme = await mailWorkspace(server, "Acme");
    globex = await createTestWorkspace(server, "Globex");
    await customer("ines", { name: "Initech", mrr_cents: 50_000 });
    await customer("hank", { name: "Hooli", mrr_cents: 120_000 });
    await customer("tess", { name: "Tinyco", mrr_cents: 500 });
    await customer("toby", null);
    for (const title of ["Dark mode", "Single sign-on", "CSV export"]) {
      const created = await acme.as.agent.post("/api/v1/feature-requests", { title });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ title, status: "under_review", ask_count: 0, total_mrr_cents: 0 });
      requests[title] = created.body.id;
    }
  });
  afterAll(async () => {
    await server?.destroy();
  });

  const link = (client: ReturnType<typeof apiClient>, title: string, body: Record<string, unknown>) =>
    client.post(`/api/v1/feature-requests/${requests[title]}/asks`, body);

  it("links conversations to requests and weighs each request by the MRR of the companies that asked", async () => {
    const darkInes = await link(acme.as.agent, "Dark mode", {
      conversation_id: conversations.ines,
      asked_at: "2026-10-01T09:00:00Z",
    });
    expect(darkInes.status).toBe(201);
    expect(darkInes.body.created).toBe(true);
    expect((await link(acme.as.admin, "Dark mode", { conversation_id: conversations.tess })).status).toBe(
      201,
    );
    expect(
      (await link(acme.as.agent, "Dark mode", { contact_id: contacts.toby, note: "asked on a call" })).status,
    ).toBe(201);
    expect(
      (
        await link(acme.as.agent, "Single sign-on", {
          conversation_id: conversations.hank,
          asked_at: "2026-09-01T09:00:00Z",
        })
      ).status,
    ).toBe(201);

    // Linking the same conversation again answers the existing ask.
    const again = await link(acme.as.agent, "Dark mode", { conversation_id: conversations.ines });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, ask_id: darkInes.body.ask_id });

    const byMrr = await acme.as.viewer.get("/api/v1/feature-requests?sort=mrr");
    expect(byMrr.status).toBe(200);
    expect(byMrr.body.data.map((r: { title: string }) => r.title)).toEqual([
      "Single sign-on",
      "Dark mode",
      "CSV export",
    ]);
    const dark = byMrr.body.data[1];
    expect(dark).toMatchObject({ ask_count: 3, contact_count: 3, company_count: 2, total_mrr_cents: 50_500 });
    expect(dark.first_asked_at).toBe("2026-10-01T09:00:00.000Z");

    const byCount = await acme.as.viewer.get("/api/v1/feature-requests?sort=count&limit=1");
    expect(byCount.body.data.map((r: { title: string }) => r.title)).toEqual(["Dark mode"]);
    const second = await acme.as.viewer.get(
      `/api/v1/feature-requests?sort=count&limit=1&cursor=${byCount.body.next_cursor}`,
    );
    expect(second.body.data.map((r: { title: string }) => r.title)).toEqual(["Single sign-on"]);

    const recent = await acme.as.viewer.get("/api/v1/feature-requests?sort=recent");
    expect(recent.body.data[0].title).toBe("Dark mode");
    const search = await acme.as.viewer.get("/api/v1/feature-requests?q=sign");
    expect(search.body.data.map((r: { title: string }) => r.title)).toEqual(["Single sign-on"]);

    // MRR is read live: a company's new MRR moves the request.
    const hooli = (await acme.as.viewer.get(`/api/v1/contacts/${contacts.hank}`)).body.company_id;
    await acme.as.agent.patch(`/api/v1/companies/${hooli}`, { mrr_cents: 10_000 });
    const moved = await acme.as.viewer.get("/api/v1/feature-requests");
    expect(moved.body.data.map((r: { title: string }) => r.title)).toEqual([
      "Dark mode",
      "Single sign-on",
      "CSV export",
    ]);
  });

  it("shows who asked, when, from which conversation and what their company pays", async () => {
    const detail = await acme.as.viewer.get(`/api/v1/feature-requests/${requests["Dark mode"]}`);
    expect(detail.status).toBe(200);
    expect(detail.body.asks).toHaveLength(3);
    const ines = detail.body.asks.find((a: { contact: { id: string } }) => a.contact.id === contacts.ines);
    expect(ines).toMatchObject({
      asked_at: "2026-10-01T09:00:00.000Z",
      conversation_id: conversations.ines,
      company: { name: "Initech", mrr_cents: 50_000 },
      linked_by: { id: acme.agents.agent },
    });
    const toby = detail.body.asks.find((a: { contact: { id: string } }) => a.contact.id === contacts.toby);
    expect(toby).toMatchObject({ company: null, conversation_id: null, note: "asked on a call" });
    expect(detail.body.companies.map((c: { name: string }) => c.name)).toEqual(["Initech", "Tinyco"]);

    const sidebar = await acme.as.viewer.get(`/api/v1/conversations/${conversations.ines}/feature-requests`);
    expect(sidebar.body.data).toEqual([
      expect.objectContaining({
        request: { id: requests["Dark mode"], title: "Dark mode", status: "under_review" },
      }),
    ]);
  });

  it("answers bad input with a problem naming the field, and writes nothing", async () => {
    const before = await acme.as.viewer.get(`/api/v1/feature-requests/${requests["CSV export"]}`);
    const cases: [Record<string, unknown>, string][] = [
      [{}, "conversation_id"],
      [{ conversation_id: "00000000-0000-4000-8000-000000000000" }, "conversation_id"],
      [{ contact_id: "00000000-0000-4000-8000-000000000000" }, "contact_id"],
      [{ conversation_id: conversations.ines, contact_id: contacts.hank }, "contact_id"],
      [{ contact_id: contacts.toby, asked_at: "2999-01-01T00:00:00Z" }, "asked_at"],
    ];
    for (const [body, field] of cases) {
      const response = await link(acme.as.agent, "CSV export", body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.headers.get("content-type")).toMatch(/problem\+json/);
      expect(response.body.field).toBe(field);
    }
    expect((await acme.as.agent.post("/api/v1/feature-requests", { title: "  " })).body.field).toBe("title");
    const duplicate = await acme.as.agent.post("/api/v1/feature-requests", { title: "dark MODE" });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.field).toBe("title");
    const badStatus = await acme.as.agent.patch(`/api/v1/feature-requests/${requests["CSV export"]}`, {
      status: "done",
    });
    expect(badStatus.status).toBe(400);
    expect((await acme.as.viewer.get("/api/v1/feature-requests?sort=size")).status).toBe(400);
    expect((await acme.as.viewer.get("/api/v1/feature-requests?cursor=bogus")).status).toBe(400);
    expect(await acme.as.viewer.get(`/api/v1/feature-requests/${requests["CSV export"]}`)).toMatchObject({
      body: before.body,
    });
  });

  it("keeps each workspace's requests to itself and refuses writes to viewers", async () => {
    const intruder = apiClient(server.url, globex.tokens.owner);
    expect((await intruder.get(`/api/v1/feature-requests/${requests["Dark mode"]}`)).status).toBe(404);
    expect((await intruder.get("/api/v1/feature-requests")).body.data).toEqual([]);
    const crossLink = await intruder.post(`/api/v1/feature-requests/${requests["Dark mode"]}/asks`, {
      contact_id: contacts.toby,
    });
    expect(crossLink.status).toBe(404);
    const own = await intruder.post("/api/v1/feature-requests", { title: "Dark mode" });
    expect(own.status).toBe(201);
    const foreignConversation = await intruder.post(`/api/v1/feature-requests/${own.body.id}/asks`, {
      conversation_id: conversations.ines,
    });
    expect(foreignConversation.status).toBe(400);
    expect((await acme.as.viewer.post("/api/v1/feature-requests", { title: "Viewer idea" })).status).toBe(
      403,
    );
    expect((await acme.as.agent.delete(`/api/v1/feature-requests/${requests["CSV export"]}`)).status).toBe(
      403,
    );
  });

  it("on shipping records the time from first ask, drafts a personal email to each contact who asked, and sends them", async () => {
    const id = requests["Dark mode"];
    expect((await acme.as.agent.post(`/api/v1/feature-requests/${id}/notices/send`, {})).status).toBe(409);
    const shipped = await acme.as.agent.patch(`/api/v1/feature-requests/${id}`, { status: "shipped" });
    expect(shipped.status).toBe(200);
    expect(shipped.body.first_ask_to_ship_ms).toBe(
      Date.parse(shipped.body.shipped_at) - Date.parse("2026-10-01T09:00:00Z"),
    );

    const drafts = (await acme.as.viewer.get(`/api/v1/feature-requests/${id}/notices`)).body.data;
    expect(drafts).toHaveLength(3);
    const byContact = (key: string) =>
      drafts.find((n: { contact: { id: string } }) => n.contact.id === contacts[key]);
    expect(byContact("ines")).toMatchObject({ state: "draft", sender: { id: acme.agents.agent } });
    expect(byContact("tess")).toMatchObject({ state: "draft", sender: { id: acme.agents.admin } });
    expect(byContact("ines").body).toContain("Hi Ines,");
    expect(byContact("ines").body).toContain("October 1, 2026");

    const edited = await acme.as.agent.patch(
      `/api/v1/feature-requests/${id}/notices/${byContact("ines").id}`,
      {
        body: "Ines, dark mode is live. Thanks for pushing us!\n\nAcme Agent",
      },
    );
    expect(edited.status).toBe(200);
    await acme.as.agent.patch(`/api/v1/feature-requests/${id}/notices/${byContact("toby").id}`, {
      skip: true,
    });
    expect(
      (
        await acme.as.agent.patch(`/api/v1/feature-requests/${id}/notices/${byContact("ines").id}`, {
          subject: "",
        })
      ).status,
    ).toBe(400);

    const sent = await acme.as.agent.post(`/api/v1/feature-requests/${id}/notices/send`, {});
    expect(sent.status).toBe(200);
    expect(sent.body.sent).toBe(2);
    const inesNotice = sent.body.notices.find((n: { id: string }) => n.id === byContact("ines").id);
    expect(inesNotice.state).toBe("sent");
    expect((await acme.as.agent.post(`/api/v1/feature-requests/${id}/notices/send`, {})).body.sent).toBe(0);
    expect(
      (await acme.as.agent.patch(`/api/v1/feature-requests/${id}/notices/${inesNotice.id}`, { body: "late" }))
        .status,
    ).toBe(409);

    // The mail leaves from the agent who linked Ines, with a reply address that threads back.
    const conversationId = inesNotice.sent_conversation_id;
    const outbox = path.join(server.ctx.config.dataDir, "outbox");
    const mail = await eventually(async () => {
      const files = await readdir(outbox).catch(() => [] as string[]);
      for (const file of files) {
        const parsed = await simpleParser(await readFile(path.join(outbox, file)));
        if (parsed.text?.includes("dark mode is live")) return parsed;
      }
      return undefined;
    });
    expect(mail.from?.value[0].name).toBe("Acme agent");
    expect(mail.subject).toBe("You asked for it: Dark mode");
    const replyTo = mail.replyTo!.value[0].address!;
    expect(verifyReplyToken(server.ctx.config.secret, replyTo.split("+")[1].split("@")[0])).toEqual({
      workspaceId: acme.workspaceId,
      conversationId,
    });

    const answer = await sendRaw(
      server.smtpPort,
      { from: "ines@customers.example", to: [replyTo] },
      rawMessage({
        from: "Ines <ines@customers.example>",
        to: replyTo,
        subject: "Re: You asked for it",
        text: "Love it!",
      }),
    );
    expect(answer.ok).toBe(true);
    const thread = await eventually(async () => {
      const page = await acme.as.viewer.get(`/api/v1/conversations/${conversationId}/messages`);
      const incoming = page.body.data.filter((m: { kind: string }) => m.kind === "incoming");
      return incoming.length > 0 ? page.body.data : undefined;
    });
    expect(
      thread.filter((m: { kind: string }) => m.kind !== "activity").map((m: { kind: string }) => m.kind),
    ).toEqual(["outgoing", "incoming"]);
    // Sent resolved, so announcements stay out of the queue; the answer reopened it.
    expect((await acme.as.viewer.get(`/api/v1/conversations/${conversationId}`)).body.status).toBe("open");
  });
});
