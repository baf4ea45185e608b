import type { Db } from "../../db/database.ts";
import { paymentTroubleOf } from "../billing/reads.ts";
import { companyFacts } from "../companies/records.ts";
import { contactsOfCompanies } from "../contacts/by-company.ts";
import { answeredConversations, conversationStatsOfContacts } from "../conversations/customer-stats.ts";
import { ratingsOfContacts } from "../surveys/contact-ratings.ts";
import type { HealthInputs } from "./score.ts";
import { requestsAskedByCompanies } from "../feature-requests/queries.ts";
import { type HealthSettings, planRank } from "./settings.ts";
import { usageOfCompanies } from "./usage.ts";

const DAY = 86_400_000;

/**
 * Gathers the inputs of a batch of companies with one grouped query per source (each through the
 * module that owns it), so a thousand companies cost about as many queries as one.
 * Companies that no longer exist are absent from the result.
 */
export async function gatherInputs(
  db: Db,
  workspaceId: string,
  companyIds: readonly string[],
  settingsOrPending: HealthSettings | Promise<HealthSettings>,
  now: Date,
): Promise<{ settings: HealthSettings; inputs: Map<string, HealthInputs> }> {
  // Three round trips on the critical path: companies with their contacts, then every source at
  // once, then (only with recent bad ratings) whether their follow-ups were answered.
  const [settings, facts, contacts] = await Promise.all([
    settingsOrPending,
    companyFacts(db, workspaceId, companyIds),
    contactsOfCompanies(db, workspaceId, companyIds),
  ]);
  const ids = [...facts.keys()];
  const companyOf = new Map(contacts.map((c) => [c.id, c.company_id]));
  const contactIds = [...companyOf.keys()];
  const mapsFeatures = Object.keys(settings.feature_plans).length > 0;
  const [conversations, ratings, usage, payments, asked] = await Promise.all([
    conversationStatsOfContacts(db, workspaceId, contactIds, {
      now,
      windowMs: 30 * DAY,
      longWaitMs: settings.long_wait_hours * 3_600_000,
    }),
    ratingsOfContacts(db, workspaceId, contactIds, new Date(now.getTime() - 180 * DAY)),
    usageOfCompanies(db, workspaceId, ids, now),
    paymentTroubleOf(db, workspaceId, ids),
    mapsFeatures ? requestsAskedByCompanies(db, workspaceId, ids, new Date(now.getTime() - 30 * DAY)) : [],
  ]);
  const recentBad = ratings.filter(
    (r) => r.rating === "bad" && now.getTime() - r.responded_at.getTime() <= 30 * DAY,
  );
  const followUps = recentBad.flatMap((r) =>
    r.follow_up_conversation_id ? [r.follow_up_conversation_id] : [],
  );
  const answered = await answeredConversations(db, workspaceId, followUps);

  const result = new Map<string, HealthInputs>();
  for (const [id, company] of facts) {
    result.set(id, {
      ratings: [],
      unanswered_bad: 0,
      conversations: { recent: 0, previous: 0, long_waits: 0, last_activity_at: null },
      usage: usage.get(id) ?? { recent: 0, previous: 0 },
      seats: company.seats,
      seats_used: company.seats_used,
      payment: payments.get(id) ?? null,
      higher_plan_asks: [],
    });
  }
  for (const ask of asked) {
    const company = facts.get(ask.company_id);
    const inputs = result.get(ask.company_id);
    const plan = settings.feature_plans[ask.request_id];
    if (!company || !inputs || !plan) continue;
    const own = planRank(settings, company.plan);
    const wanted = planRank(settings, plan);
    // A plan the settings do not list cannot be compared: say nothing rather than guess.
    if (own === null || wanted === null || wanted <= own) continue;
    const name = settings.plans[wanted] as string; // as the settings spell it
    const entry = inputs.higher_plan_asks.find((a) => a.plan === name);
    if (entry) entry.requests += 1;
    else inputs.higher_plan_asks.push({ plan: name, requests: 1 });
  }
  for (const stats of conversations) {
    const inputs = result.get(companyOf.get(stats.contact_id)!);
    if (!inputs) continue;
    const c = inputs.conversations;
    c.recent += stats.recent;
    c.previous += stats.previous;
    c.long_waits += stats.long_waits;
    if (stats.last_activity_at && (!c.last_activity_at || stats.last_activity_at > c.last_activity_at))
      c.last_activity_at = stats.last_activity_at;
  }
  for (const rating of ratings) {
    const inputs = result.get(companyOf.get(rating.contact_id)!);
    if (!inputs) continue;
    inputs.ratings.push(rating);
  }
  for (const rating of recentBad) {
    const inputs = result.get(companyOf.get(rating.contact_id)!);
    if (!inputs) continue;
    const followUp = rating.follow_up_conversation_id;
    if (!followUp || !answered.has(followUp)) inputs.unanswered_bad += 1;
  }
  return { settings, inputs: result };
}
