import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DeclaredRoute, declaredRoutes } from "../modules/access/authenticate.ts";
import {
  apiClient,
  createTestWorkspace,
  databaseKinds,
  type TestServer,
  type TestWorkspace,
  startTestServer,
} from "../test/harness.ts";
import { can, type Permission } from "./permissions.ts";

/*
 * Walks every /api/v1 route the server declared and checks that anonymous callers, revoked and
 * expired tokens, viewers (for writes) and agents of another workspace are refused. A new route is
 * covered the moment it is registered; a route whose path parameter this test cannot fill fails it.
 */

const WRITE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The collection a path parameter points into, named by the path segment before it. */
function collectionOf(url: string, param: string): string {
  const segments = url.split("/");
  const index = segments.indexOf(`:${param}`);
  return segments[index - 1];
}

function paramsOf(url: string): string[] {
  return [...url.matchAll(/:(\w+)/g)].map((m) => m[1]);
}

/** Bodies valid enough to get past validation, so the 404 checks reach the handler. */
const validBodies: Record<string, unknown> = {
  "POST /api/v1/conversations/:id/messages": { kind: "note", body_text: "probe" },
  "POST /api/v1/conversations/:id/tags": { tag: "probe" },
  "POST /api/v1/saved-replies": { name: "Probe", body: "Hi {{contact.first_name | there}}" },
  "PATCH /api/v1/saved-replies/:id": { body: "probe" },
  "POST /api/v1/conversations/:id/merge": { source_id: "00000000-0000-4000-8000-000000000000" },
  "POST /api/v1/conversations/:id/split": { message_id: "00000000-0000-4000-8000-000000000000" },
  "POST /api/v1/contacts/:id/merge": { source_id: "00000000-0000-4000-8000-000000000000" },
  "PATCH /api/v1/agents/:id": { role: "agent" },
  "PUT /api/v1/inboxes/:id/smtp": { host: "smtp.example.com", port: 587, security: "starttls" },
  "POST /api/v1/inboxes/:id/smtp/test": { to: "someone@example.com" },
  "PUT /api/v1/inboxes/:id/auto-acknowledgement": { subject: "We got it", body: "Thanks for writing." },
  "PUT /api/v1/inboxes/:id/imap": { host: "imap.example.com", port: 993, tls: true, username: "u", password: "p" },
  "PUT /api/v1/inboxes/:id/survey-settings": { enabled: false },
  "PUT /api/v1/inboxes/:id/widget": { greeting: "probe" },
  "POST /api/v1/conversations/:id/callback/attempts": { outcome: "no_answer" },
  "POST /api/v1/feature-requests": { title: "Probe" },
  "POST /api/v1/feature-requests/:id/asks": { contact_id: "00000000-0000-4000-8000-000000000000" },
  "PUT /api/v1/sequences/:id/steps": { steps: [] },
  "POST /api/v1/sequences/:id/enrollments": { contact_ids: ["00000000-0000-4000-8000-000000000000"] },
  "POST /api/v1/sequences/:id/enrollments/segment": { conditions: [] },
  "POST /api/v1/sequence-events": { name: "probe", email: "probe@example.com" },
  "PATCH /api/v1/sequence-enrollments/:id": { state: "paused" },
  "POST /api/v1/office-hours": { weekday: 0, start: "09:00", end: "10:00" },
  "PATCH /api/v1/help-center/articles/:id": { version: 1, title: "probe" },
  "POST /api/v1/help-center/articles/:id/revisions/:revisionId/restore": { version: 1 },
  "POST /api/v1/help-center/articles": { title: "probe", body_markdown: "probe" },
  "POST /api/v1/help-center/collections": { name: "probe" },
  "POST /api/v1/help-center/preview": { body_markdown: "probe" },
};

