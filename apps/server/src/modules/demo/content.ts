import type { ConversationStatus, Priority, Role } from "../../db/schema.ts";

/*
 * What the demo workspace contains, the same on every install (only times are relative to "now").
 * The seed test checks the seeded workspace against this file, so this is its documentation too.
 */

export const DEMO_INBOX = {
  name: "Support",
  channel: "email",
  address: "support@demo.keepwell.test",
} as const;

/** The team besides the owner (Dana Owner). They have no password: "forgot password" lets them in. */
export const DEMO_AGENTS: { key: AgentKey; email: string; name: string; role: Role }[] = [
  { key: "sam", email: "sam@demo.keepwell.test", name: "Sam Rivera", role: "admin" },
  { key: "priya", email: "priya@demo.keepwell.test", name: "Priya Nair", role: "agent" },
  { key: "leo", email: "leo@demo.keepwell.test", name: "Leo Martin", role: "viewer" },
];

export type AgentKey = "dana" | "sam" | "priya" | "leo";

export const DEMO_COMPANIES = [
  { name: "Northwind Analytics", domain: "northwind.example", plan: "Growth", mrr_cents: 49_000 },
  { name: "Bluebird Labs", domain: "bluebird.example", plan: "Starter", mrr_cents: 4_900 },
  { name: "Halcyon Health", domain: "halcyon.example", plan: "Enterprise", mrr_cents: 240_000 },
] as const;

export const DEMO_CONTACTS: { name: string; email: string; company: string | null }[] = [
  { name: "Ada Okafor", email: "ada@northwind.example", company: "Northwind Analytics" },
  { name: "Grace Lindqvist", email: "grace@northwind.example", company: "Northwind Analytics" },
  { name: "Alan Moreau", email: "alan@bluebird.example", company: "Bluebird Labs" },
  { name: "Mei Tanaka", email: "mei@bluebird.example", company: "Bluebird Labs" },
  { name: "Katherine Osei", email: "katherine@halcyon.example", company: "Halcyon Health" },
  { name: "Tim Alvarez", email: "tim@halcyon.example", company: "Halcyon Health" },
  { name: "Amara Nwosu", email: "amara.nwosu@example.com", company: null },
  { name: "Mateo García", email: "mateo.garcia@example.com", company: null },
];

export const DEMO_TAGS = [
  { name: "bug", color: "#ef4444" },
  { name: "billing", color: "#f59e0b" },
  { name: "onboarding", color: "#22c55e" },
  { name: "feature-request", color: "#6366f1" },
  { name: "vip", color: "#ec4899" },
] as const;

export interface DemoMessage {
  kind: "incoming" | "outgoing" | "note";
  /** Minutes before the seed ran. */
  ago: number;
  text: string;
  /** The agent who wrote an outgoing message or note; the assignee when not given. */
  by?: AgentKey;
}

export interface DemoConversation {
  contact: string;
  subject: string;
  assignee: AgentKey | null;
  priority?: Priority;
  status: ConversationStatus;
  /** For snoozed conversations: hours after the seed ran. */
  snoozeHours?: number;
  tags: string[];
  messages: DemoMessage[];
}

const HOUR = 60;
const DAY = 24 * HOUR;

