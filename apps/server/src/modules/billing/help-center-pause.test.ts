import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiClient,
  createTestWorkspace,
  databaseKinds,
  eventually,
  startTestServer,
  type TestServer,
  type TestWorkspace,
} from "../../test/harness.ts";
import { type SmtpSink, startSmtpSink } from "../email/outbound/test-sink.ts";
import { stripeRetry } from "./actions.ts";
import { deliverStripeEvent, type FakeStripe, startFakeStripe } from "./fake-stripe.ts";
import { setStripeApiBase } from "./stripe-client.ts";

const SECRET = "whsec_helpPauseSecret0123456789";
const LOGIN = { user: "keepwell", pass: "pause-sink-pass" };

/*
 * "Cancel or pause your subscription" in the public help center: an address form that emails a
 * signed pause link to a subscribed customer, and answers everyone the same.
 */
describe.each(databaseKinds)("pause link from the help center on %s", (kind) => {
  let server: TestServer;
  let fake: FakeStripe;
  let sink: SmtpSink;
  let acme: TestWorkspace;
  let globex: TestWorkspace;
  let acmeSlug: string;
  let globexSlug: string;
  let sequence = 0;
  const as = (workspace: TestWorkspace, role: keyof TestWorkspace["tokens"] = "owner") =>
    apiClient(server.url, workspace.tokens[role]);

  async function slugOf(workspace: TestWorkspace) {
    const row = await server.ctx.db
      .selectFrom("workspaces")
      .select("slug")
      .where("id", "=", workspace.workspaceId)
      .executeTakeFirstOrThrow();
    return row.slug;
  }

  /** A Stripe customer (its email becomes a contact of the company) with a live subscription. */
  async function subscribed(workspace: TestWorkspace, name: string, email: string) {
    const slug = name.toLowerCase();
    for (const [type, object] of [
      ["customer.created", { id: `cus_${slug}`, name, email }],
      [
        "customer.subscription.created",
        {
          id: `sub_${slug}`,
          customer: `cus_${slug}`,
          status: "active",
          items: {
            data: [{ id: `si_${slug}`, quantity: 1, price: { nickname: "Team", unit_amount: 9000 } }],
          },
        },
      ],
    ] as const) {
      sequence += 1;
      const delivered = await deliverStripeEvent(server.url, workspace.workspaceId, SECRET, {
        id: `evt_${kind}_h${sequence}`,
        type,
        created: Math.floor(Date.now() / 1000),
        object,
      });
      expect(delivered.status).toBe(200);
    }
  }

  beforeAll(async () => {
    stripeRetry.delaySeconds = 1;
    fake = await startFakeStripe();
    sink = await startSmtpSink(LOGIN);
    server = await startTestServer(kind);
    setStripeApiBase(server.ctx, fake.url);
    [acme, globex] = [await createTestWorkspace(server, "Acme"), await createTestWorkspace(server, "Globex")];
    [acmeSlug, globexSlug] = [await slugOf(acme), await slugOf(globex)];
    const inbox = await as(acme).post("/api/v1/inboxes", {
      name: "Acme Support",
      channel: "email",
      address: "support@acme.test",
    });
    expect(inbox.status).toBe(201);
    const smtp = await as(acme).put(`/api/v1/inboxes/${inbox.body.id}/smtp`, {
      host: "127.0.0.1",
      port: sink.port,
      security: "none",
      username: LOGIN.user,
      password: LOGIN.pass,
    });
    expect(smtp.status).toBe(200);
    const billing = await as(acme).put("/api/v1/billing/settings", {
      stripe_secret_key: "sk_test_helpPause0123456789",
      stripe_webhook_secret: SECRET,
      inbox_id: inbox.body.id,
    });
    expect(billing.status).toBe(200);
    // Globex knows its subscriptions from webhooks but has not connected Stripe.
    expect((await as(globex).put("/api/v1/billing/settings", { stripe_webhook_secret: SECRET })).status).toBe(
      200,
    );
    for (const workspace of [acme, globex]) {
      const help = await as(workspace).put("/api/v1/help-center/settings", { enabled: true });
      expect(help.status).toBe(200);
    }
    await subscribed(acme, "Stark", "billing@stark.test");
    await subscribed(globex, "Wayne", "bruce@wayne.test");
    // A second Stark contact, and an Acme contact of no company.
    const stark = (await as(acme, "viewer").get("/api/v1/companies?q=Stark")).body.data[0];
    for (const [email, company] of [
      ["pat@stark.test", stark.id],
      ["loner@nowhere.test", undefined],
    ]) {
      const created = await as(acme, "agent").post("/api/v1/contacts", { email, name: "Pat Potts" });
      expect(created.status).toBe(201);
      if (company)
        expect(
          (await as(acme, "agent").patch(`/api/v1/contacts/${created.body.id}`, { company_id: company }))
            .status,
        ).toBe(200);
    }
  });
  afterAll(async () => {
    await server?.destroy();
    await sink?.close();
    await fake?.close();
  });

  const page = (slug: string, path: string) => fetch(`${server.url}/help/${slug}/en${path}`);
  const ask = (email: string | null, slug = acmeSlug) =>
    fetch(`${server.url}/help/${slug}/en/subscription`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: email === null ? "" : new URLSearchParams({ email }).toString(),
    });
  const mailTo = (address: string) => sink.received.filter((m) => m.recipients.includes(address));
  /** The pause link in a mail, on this test server's own port (the link names BASE_URL). */
  const linkIn = (text: string) => {
    const url = new URL(/https?:\/\/\S+\/billing\/pause\/\S+/.exec(text)![0]);
    return `${server.url}${url.pathname}${url.search}`;
  };
  /**
   * Requests are handled one after another by one worker, in order: once a later request's mail
   * has arrived, the earlier ones have been handled, so "no mail" is known without waiting blind.
   */
  async function afterControl() {
    const before = mailTo("pat@stark.test").length;
    expect((await ask("pat@stark.test")).status).toBe(200);
    await eventually(async () => mailTo("pat@stark.test").length > before);
  }

  it("links the page from the help center only where billing is connected", async () => {
    const home = await (await page(acmeSlug, "")).text();
    expect(home).toContain(`href="/help/${acmeSlug}/en/subscription"`);
    expect(home).toContain("Cancel or pause your subscription");
    const form = await page(acmeSlug, "/subscription");
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain('name="email"');
    expect(html).not.toContain("<script");

    expect(await (await page(globexSlug, "")).text()).not.toContain("/subscription");
    expect((await page(globexSlug, "/subscription")).status).toBe(404);
    expect((await ask("bruce@wayne.test", globexSlug)).status).toBe(404);
  });

  it("emails a subscribed customer a working pause link, from the support inbox", async () => {
    const answer = await ask("Billing@Stark.test");
    expect(answer.status).toBe(200);
    const said = await answer.text();
    expect(said).toContain("If this address belongs to a subscription, we have emailed you a link.");

    const [mail] = await eventually(async () =>
      mailTo("billing@stark.test").length > 0 ? mailTo("billing@stark.test") : undefined,
    );
    expect(mail.parsed.from?.value[0].address).toBe("support@acme.test");
    expect(mail.parsed.subject).toBe("Your link to pause or cancel Stark");
    expect(mail.parsed.headers.get("auto-submitted")).toBe("auto-generated");
    expect(mail.parsed.replyTo?.value[0].address).toBe("support@acme.test");
    const link = linkIn(mail.parsed.text ?? "");
    const pausePage = await fetch(link);
    expect(pausePage.status).toBe(200);
    expect(await pausePage.text()).toContain("pause Stark instead of cancelling");

    const before = fake.requests.length;
    const chosen = await fetch(link, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "choice=pause-1",
    });
    expect(await chosen.text()).toContain("Stark is paused for 1 month");
    await eventually(async () =>
      fake.requests.slice(before).find((r) => r.path === "/v1/subscriptions/sub_stark"),
    );
  });

  it("writes to a customer in their own language, and opens the page in it", async () => {
    const stark = (await as(acme, "viewer").get("/api/v1/companies?q=Stark")).body.data[0];
    const created = await as(acme, "agent").post("/api/v1/contacts", {
      email: "rina@stark.test",
      name: "Rina",
    });
    const patched = await as(acme, "agent").patch(`/api/v1/contacts/${created.body.id}`, {
      company_id: stark.id,
      attributes: { language: "bn-BD" },
    });
    expect(patched.status).toBe(200);
    expect((await ask("rina@stark.test")).status).toBe(200);
    const [mail] = await eventually(async () =>
      mailTo("rina@stark.test").length > 0 ? mailTo("rina@stark.test") : undefined,
    );
    expect(mail.parsed.subject).toBe("Stark বিরতি বা বাতিল করার লিংক");
    const link = linkIn(mail.parsed.text ?? "");
    expect(new URL(link).searchParams.get("lang")).toBe("bn");
    const pausePage = await (await fetch(link)).text();
    expect(pausePage).toContain('<html lang="bn">');
  });

  it("answers an unknown address, a contact without a subscription and another workspace's customer the same, and mails none", async () => {
    const known = await (await ask("pat@stark.test")).text();
    const strip = (html: string) => html.replace(/<input[^>]*name="q"[^>]*>/, "");
    for (const email of ["nobody@unknown.test", "loner@nowhere.test", "bruce@wayne.test"]) {
      const answer = await ask(email);
      expect(answer.status).toBe(200);
      expect(strip(await answer.text())).toBe(strip(known));
    }
    await afterControl();
    for (const email of ["nobody@unknown.test", "loner@nowhere.test", "bruce@wayne.test"])
      expect(mailTo(email)).toEqual([]);
  });

  it("refuses bad input with a clear page, never a 500", async () => {
    for (const body of [null, "not-an-email", "a@b", `${"x".repeat(320)}@stark.test`]) {
      const answer = await ask(body);
      expect(answer.status).toBe(400);
      const html = await answer.text();
      expect(html).toContain("Please enter a valid email address.");
      expect(html).toContain('aria-invalid="true"');
    }
    const huge = await fetch(`${server.url}/help/${acmeSlug}/en/subscription`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `email=${"x".repeat(40_000)}`,
    });
    expect(huge.status).toBe(413);
    expect(huge.headers.get("content-type")).toContain("text/html");
    expect(await huge.text()).toContain("too large");
  });

  it("limits a flood of requests, per requester and per address", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await ask(`flood-${i}@unknown.test`)).status);
    expect(statuses).toContain(429);
    const limited = await ask("billing@stark.test");
    expect(limited.status).toBe(429);
    expect(await limited.text()).toContain("Too many requests");
  });
});
