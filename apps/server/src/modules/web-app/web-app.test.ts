import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureWebBuilt } from "../../../../../scripts/build-web.js";
import { databaseKinds, startTestServer, type TestServer } from "../../test/harness.ts";
import { APP_CSP, WEB_DIST } from "./routes.ts";

describe.each(databaseKinds)("the agent web app's files on %s", (kind) => {
  let server: TestServer;
  let script: string;

  beforeAll(async () => {
    await ensureWebBuilt({ log: () => {} });
    script = readdirSync(path.join(WEB_DIST, "assets")).find((f) => /^index-.*\.js$/.test(f))!;
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it("serves the app's page at / under a strict content security policy, never cached", async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.headers.get("content-security-policy")).toBe(APP_CSP);
    expect(APP_CSP).toContain("script-src 'self'");
    expect(APP_CSP).toContain("frame-ancestors 'none'");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expect(await response.text()).toContain('<div id="root">');
  });

  it("answers deep links with the app's page so a reload keeps the screen", async () => {
    const response = await fetch(`${server.url}/conversations/6a1f8a8e-1111-4c1e-9e0e-000000000001?view=all`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(`/assets/${script}`);
  });

  it("serves hashed assets for a year as immutable, precompressed when the browser accepts it", async () => {
    const response = await fetch(`${server.url}/assets/${script}`, {
      headers: { "accept-encoding": "br, gzip" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(response.headers.get("content-type")).toMatch(/javascript/);
    expect(response.headers.get("content-encoding")).toBe("br");
  });

  it("answers 404 for a hashed asset that does not exist instead of the page", async () => {
    const response = await fetch(`${server.url}/assets/index-gone.js`);
    expect(response.status).toBe(404);
  });

  it("keeps problem+json 404s for API paths no route serves", async () => {
    const response = await fetch(`${server.url}/api/v1/no-such-thing`);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toMatch(/application\/problem\+json/);
  });

  it("never serves a file from outside the app's folder", async () => {
    for (const probe of [
      "/..%2f..%2f..%2fpackage.json",
      "/%2e%2e/%2e%2e/package.json",
      "/assets/..%2f..%2fvite.config.ts",
    ]) {
      const response = await fetch(`${server.url}${probe}`);
      const text = await response.text();
      expect(text).not.toContain('"name": "keepwell"');
      expect(text).not.toContain("defineConfig");
    }
  });

  it("still serves the API and the OpenAPI document beside the app", async () => {
    const response = await fetch(`${server.url}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    expect((await response.json()).openapi).toBe("3.1.0");
  });
});
