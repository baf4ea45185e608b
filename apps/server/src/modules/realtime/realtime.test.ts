import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { StreamCloseCodes } from "../../../../../packages/contracts/src/index.ts";
import { realtimeHubOf } from "../../realtime/socket-hub.ts";
import {
  apiClient,
  createTestWorkspace,
  databaseKinds,
  type TestServer,
  type TestWorkspace,
  startTestServer,
  looseEvents,
} from "../../test/harness.ts";
import { StreamClient } from "./stream-test-client.ts";

describe.each(databaseKinds)("realtime stream on %s", (kind) => {
  let server: TestServer;
  let acme: TestWorkspace;
  let globex: TestWorkspace;
  let ownOrigin: string;
  const open: StreamClient[] = [];

  beforeAll(async () => {
    server = await startTestServer(kind);
    acme = await createTestWorkspace(server, "Acme");
    globex = await createTestWorkspace(server, "Globex");
    ownOrigin = new URL(server.ctx.config.baseUrl).origin;
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await server?.destroy();
  });

  async function connect(auth: Parameters<typeof StreamClient.open>[1]) {
    const client = await StreamClient.open(server.url, auth);
    open.push(client);
    return client;
  }

  /** Signs the workspace owner in; answers the session cookie and its CSRF token. */
  async function signIn(workspace: TestWorkspace) {
    const session = await apiClient(server.url, workspace.tokens.owner).get("/api/v1/auth/session");
    const response = await fetch(`${server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: session.body.agent.email, password: "correct horse battery staple" }),
    });
    const body = await response.json();
    return {
      cookie: (response.headers.get("set-cookie") ?? "").split(";")[0],
      csrf: body.csrf_token as string,
    };
  }

  it("refuses the upgrade with 401 without a valid credential", async () => {
    const anonymous = await StreamClient.refusal(server.url, {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.type).toMatch(/unauthorized$/);
    expect((await StreamClient.refusal(server.url, { token: "kw_not-a-real-token" })).status).toBe(401);
    expect(
      (await StreamClient.refusal(server.url, { cookie: "kw_session=stale", origin: ownOrigin })).status,
    ).toBe(401);
  });

  it("opens with a Bearer token and no Origin, and greets with a hello frame", async () => {
    const client = await connect({ token: acme.tokens.viewer });
    const hello = client.frames[0];
    expect(hello.type).toBe("hello");
    expect(hello.data).toMatchObject({ agent_id: acme.agents.viewer, workspace_id: acme.workspaceId });
    expect(Date.parse(hello.at)).not.toBeNaN();
  });

  it("accepts a session cookie from the app's own origin without a CSRF token, and from no other", async () => {
    const { cookie } = await signIn(acme);
    const client = await connect({ cookie, origin: ownOrigin });
    expect(client.frames[0].data.agent_id).toBe(acme.ownerId);
    const foreign = await StreamClient.refusal(server.url, { cookie, origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ field: "Origin" });
    expect(foreign.body.type).toMatch(/origin_refused$/);
    expect((await StreamClient.refusal(server.url, { cookie })).status).toBe(403);
  });

  it("hands each socket its own workspace's events, in order, and none of another's", async () => {
    const acmeSocket = await connect({ token: acme.tokens.agent });
    const globexSocket = await connect({ token: globex.tokens.agent });
    for (let i = 0; i < 5; i++) {
      await looseEvents(server).publish(acme.workspaceId, "conversation.updated", {
        id: randomUUID(),
        seq: i,
      });
    }
    await looseEvents(server).publish(globex.workspaceId, "conversation.created", { id: randomUUID() });
    const updates = await acmeSocket.until(() => {
      const found = acmeSocket.frames.filter((f) => f.type === "conversation.updated");
      return found.length === 5 ? found : undefined;
    });
    expect(updates.map((f) => f.data.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(Object.keys(updates[0]).sort()).toEqual(["at", "data", "type"]);
    await globexSocket.next((f) => f.type === "conversation.created");
    expect(globexSocket.frames.some((f) => f.type === "conversation.updated")).toBe(false);
    expect(acmeSocket.frames.some((f) => f.type === "conversation.created")).toBe(false);
  });

  it("passes typing and viewing on to the other agents with the agent's id and name", async () => {
    const owner = await connect({ token: acme.tokens.owner });
    const agent = await connect({ token: acme.tokens.agent });
    const outsider = await connect({ token: globex.tokens.owner });
    const conversationId = randomUUID();
    agent.send({ type: "typing", conversation_id: conversationId });
    const typing = await owner.next((f) => f.type === "typing");
    expect(typing.data).toEqual({
      conversation_id: conversationId,
      agent_id: acme.agents.agent,
      name: "Acme agent",
    });

    agent.send({ type: "viewing", conversation_id: conversationId });
    const viewing = await owner.next(
      (f) => f.type === "presence" && f.data.agent_id === acme.agents.agent && f.data.viewing.length > 0,
    );
    expect(viewing.data).toMatchObject({ name: "Acme agent", online: true, viewing: [conversationId] });

    // The typist's own socket is not echoed, and no other workspace hears either.
    await looseEvents(server).publish(acme.workspaceId, "conversation.updated", { id: conversationId });
    await agent.next((f) => f.type === "conversation.updated");
    expect(agent.frames.some((f) => f.type === "typing")).toBe(false);
    expect(outsider.frames.some((f) => f.type === "typing" || f.data.agent_id === acme.agents.agent)).toBe(
      false,
    );
  });

  it("answers malformed frames with an error frame and keeps the socket open", async () => {
    const client = await connect({ token: acme.tokens.agent });
    const errors = () => client.frames.filter((f) => f.type === "error");
    const sent: [unknown, string, string?][] = [
      ["not json", "malformed_frame"],
      ["[1,2]", "malformed_frame"],
      [{ type: "shout" }, "unknown_frame_type", "type"],
      [{ type: "typing" }, "invalid_frame", "conversation_id"],
      [{ type: "typing", conversation_id: "1; drop table" }, "invalid_frame", "conversation_id"],
      [
        { type: "viewing", conversation_id: null, workspace_id: globex.workspaceId },
        "invalid_frame",
        "workspace_id",
      ],
    ];
    for (const [frame, code, field] of sent) {
      const before = errors().length;
      client.send(frame);
      const error = await client.until(() => errors()[before]);
      expect(error.data.code, JSON.stringify(frame)).toBe(code);
      if (field) expect(error.data.field).toBe(field);
    }
    client.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    await client.until(() => errors()[sent.length]);
    await looseEvents(server).publish(acme.workspaceId, "contact.updated", { id: randomUUID() });
    await client.next((f) => f.type === "contact.updated");
  });

  it("tells a client flooding the socket to slow down and ignores the excess", async () => {
    const client = await connect({ token: acme.tokens.agent });
    for (let i = 0; i < 40; i++) client.send({ type: "viewing", conversation_id: null });
    const error = await client.next((f) => f.type === "error");
    expect(error.data.code).toBe("rate_limited");
    expect(client.frames.filter((f) => f.type === "error")).toHaveLength(1);
  });

  it("refuses typing from a viewer, who cannot reply", async () => {
    const viewer = await connect({ token: acme.tokens.viewer });
    viewer.send({ type: "typing", conversation_id: randomUUID() });
    const error = await viewer.next((f) => f.type === "error");
    expect(error.data.code).toBe("forbidden");
  });

  it("closes a socket that sends a frame over the size limit", async () => {
    const client = await connect({ token: acme.tokens.agent });
    client.send(JSON.stringify({ type: "typing", conversation_id: "x".repeat(70 * 1024) }));
    expect((await client.closed).code).toBe(1009);
  });

  it("lists agents online while they hold a socket and reports them offline after the last closes", async () => {
    const watcher = await connect({ token: acme.tokens.owner });
    const first = await connect({ token: acme.tokens.admin });
    const second = await connect({ token: acme.tokens.admin });
    await watcher.next(
      (f) => f.type === "presence" && f.data.agent_id === acme.agents.admin && f.data.sockets === 2,
    );
    const listed = await apiClient(server.url, acme.tokens.viewer).get("/api/v1/presence");
    expect(listed.status).toBe(200);
    expect(listed.body.data).toContainEqual({
      agent_id: acme.agents.admin,
      name: "Acme admin",
      online: true,
      sockets: 2,
      viewing: [],
    });
    const elsewhere = await apiClient(server.url, globex.tokens.owner).get("/api/v1/presence");
    expect(elsewhere.body.data.map((p: { agent_id: string }) => p.agent_id)).not.toContain(acme.agents.admin);

    await first.close();
    await second.close();
    const offline = await watcher.next(
      (f) => f.type === "presence" && f.data.agent_id === acme.agents.admin && f.data.online === false,
    );
    expect(offline.data.sockets).toBe(0);
    const after = await apiClient(server.url, acme.tokens.owner).get("/api/v1/presence");
    expect(after.body.data.map((p: { agent_id: string }) => p.agent_id)).not.toContain(acme.agents.admin);
  });

  it("closes a socket once its API token is revoked", async () => {
    const owner = apiClient(server.url, acme.tokens.owner);
    const created = await owner.post("/api/v1/tokens", { name: "dashboard" });
    const client = await connect({ token: created.body.token });
    await realtimeHubOf(server.ctx)!.recheckCredentials();
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    expect((await owner.delete(`/api/v1/tokens/${created.body.api_token.id}`)).status).toBe(204);
    // The hub re-checks every 30 s; run that check now instead of waiting for it.
    await realtimeHubOf(server.ctx)!.recheckCredentials();
    expect((await client.closed).code).toBe(StreamCloseCodes.credentialRevoked);
  });

  it("closes a browser's socket once its session logs out", async () => {
    const { cookie, csrf } = await signIn(acme);
    const client = await connect({ cookie, origin: ownOrigin });
    const logout = await fetch(`${server.url}/api/v1/auth/logout`, {
      method: "POST",
      headers: { cookie, "x-csrf-token": csrf },
    });
    expect(logout.status).toBe(204);
    await realtimeHubOf(server.ctx)!.recheckCredentials();
    expect((await client.closed).code).toBe(StreamCloseCodes.credentialRevoked);
  });

  it("terminates a socket that stops answering pings", async () => {
    const live = await connect({ token: acme.tokens.agent });
    const dead = await connect({ token: acme.tokens.agent, silent: true });
    const hub = realtimeHubOf(server.ctx)!;
    hub.heartbeat();
    // A frame sent after the ping reaches the server after the client's pong, so once its answer
    // is back the live socket has been seen alive.
    live.send("are you there?");
    await live.next((f) => f.type === "error");
    hub.heartbeat();
    expect((await dead.closed).code).toBe(1006);
    expect(live.socket.readyState).toBe(live.socket.OPEN);
  });
});