describe.each(databaseKinds)("authorization of every route on %s", (kind) => {
  let server: TestServer;
  let acme: TestWorkspace;
  let globex: TestWorkspace;
  let routes: DeclaredRoute[];
  const ids: Record<string, string> = {};
  let revokedToken: string;
  let expiredToken: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    [acme, globex] = [await createTestWorkspace(server, "Acme"), await createTestWorkspace(server, "Globex")];
    routes = declaredRoutes(server.ctx).filter((route) => route.permission !== "public");
    const owner = apiClient(server.url, acme.tokens.owner);

    const inbox = await owner.post("/api/v1/inboxes", { name: "API", channel: "api" });
    ids.inboxes = inbox.body.id;
    const company = await owner.post("/api/v1/companies", { name: "Initech" });
    ids.companies = company.body.id;
    const contact = await owner.post("/api/v1/contacts", { name: "Pat", email: "pat@initech.test" });
    ids.contacts = contact.body.id;
    const conversation = await owner.post("/api/v1/conversations", {
      inbox_id: ids.inboxes,
      contact: { id: ids.contacts },
      subject: "Where is my invoice?",
      message: { kind: "incoming", body_text: "Hello" },
    });
    ids.conversations = conversation.body.id;
    const messages = await owner.get(`/api/v1/conversations/${ids.conversations}/messages`);
    ids.messages = messages.body.data[0].id;
    const tag = await owner.post("/api/v1/tags", { name: "billing" });
    ids.tags = tag.body.id;
    const savedReply = await owner.post("/api/v1/saved-replies", { name: "Fixture", body: "Hello" });
    ids["saved-replies"] = savedReply.body.id;
    const form = new FormData();
    form.append("file", new Blob(["hello"], { type: "text/plain" }), "hello.txt");
    const upload = await fetch(`${server.url}/api/v1/attachments`, {
      method: "POST",
      headers: { authorization: `Bearer ${acme.tokens.owner}` },
      body: form,
    });
    ids.attachments = (await upload.json()).id;
    const webhook = await owner.post("/api/v1/webhooks", {
      url: "https://hooks.example.com/keepwell",
      events: ["*"],
      active: false,
    });
    ids.webhooks = webhook.body.webhook.id;
    const invitation = await owner.post("/api/v1/invitations", { email: "new@acme.test", role: "agent" });
    ids.invitations = invitation.body.id;
    const token = await owner.post("/api/v1/tokens", { name: "to revoke" });
    ids.tokens = token.body.api_token.id;
    revokedToken = token.body.token;
    await owner.delete(`/api/v1/tokens/${ids.tokens}`);
    const expiring = await owner.post("/api/v1/tokens", { name: "expired", expires_in_days: 1 });
    expiredToken = expiring.body.token;
    await server.ctx.db
      .updateTable("api_tokens")
      .set({ expires_at: new Date(Date.now() - 60_000) })
      .where("id", "=", expiring.body.api_token.id)
      .execute();
    ids.agents = acme.agents.agent;
    const featureRequest = await owner.post("/api/v1/feature-requests", { title: "Probe request" });
    ids["feature-requests"] = featureRequest.body.id;
    const ask = await owner.post(`/api/v1/feature-requests/${ids["feature-requests"]}/asks`, {
      conversation_id: ids.conversations,
    });
    ids.asks = ask.body.ask_id;
    await owner.patch(`/api/v1/feature-requests/${ids["feature-requests"]}`, { status: "shipped" });
    const notices = await owner.get(`/api/v1/feature-requests/${ids["feature-requests"]}/notices`);
    ids.notices = notices.body.data[0].id;
    const mailInbox = await owner.post("/api/v1/inboxes", {
      name: "Mail",
      channel: "email",
      address: "probe@acme.test",
    });
    const sequence = await owner.post("/api/v1/sequences", {
      name: "Probe sequence",
      inbox_id: mailInbox.body.id,
      state: "active",
      steps: [{ delay_amount: 30, delay_unit: "days", subject: "Probe", body: "Probe" }],
    });
    ids.sequences = sequence.body.id;
    await owner.post(`/api/v1/sequences/${ids.sequences}/enrollments`, { contact_ids: [ids.contacts] });
    const enrollments = await owner.get(`/api/v1/contacts/${ids.contacts}/sequences`);
    ids["sequence-enrollments"] = enrollments.body.data[0].id;
    const slot = await owner.post("/api/v1/office-hours", { weekday: 0, start: "09:00", end: "10:00" });
    ids["office-hours"] = slot.body.id;
    const helpCollection = await owner.post("/api/v1/help-center/collections", { name: "Initech help" });
    ids.collections = helpCollection.body.id;
    const helpArticle = await owner.post("/api/v1/help-center/articles", { title: "Initech", body_markdown: "Probe" });
    ids.articles = helpArticle.body.id;
    const helpRevisions = await owner.get(`/api/v1/help-center/articles/${ids.articles}/revisions`);
    ids.revisions = helpRevisions.body.data[0].id;
    // An event a listener set aside (written directly: no listener here fails on purpose).
    ids.parked = randomUUID();
    await server.ctx.db
      .insertInto("event_parked")
      .values({
        workspace_id: acme.workspaceId,
        consumer: "webhooks",
        event_id: ids.parked,
        seq: 1,
        type: "contact.created",
        data: JSON.stringify({ id: ids.contacts }),
        occurred_at: new Date(),
        attempts: 7,
        error: "probe",
      })
      .execute();
    for (const [name, id] of Object.entries(ids)) expect(String(id), `fixture ${name}`).toMatch(/^[0-9a-f-]{36}$/);
  });

  afterAll(async () => {
    await server?.destroy();
  });

  function urlFor(route: DeclaredRoute): string {
    let url = route.url;
    for (const param of paramsOf(route.url)) {
      const id = ids[collectionOf(route.url, param)];
      if (!id) throw new Error(`no fixture for :${param} in ${route.method} ${route.url}`);
      url = url.replace(`:${param}`, id);
    }
    return url;
  }

  function bodyFor(route: DeclaredRoute): unknown {
    if (!WRITE.has(route.method) || route.method === "DELETE") return undefined;
    return validBodies[`${route.method} ${route.url}`] ?? {};
  }

  it("declares a permission for every route, and documents every route but the socket in OpenAPI", async () => {
    expect(routes.length).toBeGreaterThan(30);
    const spec = await (await fetch(`${server.url}/api/v1/openapi.json`)).json();
    for (const route of declaredRoutes(server.ctx)) {
      if (route.url === "/api/v1/stream") continue;
      const path = route.url.replace(/:(\w+)/g, "{$1}");
      expect(spec.paths[path]?.[route.method.toLowerCase()], `${route.method} ${path} in OpenAPI`).toBeDefined();
    }
  });

  it("refuses anonymous callers on every route with 401 problem+json", async () => {
    const anonymous = apiClient(server.url);
    for (const route of routes) {
      const response = await anonymous.request(route.method, urlFor(route), bodyFor(route));
      expect.soft(response.status, `${route.method} ${route.url}`).toBe(401);
      expect(response.headers.get("content-type"), `${route.method} ${route.url}`).toMatch(/problem\+json/);
    }
  });

  it("refuses revoked and expired tokens on every route", async () => {
    for (const token of [revokedToken, expiredToken]) {
      const client = apiClient(server.url, token);
      for (const route of routes) {
        const response = await client.request(route.method, urlFor(route), bodyFor(route));
        expect.soft(response.status, `${route.method} ${route.url}`).toBe(401);
      }
    }
  });

  it("refuses viewers every write their role does not allow, before touching anything", async () => {
    const viewer = apiClient(server.url, acme.tokens.viewer);
    const writes = routes.filter(
      (route) =>
        WRITE.has(route.method) &&
        route.permission !== "authenticated" &&
        !can("viewer", route.permission as Permission),
    );
    expect(writes.length).toBeGreaterThan(20);
    for (const route of writes) {
      const response = await viewer.request(route.method, urlFor(route), bodyFor(route));
      expect.soft(response.status, `${route.method} ${route.url}`).toBe(403);
    }
  });

  it("answers 404 to another workspace's owner for every object of this one, and changes nothing", async () => {
    const owner = apiClient(server.url, acme.tokens.owner);
    const intruder = apiClient(server.url, globex.tokens.owner);
    const withIds = routes.filter((route) => paramsOf(route.url).length > 0 && route.url !== "/api/v1/stream");
    const before = await snapshot(owner);
    for (const route of withIds) {
      const response = await intruder.request(route.method, urlFor(route), bodyFor(route));
      expect.soft(response.status, `${route.method} ${route.url}`).toBe(404);
      expect(JSON.stringify(response.body), `${route.method} ${route.url}`).not.toContain("Initech");
    }
    expect(await snapshot(owner)).toEqual(before);
  });

  /** What the owner of Acme can see of the fixtures, to prove the intruder changed nothing. */
  async function snapshot(client: ReturnType<typeof apiClient>) {
    const paths = [
      `/api/v1/conversations/${ids.conversations}`,
      `/api/v1/conversations/${ids.conversations}/messages`,
      `/api/v1/contacts/${ids.contacts}`,
      `/api/v1/companies/${ids.companies}`,
      `/api/v1/inboxes/${ids.inboxes}`,
      `/api/v1/tags`,
      `/api/v1/webhooks/${ids.webhooks}`,
      `/api/v1/invitations`,
      `/api/v1/agents`,
    ];
    const results: Record<string, unknown> = {};
    for (const path of paths) {
      const response = await client.get(path);
      results[path] = { status: response.status, body: response.body };
    }
    return results;
  }
});