export const DEMO_CONVERSATIONS: DemoConversation[] = [
  {
    contact: "ada@northwind.example",
    subject: "CSV export times out for large reports",
    assignee: "priya",
    priority: "high",
    status: "open",
    tags: ["bug"],
    messages: [
      {
        kind: "incoming",
        ago: 3 * HOUR,
        text: "Hi! Exporting our Q3 report to CSV spins for a minute and then fails with a timeout. It worked last week. The report has about 40,000 rows.",
      },
      {
        kind: "note",
        ago: 3 * HOUR - 10,
        text: "Reproduced on staging with 50k rows: the export job hits the 60-second limit.",
      },
      {
        kind: "outgoing",
        ago: 3 * HOUR - 20,
        text: "Thanks Ada, I can reproduce it and engineering is on it. Until the fix ships, exporting one month at a time stays under the limit. I'll write as soon as it's fixed.",
      },
      {
        kind: "incoming",
        ago: HOUR,
        text: "Thanks, the monthly exports work for now. Any idea when the fix lands?",
      },
    ],
  },
  {
    contact: "grace@northwind.example",
    subject: "Invoice shows the wrong VAT number",
    assignee: "sam",
    status: "pending",
    tags: ["billing"],
    messages: [
      {
        kind: "incoming",
        ago: DAY,
        text: "Our November invoice lists an old VAT number. Our accountant needs a corrected invoice before the month closes.",
      },
      {
        kind: "outgoing",
        ago: DAY - 45,
        text: "Sorry about that, Grace! Could you reply with the correct VAT number? I'll reissue the invoice right away.",
      },
    ],
  },
  {
    contact: "alan@bluebird.example",
    subject: "How do I invite my team?",
    assignee: "priya",
    status: "resolved",
    tags: ["onboarding"],
    messages: [
      { kind: "incoming", ago: 3 * DAY, text: "We just signed up. How do I invite the rest of my team?" },
      {
        kind: "outgoing",
        ago: 3 * DAY - 12,
        text: "Welcome aboard! Go to Settings → Team → Invite and enter their emails; each teammate gets a link to join.",
      },
      { kind: "incoming", ago: 3 * DAY - 30, text: "Found it, everyone's in. Thanks!" },
    ],
  },
  {
    contact: "katherine@halcyon.example",
    subject: "SSO login fails for new hires",
    assignee: null,
    priority: "urgent",
    status: "open",
    tags: ["vip", "bug"],
    messages: [
      {
        kind: "incoming",
        ago: 25,
        text: 'Three people who joined today get "account not provisioned" when they sign in with SSO. Everyone else is fine. They start training in an hour, can you help?',
      },
    ],
  },
  {
    contact: "tim@halcyon.example",
    subject: "Renewal quote for 250 seats",
    assignee: "dana",
    status: "open",
    tags: ["vip", "billing"],
    messages: [
      {
        kind: "incoming",
        ago: 2 * DAY,
        text: "Our renewal is coming up in March. Could you send a quote for 250 seats, on a one-year and a two-year term?",
      },
      {
        kind: "note",
        ago: 2 * DAY - 30,
        text: "Offer 10% off for the two-year term; they have been with us since 2023.",
      },
      {
        kind: "outgoing",
        ago: 2 * DAY - 60,
        text: "Hi Tim, quotes for both terms are attached to this thread by end of day. The two-year term comes with 10% off.",
      },
      {
        kind: "incoming",
        ago: 5 * HOUR,
        text: "Thanks! Could you include the premium support add-on in both?",
      },
    ],
  },
  {
    contact: "tim@halcyon.example",
    subject: "Feature request: export the audit log",
    assignee: "sam",
    status: "snoozed",
    snoozeHours: 72,
    tags: ["feature-request"],
    messages: [
      {
        kind: "incoming",
        ago: 5 * DAY,
        text: "Our compliance team would love to export the audit log to our SIEM every night. Is that on the roadmap?",
      },
      {
        kind: "outgoing",
        ago: 5 * DAY - 90,
        text: "Great idea, Tim. It's planned for next quarter; I'll check back with you when the beta opens.",
      },
    ],
  },
  {
    contact: "amara.nwosu@example.com",
    subject: "Charged twice this month",
    assignee: "sam",
    status: "resolved",
    tags: ["billing"],
    messages: [
      {
        kind: "incoming",
        ago: 6 * DAY,
        text: "I see two charges of $49 on my card for December. Can you refund one?",
      },
      {
        kind: "outgoing",
        ago: 6 * DAY - 25,
        text: "You're right, and I'm sorry. I've refunded the duplicate charge; it shows on your card within 3 to 5 business days.",
      },
      { kind: "incoming", ago: 6 * DAY - 60, text: "Perfect, thank you for the quick help." },
    ],
  },
  {
    contact: "alan@bluebird.example",
    subject: "API rate limit for bulk imports",
    assignee: "priya",
    status: "open",
    tags: [],
    messages: [
      {
        kind: "incoming",
        ago: 4 * HOUR,
        text: "We're importing 200k contacts through the API and keep hitting 429s. What's the limit, and can it be raised for a one-off import?",
      },
      {
        kind: "outgoing",
        ago: 3 * HOUR,
        text: "The limit is 10 requests per second. The bulk endpoint takes 1,000 contacts per request, which should make the import take a few minutes.",
      },
      {
        kind: "incoming",
        ago: 40,
        text: 'The bulk endpoint returns 400 "attributes must be an object" for some rows. Here\'s one of them: {"plan": null}',
      },
    ],
  },
  {
    contact: "ada@northwind.example",
    subject: "Dark mode for the dashboard?",
    assignee: "priya",
    status: "resolved",
    tags: ["feature-request"],
    messages: [
      { kind: "incoming", ago: 9 * DAY, text: "Is there a dark mode? Our night shift would appreciate it." },
      {
        kind: "outgoing",
        ago: 9 * DAY - 50,
        text: "Not yet, but it's on the list and I've added your vote. I'll let you know when it ships.",
      },
    ],
  },
  {
    contact: "mateo.garcia@example.com",
    subject: "No puedo restablecer mi contraseña",
    assignee: null,
    status: "open",
    tags: [],
    messages: [
      {
        kind: "incoming",
        ago: 10,
        text: "Hola, pedí restablecer mi contraseña dos veces y no me llega ningún correo. ¿Pueden ayudarme?",
      },
    ],
  },
  {
    contact: "mei@bluebird.example",
    subject: "Webhook deliveries failing with 401",
    assignee: "sam",
    priority: "high",
    status: "pending",
    tags: ["bug"],
    messages: [
      {
        kind: "incoming",
        ago: 20 * HOUR,
        text: "Since yesterday every webhook delivery to our endpoint fails with 401. We haven't changed anything on our side.",
      },
      {
        kind: "note",
        ago: 19 * HOUR,
        text: "Their endpoint started requiring a bearer token on Monday; our deliveries never sent one.",
      },
      {
        kind: "outgoing",
        ago: 18 * HOUR,
        text: "It looks like your endpoint now requires a bearer token. Could you confirm, and tell us whether a signed payload (our X-Keepwell-Signature header) would work for you instead?",
      },
    ],
  },
  {
    contact: "grace@northwind.example",
    subject: "Welcome to the Growth plan",
    assignee: "dana",
    status: "open",
    tags: ["onboarding"],
    messages: [
      {
        kind: "outgoing",
        ago: 2 * DAY,
        by: "dana",
        text: "Hi Grace, thanks for upgrading to Growth! I'm Dana, and I'm your contact here. Anything you'd like to set up first?",
      },
      {
        kind: "incoming",
        ago: 26 * HOUR,
        text: "Thanks Dana! Quick question: can we add a second workspace for our EU team?",
      },
    ],
  },
];
