import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiClient,
  createTestWorkspace,
  databaseKinds,
  startTestServer,
  type TestServer,
  type TestWorkspace,
} from "../../test/harness.ts";
import { seedHelpCenter } from "./demo.ts";
import { flushViews } from "./reports.ts";

describe.each(databaseKinds)("help center articles on %s", (kind) => {
  let server: TestServer;
  let acme: TestWorkspace;
  let globex: TestWorkspace;
  let owner: ReturnType<typeof apiClient>;
  let agent: ReturnType<typeof apiClient>;
  let slug: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    acme = await createTestWorkspace(server, "Acme");
    globex = await createTestWorkspace(server, "Globex");
    owner = apiClient(server.url, acme.tokens.owner);
    agent = apiClient(server.url, acme.tokens.agent);
    slug = (
      await server.ctx.db
        .selectFrom("workspaces")
        .select("slug")
        .where("id", "=", acme.workspaceId)
        .executeTakeFirstOrThrow()
    ).slug;
    const settings = await owner.put("/api/v1/help-center/settings", {
      enabled: true,
      title: "Acme help",
      contact_email: "help@acme.test",
      chat_url: "https://acme.test/chat",
    });
    expect(settings.status).toBe(200);
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it("writes, publishes and edits an article with revisions, refusing a stale save", async () => {
    const collection = await agent.post("/api/v1/help-center/collections", { name: "Billing" });
    expect(collection.status).toBe(201);
    const created = await agent.post("/api/v1/help-center/articles", {
      title: "Change your card",
      body_markdown: "Open **Billing**, then choose *Update card*.",
      collection_id: collection.body.id,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      slug: "change-your-card",
      status: "draft",
      version: 1,
      language: "en",
    });
    expect(created.body.body_html).toContain("<strong>Billing</strong>");
    const id = created.body.id;

    const published = await agent.patch(`/api/v1/help-center/articles/${id}`, {
      version: 1,
      status: "published",
    });
    expect(published.status).toBe(200);
    expect(published.body.version).toBe(2);
    expect(published.body.published_at).not.toBeNull();

    // Two people opened version 2; the second save is refused, not silently lost.
    const first = await agent.patch(`/api/v1/help-center/articles/${id}`, {
      version: 2,
      body_markdown: "Open Billing.",
    });
    expect(first.status).toBe(200);
    const second = await owner.patch(`/api/v1/help-center/articles/${id}`, {
      version: 2,
      body_markdown: "Mine!",
    });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ field: "version", current_version: 3 });
    expect(second.body.title).toMatch(/Someone else saved/);

    const revisions = await agent.get(`/api/v1/help-center/articles/${id}/revisions`);
    expect(revisions.body.data.map((r: { version: number }) => r.version)).toEqual([3, 2, 1]);
    const restored = await agent.post(
      `/api/v1/help-center/articles/${id}/revisions/${revisions.body.data[2].id}/restore`,
      { version: 3 },
    );
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({
      version: 4,
      body_markdown: "Open **Billing**, then choose *Update card*.",
    });

    // Another workspace sees nothing of it; a viewer cannot change it.
    const intruder = apiClient(server.url, globex.tokens.owner);
    expect((await intruder.get(`/api/v1/help-center/articles/${id}`)).status).toBe(404);
    expect(
      (await intruder.patch(`/api/v1/help-center/articles/${id}`, { version: 4, title: "x" })).status,
    ).toBe(404);
    const viewer = apiClient(server.url, acme.tokens.viewer);
    expect(
      (await viewer.patch(`/api/v1/help-center/articles/${id}`, { version: 4, title: "x" })).status,
    ).toBe(403);
    expect((await viewer.get(`/api/v1/help-center/articles/${id}`)).status).toBe(200);
  });

  it("refuses bad input with a 400 naming the field, and writes nothing", async () => {
    for (const [body, field] of [
      [{ title: "", body_markdown: "x" }, "title"],
      [{ title: "x", body_markdown: "x", language: "not a language" }, "language"],
      [{ title: "x", body_markdown: "x", slug: "Bad Slug!" }, "slug"],
      [
        { title: "x", body_markdown: "x", collection_id: "00000000-0000-4000-8000-000000000000" },
        "collection_id",
      ],
      [{ title: "x", body_markdown: "x", workspace_id: acme.workspaceId }, "workspace_id"],
    ] as const) {
      const response = await agent.post("/api/v1/help-center/articles", body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(response.body), JSON.stringify(body)).toContain(field);
    }
    const list = await agent.get("/api/v1/help-center/articles?limit=100");
    expect(list.body.data.some((a: { title: string }) => a.title === "x")).toBe(false);
  });

  it("renders hostile Markdown inert", async () => {
    const preview = await agent.post("/api/v1/help-center/preview", {
      body_markdown: [
        "<script>alert(1)</script>",
        "[click](javascript:alert(2))",
        '<img src="x" onerror="alert(3)">',
        '<svg onload="alert(4)"><script>alert(5)</script></svg>',
        '<a href="data:text/html,<script>alert(6)</script>">data</a>',
        '<iframe src="https://evil.test"></iframe>',
        "![pic](https://images.test/a.png)",
      ].join("\n\n"),
    });
    expect(preview.status).toBe(200);
    const html: string = preview.body.body_html;
    expect(html).not.toMatch(/<script|onerror=|onload=|href="javascript:|<svg|<iframe|href="data:/i);
    expect(html).toContain('src="https://images.test/a.png"');
  });

  it("serves the public help center with search, votes, redirects, a sitemap and a 404 that offers people", async () => {
    const created = await agent.post("/api/v1/help-center/articles", {
      title: "Reset your password",
      body_markdown: "Click **Forgot password** on the sign-in page and follow the email we send.",
      status: "published",
    });
    const id = created.body.id;
    const bengali = await agent.post("/api/v1/help-center/articles", {
      title: "পাসওয়ার্ড রিসেট করুন",
      body_markdown: "সাইন-ইন পাতায় **পাসওয়ার্ড ভুলে গেছেন** চাপুন।",
      language: "bn",
      translation_of: id,
      status: "published",
    });
    expect(bengali.status).toBe(201);
    expect(bengali.body.translations.map((t: { language: string }) => t.language)).toEqual(["bn", "en"]);

    await agent.post("/api/v1/help-center/articles", { title: "Secret roadmap", body_markdown: "Not yet." });
    const base = `${server.url}/help/${slug}`;
    const root = await fetch(base, {
      redirect: "manual",
      headers: { "accept-language": "bn-BD,bn;q=0.9,en;q=0.5" },
    });
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe(`/help/${slug}/bn`);

    const page = await fetch(`${base}/en/articles/reset-your-password`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(page.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
    expect(html).not.toMatch(/<script/);
    expect(html).toContain("<title>Reset your password · Acme help</title>");
    expect(html).toContain('rel="canonical"');
    expect(html).toContain('hreflang="bn"');
    expect(html).toContain("Talk to us");
    expect(html).toContain('href="https://acme.test/chat"');
    expect(html).toContain('href="mailto:help@acme.test"');

    const search = await (await fetch(`${base}/en/search?q=pasword`)).text();
    expect(search).toContain("Reset your password");
    expect(search).toMatch(/<mark>/);
    const nothing = await (
      await fetch(`${base}/en/search?q=${encodeURIComponent("quantum teleport")}`)
    ).text();
    expect(nothing).toContain("Nothing matched");
    expect(nothing).toContain("Talk to us");

    const vote = await fetch(`${base}/en/articles/reset-your-password/feedback`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "helpful=no",
    });
    expect(vote.status).toBe(200);
    const voted = await vote.text();
    expect(voted).toContain("Sorry it did not help");
    expect(voted).toContain('name="comment"');
    await fetch(`${base}/en/articles/reset-your-password/feedback/comment`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ comment: "I never got the email" }).toString(),
    });

    const renamed = await agent.patch(`/api/v1/help-center/articles/${id}`, {
      version: 1,
      slug: "password-reset",
    });
    expect(renamed.status).toBe(200);
    const old = await fetch(`${base}/en/articles/reset-your-password`, { redirect: "manual" });
    expect(old.status).toBe(301);
    expect(old.headers.get("location")).toBe(`/help/${slug}/en/articles/password-reset`);

    const missing = await fetch(`${base}/en/articles/no-such-thing`);
    expect(missing.status).toBe(404);
    const missingHtml = await missing.text();
    expect(missingHtml).toContain('role="search"');
    expect(missingHtml).toContain("Talk to us");
    expect((await fetch(`${base}/zz/articles/password-reset`)).status).toBe(404);

    const map = await (await fetch(`${base}/sitemap.xml`)).text();
    expect(map).toContain(`/help/${slug}/en/articles/password-reset</loc>`);
    expect(map).toContain(`/help/${slug}/bn/articles/`);
    expect(map).not.toContain("secret-roadmap");
    expect(map).toContain(`/help/${slug}/en/articles/change-your-card</loc>`);
    await flushViews(server.ctx);
    const today = new Date().toISOString().slice(0, 10);
    const report = await owner.get(`/api/v1/help-center/reports?from=${today}&to=${today}`);
    expect(report.status).toBe(200);
    const row = report.body.articles.find((a: { id: string }) => a.id === id);
    expect(row).toMatchObject({ unhelpful: 1 });
    expect(row.views).toBeGreaterThanOrEqual(1);
    expect(report.body.searches_without_results).toEqual(
      expect.arrayContaining([expect.objectContaining({ query: "quantum teleport", count: 1 })]),
    );
    expect(report.body.recent_feedback[0]).toMatchObject({
      comment: "I never got the email",
      helpful: false,
    });
  });

  it("serves a custom domain by its Host header, and only that workspace's help center", async () => {
    const saved = await owner.put("/api/v1/help-center/settings", { custom_domain: "Help.Acme.test" });
    expect(saved.body).toMatchObject({
      custom_domain: "help.acme.test",
      public_url: "http://help.acme.test",
    });
    const taken = await apiClient(server.url, globex.tokens.owner).put("/api/v1/help-center/settings", {
      custom_domain: "help.acme.test",
    });
    expect(taken.status).toBe(409);
    const { request } = await import("node:http");
    const get = (path: string, host: string, form?: string) =>
      new Promise<{ status: number; body: string; location?: string }>((resolve, reject) => {
        const url = new URL(server.url);
        const headers: Record<string, string> = { host };
        if (form) headers["content-type"] = "application/x-www-form-urlencoded";
        const options = { host: url.hostname, port: url.port, path, headers, method: form ? "POST" : "GET" };
        const req = request(options, (res) => {
          let body = "";
          res.on("data", (chunk) => {
            body += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body, location: res.headers.location }));
        });
        req.on("error", reject);
        req.end(form);
      });
    const home = await get("/en", "help.acme.test");
    expect(home.status).toBe(200);
    expect(home.body).toContain("Acme help");
    const article = await get("/en/articles/password-reset", "help.acme.test");
    expect(article.body).toContain("Forgot password");
    const map = await get("/sitemap.xml", "help.acme.test");
    expect(map.body).toContain("<loc>http://help.acme.test/en/articles/password-reset</loc>");
    expect((await get("/en", "unknown.example.test")).body).not.toContain("Acme help");
    const vote = await get("/en/articles/password-reset/feedback", "help.acme.test", "helpful=yes");
    expect(vote.status).toBe(200);
    expect(vote.body).toContain("Glad it helped");
  });

  it("seeds the demo help center once, in three languages", async () => {
    const demo = await createTestWorkspace(server, "Demo");
    const owner = {
      agentId: demo.ownerId,
      workspaceId: demo.workspaceId,
      role: "owner" as const,
      via: "session" as const,
      credentialId: "test",
    };
    await seedHelpCenter(server.ctx, owner, () => {});
    await seedHelpCenter(server.ctx, owner, () => {});
    const list = await apiClient(server.url, demo.tokens.viewer).get(
      "/api/v1/help-center/articles?limit=100",
    );
    expect(list.body.data.length).toBe(7);
    const demoSlug = (
      await server.ctx.db
        .selectFrom("workspaces")
        .select("slug")
        .where("id", "=", demo.workspaceId)
        .executeTakeFirstOrThrow()
    ).slug;
    const bengali = await (await fetch(`${server.url}/help/${demoSlug}/bn`)).text();
    expect(bengali).toContain('lang="bn"');
    expect(bengali).toContain("আমাদের সাথে কথা বলুন");
    expect(bengali).toContain("বিলিং");
    const refund = await (await fetch(`${server.url}/help/${demoSlug}/yo/articles/gba-owo-pada`)).text();
    expect(refund).toContain('hreflang="bn"');
    expect(refund).toContain("Yorùbá");
  });
});
