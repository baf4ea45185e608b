import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stripeRetry } from "../apps/server/src/modules/billing/actions.ts";
import {
  deliverStripeEvent,
  type FakeStripe,
  startFakeStripe,
} from "../apps/server/src/modules/billing/fake-stripe.ts";
import { setStripeApiBase } from "../apps/server/src/modules/billing/stripe-client.ts";
import { signUserId } from "../apps/server/src/modules/widget/identity.ts";
import { apiClient, eventually } from "../apps/server/src/test/harness.ts";
import { ensureWidgetBuilt } from "../scripts/build-widget.js";
import { hasChromium, launchBrowser, screenshot, watchErrors } from "./browser.ts";
import { type AppFixture, startApp } from "./fixtures.ts";
import { chatFrame, widgetLoaded } from "./widget-page.ts";

const WEBHOOK_SECRET = "whsec_widgetPauseE2e0123456789";
const USER = { user_id: "tony-1", email: "tony@stark.test", name: "Tony" };

/*
 * The widget's "pause or cancel" entry, in a real Chromium: a signed-in customer of a company with a
 * live subscription opens the chat on their site, follows the entry to the signed pause page, and
 * pauses for a month; Stripe (a fake, over HTTP) is asked to pause the subscription.
 */
describe.skipIf(!hasChromium)("pausing a subscription from the chat widget, in Chromium", () => {
  let app: AppFixture;
  let fake: FakeStripe;
  let browser: Browser;
  let host: Server;
  let hostUrl: string;
  let key: string;
  let userHash: string;

  beforeAll(async () => {
    await ensureWidgetBuilt({ log: () => {} });
    stripeRetry.delaySeconds = 1;
    [app, browser, fake] = await Promise.all([startApp("Acme"), launchBrowser(), startFakeStripe()]);
    setStripeApiBase(app.server.ctx, fake.url);
    const owner = apiClient(app.server.url, app.workspace.tokens.owner);
    const inbox = await owner.post("/api/v1/inboxes", { name: "Website chat", channel: "chat" });
    key = (await owner.get(`/api/v1/inboxes/${inbox.body.id}/widget`)).body.public_key;
    const secret = await owner.post(`/api/v1/inboxes/${inbox.body.id}/widget/identity-secret`);
    userHash = signUserId(secret.body.identity_secret, USER.user_id);

    host = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      response.end(hostPage(app.server.url, key, { ...USER, user_hash: userHash }));
    });
    await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
    hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    expect(
      (
        await owner.put(`/api/v1/inboxes/${inbox.body.id}/widget`, {
          allowed_origins: [hostUrl],
          respect_business_hours: false,
        })
      ).status,
    ).toBe(200);

    const billing = await owner.put("/api/v1/billing/settings", {
      stripe_secret_key: "sk_test_widgetPauseE2e0123456789",
      stripe_webhook_secret: WEBHOOK_SECRET,
    });
    expect(billing.status).toBe(200);
    let n = 0;
    for (const [type, object] of [
      ["customer.created", { id: "cus_stark", name: "Stark Industries", email: "pepper@stark.test" }],
      [
        "customer.subscription.created",
        {
          id: "sub_stark",
          customer: "cus_stark",
          status: "active",
          items: { data: [{ id: "si_stark", quantity: 3, price: { nickname: "Team", unit_amount: 9000 } }] },
        },
      ],
    ] as const) {
      n += 1;
      const delivered = await deliverStripeEvent(app.server.url, app.workspace.workspaceId, WEBHOOK_SECRET, {
        id: `evt_widget_pause_${n}`,
        type,
        created: Math.floor(Date.now() / 1000),
        object,
      });
      expect(delivered.status).toBe(200);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => host?.close(resolve));
    await app?.destroy();
    await fake?.close();
  });

  it("takes a verified customer from the widget to the pause page, and pauses for one month", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const errors = watchErrors(page);
    await page.goto(hostUrl);
    await widgetLoaded(page);
    await page.mouse.click(1280 - 20 - 28, 800 - 20 - 28);
    const frame = await chatFrame(page);

    // The signed-in customer becomes a contact; the agent team knows them as Stark's.
    const agent = apiClient(app.server.url, app.workspace.tokens.agent);
    const contact = await eventually(async () => {
      const found = await agent.get(`/api/v1/contacts?q=${encodeURIComponent(USER.email)}`);
      return found.body.data[0] as { id: string } | undefined;
    });
    const company = (await agent.get("/api/v1/companies?q=Stark")).body.data[0];
    expect((await agent.patch(`/api/v1/contacts/${contact.id}`, { company_id: company.id })).status).toBe(
      200,
    );

    const entry = frame.getByRole("button", { name: "Pause or cancel my subscription" });
    await entry.waitFor();
    await screenshot(page, "widget-pause-entry");
    const [pausePage] = await Promise.all([context.waitForEvent("page"), entry.click()]);
    await pausePage.waitForLoadState();
    expect(new URL(pausePage.url()).pathname).toMatch(/^\/billing\/pause\//);
    await pausePage.getByRole("heading", { name: "Before you go" }).waitFor();
    await pausePage.getByText("pause Stark Industries instead of cancelling").waitFor();
    await screenshot(pausePage, "widget-pause-page");

    const before = fake.requests.length;
    await pausePage.getByLabel("Pause for 1 month").check();
    await pausePage.getByLabel("Would you tell us why? (optional, it goes to the team)").fill("Summer break");
    await pausePage.getByRole("button", { name: "Confirm" }).click();
    await pausePage.locator("#outcome", { hasText: "Stark Industries is paused for 1 month" }).waitFor();
    await screenshot(pausePage, "widget-pause-done");

    const pause = await eventually(async () =>
      fake.requests.slice(before).find((r) => r.path === "/v1/subscriptions/sub_stark"),
    );
    expect(pause.method).toBe("POST");
    expect(pause.form["pause_collection[behavior]"]).toBeDefined();
    const resumesAt = Number(pause.form["pause_collection[resumes_at]"]);
    const days = (resumesAt * 1000 - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(25);
    expect(days).toBeLessThan(35);
    const billing = await eventually(async () => {
      const b = (await agent.get(`/api/v1/companies/${company.id}/billing`)).body;
      return b.choices?.[0]?.reason === "Summer break" ? b : undefined;
    });
    expect(billing.choices[0]).toMatchObject({ choice: "pause", months: 1 });
    expect(errors.filter((e) => !e.includes("Failed to load resource"))).toEqual([]);
    await context.close();
  });
});

function hostPage(
  keepwell: string,
  key: string,
  identity: { user_id: string; email: string; name: string; user_hash: string },
): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Stark portal</title></head>
<body><h1>Your account</h1>
<script>window.Keepwell = { q: [["identify", ${JSON.stringify(identity)}]] };</script>
<script src="${keepwell}/widget.js" data-keepwell-widget="${key}" async></script></body></html>`;
}
