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
import { deliverStripeEvent } from "./fake-stripe.ts";

const SECRET = "whsec_languagesTestSecret0123456789";

/* The pause page follows the browser's language, the dunning reminders the contact's; English otherwise. */
describe.each(databaseKinds)("billing in the customer's language on %s", (kind) => {
  let server: TestServer;
  let acme: TestWorkspace;
  let sequence = 0;
  const as = (role: keyof TestWorkspace["tokens"]) => apiClient(server.url, acme.tokens[role]);

  beforeAll(async () => {
    server = await startTestServer(kind);
    acme = await createTestWorkspace(server, "Acme");
    const inbox = await as("owner").post("/api/v1/inboxes", { name: "Support", channel: "api" });
    const saved = await as("owner").put("/api/v1/billing/settings", {
      stripe_webhook_secret: SECRET,
      reminder_days: [0, 3],
      after_grace: "none",
      inbox_id: inbox.body.id,
      sender_agent_id: acme.agents.admin,
    });
    expect(saved.status).toBe(200);
  });
  afterAll(async () => {
    await server?.destroy();
  });

  async function deliver(type: string, object: Record<string, unknown>) {
    sequence += 1;
    const response = await deliverStripeEvent(server.url, acme.workspaceId, SECRET, {
      id: `evt_${kind}_l${sequence}`,
      type,
      created: Math.floor(Date.now() / 1000),
      object,
    });
    expect(response.status).toBe(200);
  }

  async function pageUrl(name: string) {
    const company = await as("agent").post("/api/v1/companies", { name });
    const signed = await as("agent").post(`/api/v1/companies/${company.body.id}/billing/pause-link`, {});
    return `${server.url}${new URL(signed.body.url).pathname}`;
  }

  it("shows the pause page in the browser's language, falling back to English", async () => {
    const url = await pageUrl("Pied Piper");
    const tamil = await fetch(url, { headers: { "accept-language": "fr;q=0.9, ta-IN, en;q=0.5" } });
    const html = await tamil.text();
    expect(html).toContain('<html lang="ta">');
    expect(html).toContain("நீங்கள் செல்லும் முன்");
    expect(html).toContain("Pied Piper ஐ இடைநிறுத்தலாம்");
    for (const [header, words] of [
      ["bn", "যাওয়ার আগে"],
      ["mr-IN", "जाण्यापूर्वी"],
      ["ha", "Kafin ku tafi"],
      ["yo", "Kí ẹ tó lọ"],
      ["fr-FR, de;q=0.8", "Before you go"],
    ] as const) {
      const response = await fetch(url, { headers: { "accept-language": header } });
      expect(await response.text(), header).toContain(words);
    }
    const refused = await fetch(
      url.replace(/.$/, (c) => (c === "A" ? "B" : "A")),
      {
        headers: { "accept-language": "ha" },
      },
    );
    expect(refused.status).toBe(404);
    expect(await refused.text()).toContain("Wannan mahaɗin ba ya aiki");

    const chosen = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "accept-language": "yo" },
      body: "choice=pause-2",
    });
    expect(chosen.status).toBe(200);
    expect(await chosen.text()).toContain("A ti dá Pied Piper dúró fún oṣù 2");
  });

  it("writes dunning reminders in the contact's language", async () => {
    await deliver("customer.created", { id: "cus_bn", name: "Dhaka Tea", email: "rina@dhaka.test" });
    await deliver("customer.subscription.created", {
      id: "sub_bn",
      customer: "cus_bn",
      status: "active",
      items: { data: [{ id: "si_bn", quantity: 1, price: { nickname: "Team", unit_amount: 4000 } }] },
    });
    const contacts = await as("viewer").get("/api/v1/contacts?q=rina");
    const contact = contacts.body.data[0];
    const patched = await as("agent").patch(`/api/v1/contacts/${contact.id}`, {
      name: "Rina Das",
      attributes: { language: "bn-BD" },
    });
    expect(patched.status).toBe(200);
    await deliver("invoice.payment_failed", {
      id: "in_bn",
      customer: "cus_bn",
      subscription: "sub_bn",
      amount_due: 4000,
    });
    const companyId = contact.company_id as string;
    const notice = await eventually(async () => {
      const billing = await as("viewer").get(`/api/v1/companies/${companyId}/billing`);
      return billing.body.dunning[0]?.notices[0]?.conversation_id
        ? billing.body.dunning[0].notices[0]
        : undefined;
    });
    expect(notice.subject).toBe("Dhaka Tea-এর পেমেন্টে একটু সমস্যা");
    const messages = await as("viewer").get(`/api/v1/conversations/${notice.conversation_id}/messages`);
    const reminder = messages.body.data.find((m: { kind: string }) => m.kind === "outgoing");
    expect(reminder.body_text).toContain("নমস্কার Rina,");
    expect(reminder.body_text).toContain("Dhaka Tea-এর পেমেন্ট (40.00) সফল হয়নি");
    expect(reminder.body_text).toContain("Acme admin");
  });
});
