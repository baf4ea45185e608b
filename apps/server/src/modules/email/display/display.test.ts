import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds, startTestServer, type TestServer } from "../../../test/harness.ts";
import { customerWrites, type MailWorkspace, mailWorkspace, upload } from "../outbound/test-fixture.ts";

const HOSTILE = [
  `<p>Dear team,</p><script>fetch("/api/v1/tokens")</script>`,
  `<img src="https://tracker.example.test/open.gif" width="1" height="1">`,
  `<img src="x" onerror="alert(1)"><svg onload="alert(1)"></svg>`,
  `<a href="javascript:alert(1)">invoice</a> <a href="https://example.test/ok">portal</a>`,
  `<meta http-equiv="refresh" content="0;url=https://evil.example.test/"><base href="https://evil.example.test/">`,
  `<form action="https://evil.example.test/"><input name="password"></form>`,
].join("\n");

describe.each(databaseKinds)("showing customer HTML safely on %s", (kind) => {
  let server: TestServer;
  let acme: MailWorkspace;
  let globex: MailWorkspace;
  let conversationId: string;
  let messageId: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    [acme, globex] = await Promise.all([mailWorkspace(server, "Acme"), mailWorkspace(server, "Globex")]);
    ({ conversationId, messageId } = await customerWrites(acme, {
      email: "casey@example.test",
      text: "Dear team",
      html: HOSTILE,
    }));
  });
  afterAll(async () => {
    await server?.destroy();
  });

  const page = (client: MailWorkspace["as"]["agent"], id: string, query = "") =>
    client.get(`/api/v1/messages/${id}/html${query}`);

  it("serves the sanitized message as a standalone page under a strict policy", async () => {
    const response = await page(acme.as.agent, messageId);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const policy = response.headers.get("content-security-policy")!;
    const origin = new URL(server.url).origin;
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain(`img-src ${origin}/api/v1/attachments/ data:;`);
    expect(policy).toContain("style-src 'unsafe-inline'");
    expect(policy).toContain("sandbox");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    const html = response.body as string;
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain("<p>Dear team,</p>");
    expect(html).toContain(
      `<a href="https://example.test/ok" target="_blank" rel="noopener noreferrer">portal</a>`,
    );
    for (const bad of [
      "<script",
      "onerror",
      "onload",
      "javascript:",
      "<svg",
      "http-equiv",
      "<base",
      "<form",
      "evil",
    ]) {
      expect(html).not.toContain(bad);
    }
  });

  it("blocks remote images until an agent allows them, and remembers that choice", async () => {
    const blocked = await page(acme.as.agent, messageId);
    expect(blocked.headers.get("x-remote-images-blocked")).toBe("1");
    expect(blocked.body).not.toContain("tracker.example.test");

    const allowed = await page(acme.as.agent, messageId, "?images=allow");
    expect(allowed.status).toBe(200);
    expect(allowed.body).toContain(`src="https://tracker.example.test/open.gif"`);
    expect(allowed.headers.get("content-security-policy")).toContain("data: https: http:");

    const messages = await acme.as.viewer.get(`/api/v1/conversations/${conversationId}/messages`);
    const stored = messages.body.data.find((m: { id: string }) => m.id === messageId);
    expect(stored.metadata.remote_images_allowed.by).toBe(acme.agents.agent);
    const later = await page(acme.as.viewer, messageId);
    expect(later.body).toContain("tracker.example.test/open.gif");
  });

  it("lets a viewer load images for their own look without recording it on the message", async () => {
    const other = await customerWrites(acme, {
      email: "dana@example.test",
      html: `<img src="https://images.example.test/chart.png">`,
    });
    const viewed = await page(acme.as.viewer, other.messageId, "?images=allow");
    expect(viewed.body).toContain("images.example.test/chart.png");
    const again = await page(acme.as.agent, other.messageId);
    expect(again.body).not.toContain("images.example.test/chart.png");
  });

  it("points inline images at the message's own attachment URLs, which download as attachments", async () => {
    const file = await upload(server, acme.tokens.agent, "logo.png", "not really a png", "image/png");
    const posted = await acme.as.agent.post(`/api/v1/conversations/${conversationId}/messages`, {
      kind: "incoming",
      body_text: "see logo",
      body_html: `<p>Logo:</p><img src="/api/v1/attachments/${file.id}"><img src="/api/v1/attachments/00000000-0000-4000-8000-000000000000">`,
      attachment_ids: [file.id],
    });
    expect(posted.status).toBe(201);
    const response = await page(acme.as.agent, posted.body.id);
    const url = `${new URL(server.url).origin}/api/v1/attachments/${file.id}`;
    expect(response.body).toContain(`src="${url}"`);
    expect(response.body).not.toContain("00000000-0000-4000-8000-000000000000");

    const download = await fetch(url, { headers: { authorization: `Bearer ${acme.tokens.viewer}` } });
    expect(download.status).toBe(200);
    expect(download.headers.get("content-disposition")).toMatch(/^attachment; filename="logo\.png"/);
    expect(download.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("folds the quoted thread of a reply behind one click, and still sanitizes inside it", async () => {
    const reply = await customerWrites(acme, {
      email: "casey@example.test",
      text: "That worked, thanks!\n\nOn Mon, Ada wrote:\n> Try again",
      html: `<div dir="ltr">That worked, thanks!</div><div class="gmail_quote"><div class="gmail_attr">On Mon, Ada wrote:</div><blockquote class="gmail_quote">Try again<img src=x onerror="alert(1)"></blockquote></div>`,
    });
    const html = (await page(acme.as.agent, reply.messageId)).body as string;
    expect(html).toMatch(/That worked, thanks!<\/div><details><summary>Show quoted text<\/summary>/);
    expect(html).toMatch(/<details>.*Try again.*<\/details>/s);
    expect(html).not.toContain("onerror");

    // A message that is nothing but a quote (a forward) is shown whole.
    const forward = await customerWrites(acme, {
      email: "casey@example.test",
      text: "Forwarded",
      html: `<blockquote type="cite">The whole forwarded message</blockquote>`,
    });
    const whole = (await page(acme.as.agent, forward.messageId)).body as string;
    expect(whole).toContain("The whole forwarded message");
    expect(whole).not.toContain("<details>");
  });

  it("shows a plain-text message as escaped text", async () => {
    const plain = await customerWrites(acme, {
      email: "text@example.test",
      text: "a < b & <script>x</script>",
    });
    const response = await page(acme.as.agent, plain.messageId);
    expect(response.body).toContain(
      `<div class="kw-text">a &lt; b &amp; &lt;script&gt;x&lt;/script&gt;</div>`,
    );
  });

  it("answers 404 for another workspace's message or an unknown one, and 401 without credentials", async () => {
    expect((await page(globex.as.owner, messageId)).status).toBe(404);
    expect((await page(globex.as.owner, messageId, "?images=allow")).status).toBe(404);
    expect((await page(acme.as.agent, "00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await page(acme.as.agent, "not-a-uuid")).status).toBe(400);
    expect((await fetch(`${server.url}/api/v1/messages/${messageId}/html`)).status).toBe(401);
  });

  it("describes the page as text/html in the OpenAPI document", async () => {
    const spec = await (await fetch(`${server.url}/api/v1/openapi.json`)).json();
    const operation = spec.paths["/api/v1/messages/{id}/html"].get;
    expect(Object.keys(operation.responses["200"].content)).toEqual(["text/html"]);
  });

  it("refuses unknown query options", async () => {
    const response = await page(acme.as.agent, messageId, "?images=always");
    expect(response.status).toBe(400);
    expect(response.body.field).toBe("images");
  });
});
