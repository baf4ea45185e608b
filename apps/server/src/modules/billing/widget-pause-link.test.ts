import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiClient,
  createTestWorkspace,
  databaseKinds,
  startTestServer,
  type TestServer,
  type TestWorkspace,
} from "../../test/harness.ts";
import { signUserId } from "../widget/identity.ts";
import { visitorSession } from "../widget/test-support.ts";
import { deliverStripeEvent } from "./fake-stripe.ts";

const SECRET = "whsec_widgetPauseSecret0123456789";

/* The chat widget's "pause or cancel" entry: a signed link for a verified customer only. */
describe.each(databaseKinds)("pause link from the widget on %s", (kind) => {
  let server: TestServer;
  let acme: TestWorkspace;
  let globex: TestWorkspace;
  let key: string;
  let otherKey: string;
  let identitySecret: string;
  const as = (workspace: TestWorkspace, role: keyof TestWorkspace["tokens"]) =>
    apiClient(server.url, workspace.tokens[role]);

  async function widgetKey(workspace: TestWorkspace) {
    const inbox = await as(workspace, "owner").post("/api/v1/inboxes", {
      name: "Website chat",
      channel: "chat",
    });
    const widget = await as(workspace, "viewer").get(`/api/v1/inboxes/${inbox.body.id}/widget`);
    return { inboxId: inbox.body.id as string, key: widget.body.public_key as string };
  }

  beforeAll(async () => {
    server = await startTestServer(kind);
    [acme, globex] = [await createTestWorkspace(server, "Acme"), await createTestWorkspace(server, "Globex")];
    const widget = await widgetKey(acme);
    key = widget.key;
    otherKey = (await widgetKey(globex)).key;
    const rotated = await as(acme, "admin").post(`/api/v1/inboxes/${widget.inboxId}/widget/identity-secret`);
    identitySecret = rotated.body.identity_secret;
    await as(acme, "owner").put("/api/v1/billing/settings", { stripe_webhook_secret: SECRET });
    let n = 0;
    for (const [type, object] of [
      ["customer.created", { id: "cus_stark", name: "Stark", email: "billing@stark.test" }],
      [
        "customer.subscription.created",
        {
          id: "sub_stark",
          customer: "cus_stark",
          status: "active",
          items: { data: [{ id: "si_stark", quantity: 1, price: { nickname: "Team", unit_amount: 9000 } }] },
        },
      ],
    ] as const) {
      n += 1;
      const delivered = await deliverStripeEvent(server.url, acme.workspaceId, SECRET, {
        id: `evt_${kind}_w${n}`,
        type,
        created: Math.floor(Date.now() / 1000),
        object,
      });
      expect(delivered.status).toBe(200);
    }
  });
  afterAll(async () => {
    await server?.destroy();
  });

  const ask = (widget: string, token?: string) =>
    fetch(`${server.url}/billing/widget/${widget}/pause-link`, {
      method: "POST",
      headers: token ? { authorization: `Visitor ${token}` } : {},
    });

  async function verifiedVisitor(userId: string, email: string) {
    const session = await visitorSession(server, key, {
      identity: { user_id: userId, email, name: "Pat", user_hash: signUserId(identitySecret, userId) },
    });
    expect(session.body.identity_verified).toBe(true);
    return session.body.token as string;
  }

  it("gives a verified customer of a subscribed company a working link", async () => {
    const token = await verifiedVisitor("user-pat", "pat@stark.test");
    // Not yet known as Stark's: no subscription to offer.
    const early = await ask(key, token);
    expect(early.status).toBe(404);
    expect((await early.json()).type).toMatch(/no_subscription$/);

    const company = (await as(acme, "viewer").get("/api/v1/companies?q=Stark")).body.data[0];
    const contact = (await as(acme, "viewer").get("/api/v1/contacts?q=pat@stark.test")).body.data[0];
    expect(
      (await as(acme, "agent").patch(`/api/v1/contacts/${contact.id}`, { company_id: company.id })).status,
    ).toBe(200);
    const issued = await ask(key, token);
    expect(issued.status).toBe(200);
    const link = (await issued.json()) as { url: string; expires_at: string };
    expect(new Date(link.expires_at).getTime() - Date.now()).toBeLessThanOrEqual(86_400_000);
    const page = await fetch(`${server.url}${new URL(link.url).pathname}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("pause Stark instead of cancelling");
  });

  it("never gives one to an anonymous or unverified visitor, a missing token, or another workspace's widget", async () => {
    const anonymous = await visitorSession(server, key, { name: "Someone" });
    const refused = await ask(key, anonymous.body.token);
    expect(refused.status).toBe(403);
    expect((await refused.json()).field).toBe("identity.user_hash");
    // Claiming the customer's identity without the site's signature is the same as anonymous.
    const claimed = await visitorSession(server, key, {
      identity: { user_id: "user-pat", email: "pat@stark.test", name: "Pat" },
    });
    expect(claimed.body.identity_verified).toBe(false);
    expect((await ask(key, claimed.body.token)).status).toBe(403);
    expect((await ask(key)).status).toBe(401);
    expect((await ask(key, "not-a-token")).status).toBe(401);
    const token = await verifiedVisitor("user-pat", "pat@stark.test");
    expect((await ask(otherKey, token)).status).toBe(401);
    expect((await ask("kwc_doesnotexist000")).status).toBe(404);
  });
});
