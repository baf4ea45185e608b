import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds, type TestServer, startTestServer } from "../../test/harness.ts";
import {
  type ConversationFixture,
  conversationWorkspace,
  uploadFile,
} from "../conversations/test-support.ts";
import { VisitorSocket, visitorSession, visitorUpload } from "./test-support.ts";

/*
 * A visitor's upload belongs to that visitor: their next message may claim it once; another
 * visitor (of this widget or another workspace's), an agent, or a second message may not.
 */
describe.each(databaseKinds)("visitor uploads on %s", (kind) => {
  let server: TestServer;
  let acme: ConversationFixture;
  let globex: ConversationFixture;
  let acmeInbox: string;
  let acmeKey: string;
  let globexKey: string;
  const sockets: VisitorSocket[] = [];

  async function chatWidget(workspace: ConversationFixture) {
    const inbox = await workspace.as.owner.post("/api/v1/inboxes", { name: "Website chat", channel: "chat" });
    const widget = await workspace.as.viewer.get(`/api/v1/inboxes/${inbox.body.id}/widget`);
    await workspace.as.admin.put(`/api/v1/inboxes/${inbox.body.id}/widget`, {
      respect_business_hours: false,
    });
    return { inboxId: inbox.body.id as string, key: widget.body.public_key as string };
  }

  /** A new visitor with an open socket, and a text file they uploaded. */
  async function visitorWithFile(key: string, name: string) {
    const session = await visitorSession(server, key, { name });
    const socket = await VisitorSocket.open(server.url, key, { token: session.body.token });
    sockets.push(socket);
    const upload = await visitorUpload(server, key, session.body.token, {
      name: `${name.toLowerCase()}.txt`,
      content: `${name}'s file`,
      type: "text/plain",
    });
    expect(upload.status).toBe(201);
    return { token: session.body.token as string, socket, fileId: upload.body.id as string };
  }

  /** Sends a message and returns the frame answering it: its ack or its error. */
  async function send(socket: VisitorSocket, clientId: string, body: string, ids: string[]) {
    socket.send({ type: "message", body, attachment_ids: ids, client_id: clientId });
    return Promise.race([
      socket.next("ack", (f) => f.client_id === clientId),
      socket.next("error", (f) => f.client_id === clientId),
    ]);
  }

  async function chatPreviews(): Promise<string[]> {
    const list = await acme.as.agent.get(`/api/v1/conversations?inbox_id=${acmeInbox}&limit=100`);
    return list.body.data.map((c: { preview: string }) => c.preview);
  }

  beforeAll(async () => {
    server = await startTestServer(kind);
    acme = await conversationWorkspace(server, "Acme");
    globex = await conversationWorkspace(server, "Globex");
    ({ inboxId: acmeInbox, key: acmeKey } = await chatWidget(acme));
    ({ key: globexKey } = await chatWidget(globex));
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await server?.destroy();
  });

  it("refuses another visitor's file, with the message's id and nothing stored", async () => {
    const owner = await visitorWithFile(acmeKey, "Olga");
    const thief = await visitorWithFile(acmeKey, "Tom");

    const refused = await send(thief.socket, "t1", "look what I found", [owner.fileId]);
    expect(refused).toMatchObject({ type: "error", code: "invalid_input", field: "attachment_ids" });
    expect(refused.message).toMatch(/files you uploaded/);
    // Mixed with their own file: still refused as a whole.
    const mixed = await send(thief.socket, "t2", "both", [thief.fileId, owner.fileId]);
    expect(mixed).toMatchObject({ type: "error", field: "attachment_ids" });
    expect(await chatPreviews()).not.toContain("look what I found");
    expect(await chatPreviews()).not.toContain("both");

    // Neither file was claimed: each visitor still sends their own.
    const ownerSent = await send(owner.socket, "o1", "my file", [owner.fileId]);
    expect(ownerSent.type).toBe("ack");
    expect(ownerSent.message.attachments.map((a: { id: string }) => a.id)).toEqual([owner.fileId]);
    const thiefSent = await send(thief.socket, "t3", "my own file", [thief.fileId]);
    expect(thiefSent.type).toBe("ack");
    // The owner's file reached only the owner's conversation.
    const download = (token: string) =>
      fetch(`${server.url}/widget/v1/${acmeKey}/attachments/${owner.fileId}`, {
        headers: { authorization: `Visitor ${token}` },
      });
    expect((await download(owner.token)).status).toBe(200);
    expect((await download(thief.token)).status).toBe(404);
  });

  it("refuses a file uploaded in another workspace's widget or by an agent", async () => {
    const visitor = await visitorWithFile(acmeKey, "Vic");
    const foreign = await visitorWithFile(globexKey, "Gus");
    const fromGlobex = await send(visitor.socket, "g1", "from elsewhere", [foreign.fileId]);
    expect(fromGlobex).toMatchObject({ type: "error", field: "attachment_ids" });

    const agentUpload = await uploadFile(server, acme.tokens.agent, { name: "draft.txt", content: "draft" });
    expect(agentUpload.status).toBe(201);
    const fromAgent = await send(visitor.socket, "a1", "the agent's draft", [agentUpload.body.id]);
    expect(fromAgent).toMatchObject({ type: "error", field: "attachment_ids" });
    expect(await chatPreviews()).not.toContain("from elsewhere");

    // The Globex visitor still has their file; an Acme agent cannot attach a visitor's file either.
    expect((await send(foreign.socket, "g2", "mine", [foreign.fileId])).type).toBe("ack");
    const agentReply = await acme.as.agent.post(`/api/v1/conversations`, {
      inbox_id: acme.inboxes.api,
      contact: { email: "someone@customer.test" },
      message: { kind: "incoming", body_text: "with a visitor's file", attachment_ids: [visitor.fileId] },
    });
    expect(agentReply.status).toBe(400);
    expect(agentReply.body.field).toMatch(/attachment_ids/);
    expect((await send(visitor.socket, "v1", "", [visitor.fileId])).type).toBe("ack");
  });

  it("refuses a file a message already carries", async () => {
    const visitor = await visitorWithFile(acmeKey, "Rita");
    expect((await send(visitor.socket, "r1", "first", [visitor.fileId])).type).toBe("ack");
    const again = await send(visitor.socket, "r2", "again", [visitor.fileId]);
    expect(again).toMatchObject({ type: "error", field: "attachment_ids" });
    const other = await visitorWithFile(acmeKey, "Sam");
    const stolen = await send(other.socket, "s1", "a sent file", [visitor.fileId]);
    expect(stolen).toMatchObject({ type: "error", field: "attachment_ids" });
    expect(await chatPreviews()).not.toContain("a sent file");
  });
});
