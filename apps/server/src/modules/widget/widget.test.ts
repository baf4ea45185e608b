import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, databaseKinds, type TestServer, startTestServer } from "../../test/harness.ts";
import { StreamClient } from "../realtime/stream-test-client.ts";
import {
  type ConversationFixture,
  conversationWorkspace,
  eventually,
  uploadFile,
} from "../conversations/test-support.ts";
import { createWorkspace } from "../workspaces/service.ts";
import { seedHelpCenter } from "../help-center/demo.ts";
import { seedDemoWidget } from "./demo.ts";
import { signUserId } from "./identity.ts";
import { VISITOR_UPLOAD_MAX_BYTES } from "./site-routes.ts";
import { VisitorSocket, visitorSession, visitorUpload } from "./test-support.ts";

describe.each(databaseKinds)("chat widget on %s", (kind) => {
  let server: TestServer;
  let acme: ConversationFixture;
  let inboxId: string;
  let key: string;
  const sockets: VisitorSocket[] = [];
  const open = async (
    ...args: Parameters<typeof VisitorSocket.open> extends [string, string, ...infer R] ? R : never
  ) => {
    const socket = await VisitorSocket.open(server.url, key, ...args);
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    server = await startTestServer(kind);
    acme = await conversationWorkspace(server, "Acme");
    const inbox = await acme.as.owner.post("/api/v1/inboxes", { name: "Website chat", channel: "chat" });
    inboxId = inbox.body.id;
    const widget = await acme.as.viewer.get(`/api/v1/inboxes/${inboxId}/widget`);
    expect(widget.status).toBe(200);
    key = widget.body.public_key;
    // Opening hours are tested on their own; here the widget answers around the clock.
    await acme.as.admin.put(`/api/v1/inboxes/${inboxId}/widget`, { respect_business_hours: false });
  });

  const openOtherConversation = async () =>
    (
      await acme.as.agent.post("/api/v1/conversations", {
        inbox_id: acme.inboxes.api,
        contact: { email: "api@customer.test" },
        message: { kind: "incoming", body_text: "via the API" },
      })
    ).body.id as string;

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await server?.destroy();
  });

  it("keeps settings per chat inbox and gives the embed snippet", async () => {
    const saved = await acme.as.admin.put(`/api/v1/inboxes/${inboxId}/widget`, {
      color: "#FF6600",
      greeting: "  Hello there  ",
      reply_time: "hours",
      languages: ["en", "bn"],
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ color: "#ff6600", greeting: "Hello there", reply_time: "hours" });
    expect(saved.body.snippet).toContain(`data-keepwell-widget="${key}"`);
    expect(saved.body.snippet).toContain("/widget.js");
    expect(saved.body.identity_secret_set).toBe(false);

    const badOrigin = await acme.as.admin.put(`/api/v1/inboxes/${inboxId}/widget`, {
      allowed_origins: ["https://ok.example", "javascript:alert(1)"],
    });
    expect(badOrigin.status).toBe(400);
    expect(badOrigin.body.field).toBe("allowed_origins.1");
    const badColour = await acme.as.admin.put(`/api/v1/inboxes/${inboxId}/widget`, { color: "red" });
    expect(badColour.status).toBe(400);
    const email = await acme.as.admin.get(`/api/v1/inboxes/${acme.inboxes.email}/widget`);
    expect(email.status).toBe(409);
    expect(email.body.type).toMatch(/not_a_chat_inbox/);
  });

  it("lets a visitor chat over the socket while the agent sees it live and answers", async () => {
    const session = await visitorSession(server, key, { name: "Vee" });
    expect(session.status).toBe(200);
    expect(session.body.token).toMatch(/^[0-9a-f-]{36}\./);
    expect(session.body.visitor).toMatchObject({ name: "Vee", verified: false });

    const agentStream = await StreamClient.open(server.url, { token: acme.tokens.agent });
    // Presence reaches the board through the event bus (a NOTIFY round trip on PostgreSQL).
    await eventually(async () => {
      const body = await (await fetch(`${server.url}/widget/v1/${key}/config`)).json();
      return body.availability.agents_online === 1 ? body : undefined;
    });
    const visitor = await open({ token: session.body.token });
    const ready = visitor.frames.find((f) => f.type === "ready")!;
    expect(ready.messages).toEqual([]);
    expect(ready.availability).toMatchObject({ agents_online: 1, open: true, online: true });

    visitor.send({ type: "message", body: "Hi, is the export broken?", client_id: "c1" });
    const ack = await visitor.next("ack");
    expect(ack).toMatchObject({
      client_id: "c1",
      message: { from: "visitor", body: "Hi, is the export broken?" },
    });
    const created = await agentStream.next((f) => f.type === "conversation.created");
    const conversationId = created.data.id as string;
    const conversation = await acme.as.agent.get(`/api/v1/conversations/${conversationId}`);
    expect(conversation.body).toMatchObject({
      channel: "chat",
      inbox_id: inboxId,
      preview: "Hi, is the export broken?",
    });

    // The agent types, writes a note (never shown to the visitor) and replies.
    agentStream.socket.send(JSON.stringify({ type: "typing", conversation_id: conversationId }));
    const typing = await visitor.next("typing");
    expect(typing.agent.name).toBe("Acme");
    await acme.as.agent.post(`/api/v1/conversations/${conversationId}/messages`, {
      kind: "note",
      body_text: "internal: customer is on the old plan",
    });
    await acme.as.agent.post(`/api/v1/conversations/${conversationId}/messages`, {
      kind: "outgoing",
      body_text: "Not broken — try the CSV button.",
    });
    const reply = await visitor.next("message", (f) => f.message.from === "agent");
    expect(reply.message).toMatchObject({
      body: "Not broken — try the CSV button.",
      agent: { name: "Acme" },
    });
    expect(JSON.stringify(reply)).not.toMatch(/agent@|author_agent_id|workspace/);
    expect(visitor.frames.some((f) => JSON.stringify(f).includes("internal:"))).toBe(false);

    // The visitor types and reads; agents hear both.
    visitor.send({ type: "typing" });
    const visitorTyping = await agentStream.next(
      (f) => f.type === "typing" && f.data.conversation_id === conversationId,
    );
    expect(visitorTyping.data.name).toBe("Vee");
    visitor.send({ type: "read" });
    await agentStream.next((f) => f.type === "widget.read");

    // A reconnect with the last message it has catches up on what came after.
    visitor.close();
    await acme.as.agent.post(`/api/v1/conversations/${conversationId}/messages`, {
      kind: "outgoing",
      body_text: "Anything else?",
    });
    const again = await open({ token: session.body.token, after: ack.message.id });
    const catchUp = again.frames.find((f) => f.type === "ready")!;
    expect(catchUp.messages.map((m: { body: string }) => m.body)).toEqual([
      "Not broken — try the CSV button.",
      "Anything else?",
    ]);
    const full = await open({ token: session.body.token });
    expect(full.frames.find((f) => f.type === "ready")!.messages).toHaveLength(3);

    // Another visitor sees nothing of this conversation.
    const other = await visitorSession(server, key, {});
    const stranger = await open({ token: other.body.token });
    expect(stranger.frames.find((f) => f.type === "ready")!.messages).toEqual([]);
    await acme.as.agent.post(`/api/v1/conversations/${conversationId}/messages`, {
      kind: "outgoing",
      body_text: "Only for Vee",
    });
    await again.next("message", (f) => f.message.body === "Only for Vee");
    expect(stranger.frames.some((f) => JSON.stringify(f).includes("Only for Vee"))).toBe(false);
    await agentStream.close();
  });

  it("gives the visitor the files agents send, only with their own token", async () => {
    const session = await visitorSession(server, key, { name: "Fay" });
    const visitor = await open({ token: session.body.token });
    visitor.send({ type: "message", body: "Can I have the invoice?", client_id: "f1" });
    await visitor.next("ack");
    const list = await acme.as.agent.get(`/api/v1/conversations?inbox_id=${inboxId}&limit=100`);
    const conversationId = list.body.data.find(
      (c: { preview: string }) => c.preview === "Can I have the invoice?",
    ).id;
    const upload = await uploadFile(server, acme.tokens.agent, {
      name: "invoice.txt",
      content: "INVOICE 42",
    });
    await acme.as.agent.post(`/api/v1/conversations/${conversationId}/messages`, {
      kind: "outgoing",
      body_text: "Here it is.",
      attachment_ids: [upload.body.id],
    });
    const frame = await visitor.next("message", (f) => f.message.body === "Here it is.");
    expect(frame.message.attachments).toEqual([
      {
        id: upload.body.id,
        filename: "invoice.txt",
        content_type: expect.stringContaining("text/plain"),
        size_bytes: 10,
      },
    ]);
    const url = `${server.url}/widget/v1/${key}/attachments/${upload.body.id}`;
    const download = await fetch(url, { headers: { authorization: `Visitor ${session.body.token}` } });
    expect(download.status).toBe(200);
    expect(download.headers.get("content-disposition")).toMatch(/^attachment;/);
    expect(await download.text()).toBe("INVOICE 42");
    const stranger = await visitorSession(server, key, {});
    const refused = await fetch(url, { headers: { authorization: `Visitor ${stranger.body.token}` } });
    expect(refused.status).toBe(404);
    expect((await fetch(url)).status).toBe(401);
  });

  it("takes files from the visitor within limits, shows them to agents, and only in their own chat", async () => {
    const session = await visitorSession(server, key, { name: "Uma" });
    const visitor = await open({ token: session.body.token });
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
    const uploaded = await visitorUpload(server, key, session.body.token, {
      name: "screenshot.png",
      content: png,
      type: "image/png",
    });
    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toMatchObject({
      filename: "screenshot.png",
      content_type: "image/png",
      size_bytes: 12,
    });

    visitor.send({ type: "message", body: "", attachment_ids: [uploaded.body.id], client_id: "u1" });
    const ack = await visitor.next("ack", (f) => f.client_id === "u1");
    expect(ack.message.attachments).toEqual([
      { id: uploaded.body.id, filename: "screenshot.png", content_type: "image/png", size_bytes: 12 },
    ]);
    const { conversation_id: conversationId } = await server.ctx.db
      .selectFrom("widget_conversations")
      .select("conversation_id")
      .where("visitor_id", "=", session.body.visitor.id)
      .executeTakeFirstOrThrow();
    const messages = await acme.as.agent.get(`/api/v1/conversations/${conversationId}/messages`);
    expect(messages.body.data[0].attachments[0].id).toBe(uploaded.body.id);
    const asAgent = await fetch(`${server.url}/api/v1/attachments/${uploaded.body.id}`, {
      headers: { authorization: `Bearer ${acme.tokens.viewer}` },
    });
    expect(new Uint8Array(await asAgent.arrayBuffer())).toEqual(png);

    // The visitor fetches their own file; another visitor cannot, nor claim it for their message.
    const url = `${server.url}/widget/v1/${key}/attachments/${uploaded.body.id}`;
    expect((await fetch(url, { headers: { authorization: `Visitor ${session.body.token}` } })).status).toBe(
      200,
    );
    const stranger = await visitorSession(server, key, {});
    expect((await fetch(url, { headers: { authorization: `Visitor ${stranger.body.token}` } })).status).toBe(
      404,
    );
    const strangerSocket = await open({ token: stranger.body.token });
    strangerSocket.send({
      type: "message",
      body: "mine now",
      attachment_ids: [uploaded.body.id],
      client_id: "s",
    });
    const refused = await strangerSocket.next("error", (f) => f.field === "attachment_ids");
    expect(refused.code).toBe("invalid_input");
    strangerSocket.send({ type: "message", body: "x", attachment_ids: ["../etc/passwd"], client_id: "s2" });
    expect((await strangerSocket.next("error", (f) => f.client_id === "s2")).field).toBe("attachment_ids");

    // Wrong type, too large, no token: refused with the field, nothing stored.
    const exe = await visitorUpload(server, key, session.body.token, {
      name: "setup.exe",
      content: "MZ",
      type: "application/x-msdownload",
    });
    expect(exe.status).toBe(415);
    expect(exe.body.field).toBe("file");
    const huge = await visitorUpload(server, key, session.body.token, {
      name: "big.txt",
      content: new Uint8Array(VISITOR_UPLOAD_MAX_BYTES + 1),
      type: "text/plain",
    });
    expect(huge.status).toBe(413);
    expect(huge.body.field).toBe("file");
    const anonymous = await visitorUpload(server, key, null, {
      name: "a.txt",
      content: "a",
      type: "text/plain",
    });
    expect(anonymous.status).toBe(401);
    const stored = await server.ctx.db
      .selectFrom("attachments")
      .select("filename")
      .where("workspace_id", "=", acme.workspaceId)
      .where("filename", "in", ["setup.exe", "big.txt", "a.txt"])
      .execute();
    expect(stored).toEqual([]);
  });

  it("tells agents the visitor's page, browser, language and local time, and when they type", async () => {
    const session = await visitorSession(server, key, { name: "Cleo" });
    const visitor = await open({
      token: session.body.token,
      headers: {
        "user-agent":
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
      },
    });
    visitor.send({ type: "message", body: "Where is the billing page?", client_id: "x1" });
    await visitor.next("ack");
    const list = await acme.as.agent.get(`/api/v1/conversations?inbox_id=${inboxId}&limit=100`);
    const conversationId = list.body.data.find(
      (c: { preview: string }) => c.preview === "Where is the billing page?",
    ).id;
    const agentStream = await StreamClient.open(server.url, { token: acme.tokens.agent });
    visitor.send({
      type: "context",
      page_url: "https://app.customer.test/settings/billing?tab=plan",
      page_title: "Billing — Customer app",
      language: "bn-IN",
      time_zone: "Asia/Kolkata",
    });
    await agentStream.next((f) => f.type === "widget.visitor" && f.data.conversation_id === conversationId);
    const info = await acme.as.viewer.get(`/api/v1/conversations/${conversationId}/visitor`);
    expect(info.body.context).toMatchObject({
      page_url: "https://app.customer.test/settings/billing?tab=plan",
      page_title: "Billing — Customer app",
      language: "bn-IN",
      time_zone: "Asia/Kolkata",
      browser: "Chrome 131",
      os: "Windows",
    });
    expect(info.body.verified).toBe(false);

    // What is not a page, a language or a zone is dropped, never stored.
    visitor.send({
      type: "context",
      page_url: "javascript:alert(1)",
      language: "<b>",
      time_zone: "Mars/Olympus",
    });
    const visitorEvents = () =>
      agentStream.frames.filter(
        (f) => f.type === "widget.visitor" && f.data.conversation_id === conversationId,
      );
    await agentStream.until(() => (visitorEvents().length >= 2 ? true : undefined));
    const cleaned = await acme.as.viewer.get(`/api/v1/conversations/${conversationId}/visitor`);
    expect(cleaned.body.context.page_url).toBeUndefined();
    expect(cleaned.body.context.language).toBeUndefined();
    expect(cleaned.body.context.time_zone).toBeUndefined();

    const initech = await conversationWorkspace(server, "Initech");
    expect((await initech.as.owner.get(`/api/v1/conversations/${conversationId}/visitor`)).status).toBe(404);

    visitor.send({ type: "typing" });
    const typing = await agentStream.next(
      (f) => f.type === "typing" && f.data.conversation_id === conversationId,
    );
    expect(typing.data).toMatchObject({ visitor: true, name: "Cleo" });
    await agentStream.close();
  });

  it("answers bad frames, oversize messages and floods with clear errors and stores nothing", async () => {
    const session = await visitorSession(server, key, {});
    const visitor = await open({ token: session.body.token });
    visitor.send("{not json");
    expect((await visitor.next("error")).code).toBe("malformed_frame");
    visitor.send({ type: "dance" });
    expect((await visitor.next("error", (f) => f.code === "unknown_frame_type")).field).toBe("type");
    visitor.send({ type: "message", body: "x".repeat(5001), client_id: "big" });
    const tooBig = await visitor.next("error", (f) => f.client_id === "big" || f.field === "body");
    expect(tooBig.field).toBe("body");
    visitor.send({ type: "message", body: "   " });
    expect((await visitor.next("error", (f) => f.code === "invalid_input")).field).toBe("body");
    const list = await acme.as.agent.get(`/api/v1/conversations?inbox_id=${inboxId}&limit=100`);
    const before = list.body.data.length;

    const flooder = await open({ token: (await visitorSession(server, key, {})).body.token });
    for (let i = 0; i < 25; i++) flooder.send({ type: "message", body: `flood ${i}`, client_id: `f${i}` });
    const limited = await flooder.next("error", (f) => f.code === "rate_limited");
    expect(limited.retry_after).toBeGreaterThan(0);
    await flooder.next("ack", (f) => f.client_id === "f19");
    const acks = flooder.frames.filter((f) => f.type === "ack").length;
    expect(acks).toBe(20);
    const after = await acme.as.agent.get(`/api/v1/conversations?inbox_id=${inboxId}&limit=100`);
    expect(after.body.data.length).toBe(before + 1);

    const unauthenticated = await open();
    unauthenticated.send({ type: "message", body: "hello" });
    expect((await unauthenticated.next("error")).code).toBe("unauthorized");
    const forged = await open();
    forged.send({ type: "auth", token: `${session.body.visitor.id}.${"A".repeat(32)}` });
    expect((await forged.closed).code).toBe(4401);
  });

  it("keeps the page's attributes on the visitor and shows agents who they are talking to", async () => {
    const session = await visitorSession(server, key, { name: "Ava" });
    const visitor = await open({ token: session.body.token });
    visitor.send({ type: "attributes", attributes: ["not", "an", "object"] });
    expect((await visitor.next("error")).field).toBe("attributes");
    visitor.send({ type: "attributes", attributes: { plan: "Scale", seats: 12, "bad key!": 1 } });
    expect((await visitor.next("error", (f) => f.field === "attributes.bad key!")).code).toBe(
      "invalid_input",
    );
    visitor.send({ type: "attributes", attributes: { plan: "Scale", seats: 12 } });
    await visitor.next("attributes_saved");
    visitor.send({ type: "message", body: "Hello", client_id: "a1" });
    await visitor.next("ack");
    const list = await acme.as.agent.get(`/api/v1/conversations?inbox_id=${inboxId}&limit=100`);
    const conversationId = list.body.data.find((c: { preview: string }) => c.preview === "Hello").id;
    const info = await acme.as.viewer.get(`/api/v1/conversations/${conversationId}/visitor`);
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({
      name: "Ava",
      verified: false,
      attributes: { plan: "Scale", seats: 12 },
    });
    const other = await openOtherConversation();
    expect((await acme.as.agent.get(`/api/v1/conversations/${other}/visitor`)).status).toBe(404);
  });

  it("links only correctly signed identities to a contact, compared in constant time", async () => {
    const rotated = await acme.as.admin.post(`/api/v1/inboxes/${inboxId}/widget/identity-secret`);
    expect(rotated.status).toBe(200);
    const secret = rotated.body.identity_secret as string;
    const identity = { user_id: "user-42", email: "grace@customer.test", name: "Grace" };

    const signed = await visitorSession(server, key, {
      identity: { ...identity, user_hash: signUserId(secret, "user-42") },
    });
    expect(signed.body.identity_verified).toBe(true);
    const again = await visitorSession(server, key, {
      identity: { ...identity, user_hash: signUserId(secret, "user-42") },
    });
    expect(again.body.visitor.id).not.toBe(signed.body.visitor.id);
    const contacts = await acme.as.agent.get("/api/v1/contacts?q=grace@customer.test");
    expect(contacts.body.data).toHaveLength(1);

    // A forged or missing signature never reaches Grace's contact.
    for (const user_hash of [signUserId("wrong-secret", "user-42"), "zz", undefined]) {
      const forged = await visitorSession(server, key, { identity: { ...identity, user_hash } });
      expect(forged.status).toBe(200);
      expect(forged.body.identity_verified).toBe(false);
      const socket = await open({ token: forged.body.token });
      socket.send({ type: "message", body: "I am Grace, honest", client_id: "spoof" });
      await socket.next("ack");
    }
    const graceId = contacts.body.data[0].id;
    const graceConversations = await acme.as.agent.get(`/api/v1/conversations?contact_id=${graceId}`);
    expect(graceConversations.body.data).toHaveLength(0);
    const stillOne = await acme.as.agent.get("/api/v1/contacts?q=grace@customer.test");
    expect(stillOne.body.data).toHaveLength(1);

    // A signed user cannot claim another contact's email address either.
    const taker = await visitorSession(server, key, {
      identity: {
        user_id: "user-99",
        email: "grace@customer.test",
        user_hash: signUserId(secret, "user-99"),
      },
    });
    expect(taker.body.identity_verified).toBe(true);
    const takerSocket = await open({ token: taker.body.token });
    takerSocket.send({ type: "message", body: "hello", client_id: "t" });
    await takerSocket.next("ack");
    expect((await acme.as.agent.get(`/api/v1/conversations?contact_id=${graceId}`)).body.data).toHaveLength(
      0,
    );

    await acme.as.admin.put(`/api/v1/inboxes/${inboxId}/widget`, { require_verified: true });
    const anonymous = await visitorSession(server, key, {});
    expect(anonymous.status).toBe(403);
    expect(anonymous.body.type).toMatch(/identity_required/);
    const wrong = await visitorSession(server, key, { identity: { ...identity, user_hash: "0".repeat(64) } });
    expect(wrong.status).toBe(403);
    expect(wrong.body.field).toBe("identity.user_hash");
    await acme.as.admin.put(`/api/v1/inboxes/${inboxId}/widget`, { require_verified: false });
  });

  it("refuses origins the inbox does not allow, and unknown widget keys", async () => {
    await acme.as.admin.put(`/api/v1/inboxes/${inboxId}/widget`, {
      allowed_origins: ["https://shop.example"],
    });
    const refused = await visitorSession(server, key, {}, { origin: "https://evil.example" });
    expect(refused.status).toBe(403);
    expect(refused.body.field).toBe("Origin");
    await expect(VisitorSocket.open(server.url, key, { origin: "https://evil.example" })).rejects.toThrow(
      /403/,
    );
    const allowed = await visitorSession(server, key, {}, { origin: "https://shop.example" });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://shop.example");
    const frame = await fetch(`${server.url}/widget/frame/${key}`);
    expect(frame.headers.get("content-security-policy")).toContain(
      "frame-ancestors 'self' https://shop.example",
    );
    await acme.as.admin.put(`/api/v1/inboxes/${inboxId}/widget`, { allowed_origins: [] });
    expect((await visitorSession(server, "kwc_unknownunknown", {})).status).toBe(404);
  });

  it("says when nobody is online and remembers the visitor's email for the reply", async () => {
    const config = await eventually(async () => {
      const body = await (await fetch(`${server.url}/widget/v1/${key}/config`)).json();
      return body.availability.agents_online === 0 ? body : undefined;
    });
    expect(config.availability).toMatchObject({ online: false, open: true });
    const session = await visitorSession(server, key, {});
    const visitor = await open({ token: session.body.token });
    visitor.send({ type: "email", email: "not-an-email" });
    expect((await visitor.next("error")).field).toBe("email");
    visitor.send({ type: "email", email: "late@customer.test" });
    expect((await visitor.next("email_saved")).email).toBe("late@customer.test");
  });

  it("outside opening hours says when the team is back", async () => {
    const hour = (new Date().getUTCHours() + 12) % 23;
    const clock = (h: number) => `${String(h).padStart(2, "0")}:00`;
    const day = [{ open: clock(hour), close: clock(hour + 1) }];
    const week = Object.fromEntries(
      ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"].map((d) => [d, day]),
    );
    const patched = await acme.as.owner.patch("/api/v1/workspace", {
      settings: { time_zone: "UTC", business_hours: week },
    });
    expect(patched.status).toBe(200);
    await acme.as.admin.put(`/api/v1/inboxes/${inboxId}/widget`, { respect_business_hours: true });
    const config = await (await fetch(`${server.url}/widget/v1/${key}/config`)).json();
    expect(config.availability).toMatchObject({ open: false, online: false });
    const next = new Date(config.availability.next_open_at);
    expect(next.getUTCHours()).toBe(hour);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getTime() - Date.now()).toBeLessThan(24 * 3600_000);
    await acme.as.admin.put(`/api/v1/inboxes/${inboxId}/widget`, { respect_business_hours: false });
  });

  it("seeds the demo workspace's widget once and serves the demo page that embeds it", async () => {
    expect((await fetch(`${server.url}/demo/widget`)).status).toBe(404);
    const demo = await createWorkspace(server.ctx.db, {
      name: "Demo",
      slug: "demo",
      owner: {
        email: `owner-${kind}@demo.widget.test`,
        name: "Dana Owner",
        password: "correct horse battery staple",
      },
    });
    const owner = {
      agentId: demo.ownerId,
      workspaceId: demo.workspaceId,
      role: "owner",
      via: "session",
      credentialId: "t",
    } as const;
    const first = await seedDemoWidget(server.ctx, owner);
    expect(await seedDemoWidget(server.ctx, owner)).toBe(first);
    const page = await fetch(`${server.url}/demo/widget`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`data-keepwell-widget="${first}"`);
    expect(html).toContain('src="/widget.js"');
    const config = await (await fetch(`${server.url}/widget/v1/${first}/config`)).json();
    expect(config).toMatchObject({ callbacks: true, greeting: expect.stringContaining("a person") });
    // With the demo help center, the widget offers articles that match what the visitor types.
    await seedHelpCenter(server.ctx, owner, () => {});
    const suggestions = await (
      await fetch(`${server.url}/widget/v1/${first}/articles?q=refund&lang=en`)
    ).json();
    expect(suggestions.data[0]).toMatchObject({
      title: "How to get a refund",
      url: expect.stringContaining("/help/demo/en/"),
    });
    const bengali = await (
      await fetch(`${server.url}/widget/v1/${first}/articles?q=${encodeURIComponent("টাকা ফে")}&lang=bn`)
    ).json();
    expect(bengali.data[0].language).toBe("bn");
  });

  it("says the founder is answering during their office hours, and stops saying it after", async () => {
    // A slot on every weekday covers "now" whatever the workspace's time zone.
    const slots: string[] = [];
    for (let weekday = 0; weekday < 7; weekday++) {
      const slot = await acme.as.owner.post("/api/v1/office-hours", {
        weekday,
        start: "00:00",
        end: "24:00",
      });
      expect(slot.status).toBe(201);
      slots.push(slot.body.id);
    }
    const me = await acme.as.owner.get("/api/v1/me");
    const config = await (await fetch(`${server.url}/widget/v1/${key}/config`)).json();
    expect(config.availability.founder).toMatchObject({ name: me.body.name });
    const session = await visitorSession(server, key, {});
    const visitor = await open({ token: session.body.token });
    const ready = visitor.frames.find((f) => f.type === "ready")!;
    expect(ready.availability.founder.name).toBe(me.body.name);
    // No picture uploaded: the widget shows the initial instead.
    const picture = await fetch(`${server.url}${config.availability.founder.avatar_url}`);
    expect(picture.status).toBe(404);

    for (const id of slots) await acme.as.owner.delete(`/api/v1/office-hours/${id}`);
    const after = await (await fetch(`${server.url}/widget/v1/${key}/config`)).json();
    expect(after.availability.founder).toBeNull();
  });

  it("refuses other workspaces and lower roles on the settings", async () => {
    const globex = await conversationWorkspace(server, "Globex");
    expect((await globex.as.owner.get(`/api/v1/inboxes/${inboxId}/widget`)).status).toBe(404);
    expect((await globex.as.owner.put(`/api/v1/inboxes/${inboxId}/widget`, { greeting: "x" })).status).toBe(
      404,
    );
    expect((await acme.as.agent.put(`/api/v1/inboxes/${inboxId}/widget`, { greeting: "x" })).status).toBe(
      403,
    );
    expect((await acme.as.agent.post(`/api/v1/inboxes/${inboxId}/widget/identity-secret`)).status).toBe(403);
    const anonymous = apiClient(server.url);
    expect((await anonymous.get(`/api/v1/inboxes/${inboxId}/widget`)).status).toBe(401);
  });
});
