import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiClient,
  createTestWorkspace,
  databaseKinds,
  type TestServer,
  type TestWorkspace,
  startTestServer,
} from "../../test/harness.ts";
import { AVATAR_MAX_BYTES } from "./avatars.ts";

/** A real 1×1 PNG, a JPEG header and a WebP header: what the server recognises by content. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(60, 1)]);
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');

async function upload(server: TestServer, token: string, bytes: Buffer, name: string, type: string) {
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(bytes)], { type }), name);
  const response = await fetch(`${server.url}/api/v1/me/avatar`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

async function fetchAvatar(server: TestServer, token: string, agentId: string) {
  return fetch(`${server.url}/api/v1/agents/${agentId}/avatar`, {
    headers: { authorization: `Bearer ${token}` },
  });
}

describe.each(databaseKinds)("agent avatars on %s", (kind) => {
  let server: TestServer;
  let acme: TestWorkspace;
  let globex: TestWorkspace;

  beforeAll(async () => {
    server = await startTestServer(kind);
    acme = await createTestWorkspace(server, "Acme");
    globex = await createTestWorkspace(server, "Globex");
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it("stores an image under the type its bytes declare and serves it with safe headers", async () => {
    // The name and declared type say SVG; the bytes are a PNG, and the bytes win.
    const uploaded = await upload(server, acme.tokens.agent, PNG, "me.svg", "image/svg+xml");
    expect(uploaded.status).toBe(200);
    expect(uploaded.body.avatar_url).toMatch(
      new RegExp(`^/api/v1/agents/${acme.agents.agent}/avatar\\?v=\\d+$`),
    );

    const served = await fetchAvatar(server, acme.tokens.viewer, acme.agents.agent);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect(served.headers.get("content-security-policy")).toContain("sandbox");
    expect(Buffer.from(await served.arrayBuffer()).equals(PNG)).toBe(true);

    const team = await apiClient(server.url, acme.tokens.viewer).get("/api/v1/agents");
    const member = team.body.data.find((m: { id: string }) => m.id === acme.agents.agent);
    expect(member.avatar_url).toBe(uploaded.body.avatar_url);
    const others = team.body.data.filter((m: { id: string }) => m.id !== acme.agents.agent);
    expect(others.every((m: { avatar_url: unknown }) => m.avatar_url === null)).toBe(true);
    const me = await apiClient(server.url, acme.tokens.agent).get("/api/v1/me");
    expect(me.body.avatar_url).toBe(uploaded.body.avatar_url);
  });

  it("replaces the image, and a new upload changes the URL", async () => {
    const first = await upload(server, acme.tokens.admin, PNG, "a.png", "image/png");
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await upload(server, acme.tokens.admin, JPEG, "b.png", "image/png");
    expect(second.status).toBe(200);
    expect(second.body.avatar_url).not.toBe(first.body.avatar_url);
    const served = await fetchAvatar(server, acme.tokens.agent, acme.agents.admin);
    expect(served.headers.get("content-type")).toBe("image/jpeg");
    const rows = await server.ctx.db
      .selectFrom("agent_avatars")
      .select("agent_id")
      .where("agent_id", "=", acme.agents.admin)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it("refuses SVG and other non-images by content with a problem naming the field, storing nothing", async () => {
    for (const [bytes, name, type] of [
      [SVG, "face.png", "image/png"],
      [SVG, "face.svg", "image/svg+xml"],
      [Buffer.from("GIF89a......"), "face.gif", "image/gif"],
      [Buffer.from("just text"), "face.webp", "image/webp"],
    ] as const) {
      const refused = await upload(server, acme.tokens.owner, bytes, name, type);
      expect(refused.status, name).toBe(400);
      expect(refused.headers.get("content-type")).toMatch(/problem\+json/);
      expect(refused.body.field).toBe("file");
    }
    expect(await fetchAvatar(server, acme.tokens.owner, acme.ownerId).then((r) => r.status)).toBe(404);
  });

  it("refuses an image over the size limit with 413 and a JSON body with 415", async () => {
    const big = Buffer.concat([PNG, Buffer.alloc(AVATAR_MAX_BYTES, 0)]);
    const tooBig = await upload(server, acme.tokens.owner, big, "big.png", "image/png");
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.field).toBe("file");
    const json = await apiClient(server.url, acme.tokens.owner).put("/api/v1/me/avatar", { file: "x" });
    expect(json.status).toBe(415);
    expect(json.headers.get("content-type")).toMatch(/problem\+json/);
    expect(await fetchAvatar(server, acme.tokens.owner, acme.ownerId).then((r) => r.status)).toBe(404);
  });

  it("lets a viewer set their own face, and only their own", async () => {
    const uploaded = await upload(server, acme.tokens.viewer, PNG, "v.png", "image/png");
    expect(uploaded.status).toBe(200);
    expect(await fetchAvatar(server, acme.tokens.agent, acme.agents.viewer).then((r) => r.status)).toBe(200);
    // There is no route to change someone else's avatar: the viewer's upload touched only theirs.
    expect(await fetchAvatar(server, acme.tokens.viewer, acme.ownerId).then((r) => r.status)).toBe(404);
    const removed = await apiClient(server.url, acme.tokens.viewer).delete("/api/v1/me/avatar");
    expect(removed.status).toBe(204);
    expect(await fetchAvatar(server, acme.tokens.agent, acme.agents.viewer).then((r) => r.status)).toBe(404);
  });

  it("hides an avatar from another workspace, and another workspace's upload changes only its own agent", async () => {
    const intruder = await fetchAvatar(server, globex.tokens.owner, acme.agents.agent);
    expect(intruder.status).toBe(404);
    expect(intruder.headers.get("content-type")).toMatch(/problem\+json/);
    const before = Buffer.from(
      await (await fetchAvatar(server, acme.tokens.owner, acme.agents.agent)).arrayBuffer(),
    );
    const own = await upload(server, globex.tokens.owner, JPEG, "g.jpg", "image/jpeg");
    expect(own.body.avatar_url).toContain(globex.ownerId);
    const after = Buffer.from(
      await (await fetchAvatar(server, acme.tokens.owner, acme.agents.agent)).arrayBuffer(),
    );
    expect(after.equals(before)).toBe(true);
    const anonymous = await fetch(`${server.url}/api/v1/agents/${acme.agents.agent}/avatar`);
    expect(anonymous.status).toBe(401);
  });
});
