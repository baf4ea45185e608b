import { randomBytes } from "node:crypto";
import type { AppContext } from "../../context.ts";
import type { Principal } from "../../http/principal.ts";
import { createCompany, listCompanies } from "../companies/service.ts";
import { createContact, listContacts } from "../contacts/service.ts";
import { updateConversation } from "../conversations/conversation-update.ts";
import { postMessage } from "../conversations/message-service.ts";
import { createConversation, listConversations, tagConversation } from "../conversations/service.ts";
import { seedBillingHistory } from "../billing/demo.ts";
import { seedFeatures } from "../feature-requests/demo.ts";
import { seedSuccess } from "../health/demo.ts";
import { createInbox, listInboxes } from "../inboxes/service.ts";
import { seedHelpCenter } from "../help-center/demo.ts";
import { createTag, findTagByName } from "../tags/service.ts";
import { seedDemoWidget } from "../widget/demo.ts";
import { addMember, createWorkspace, upsertAgent } from "../workspaces/service.ts";
import {
  type AgentKey,
  DEMO_AGENTS,
  DEMO_COMPANIES,
  DEMO_CONTACTS,
  DEMO_CONVERSATIONS,
  DEMO_INBOX,
  DEMO_TAGS,
  type DemoConversation,
} from "./content.ts";

export const DEMO_SLUG = "demo";
export const DEMO_OWNER_EMAIL = "owner@demo.keepwell.test";

type Progress = (message: string) => void;

/**
 * The demo workspace (content in ./content.ts): the same every time, so that docs, tests and newcomers
 * can rely on it. Only the owner's password differs, unless KEEPWELL_DEMO_PASSWORD sets it, and times
 * are relative to the moment of seeding. Safe to run again: each part is found by its name, email or
 * subject before it is created, so a second run (or one after an interrupted run) adds only what is missing.
 */
export async function seedDemo(
  ctx: AppContext,
  progress: Progress = () => {},
): Promise<{ created: boolean; password?: string }> {
  let password: string | undefined;
  let workspace = await ctx.db
    .selectFrom("workspaces")
    .select("id")
    .where("slug", "=", DEMO_SLUG)
    .executeTakeFirst();
  if (!workspace) {
    password = ctx.config.demoPassword ?? randomBytes(12).toString("base64url");
    progress("creating the demo workspace");
    const created = await createWorkspace(ctx.db, {
      name: "Demo",
      slug: DEMO_SLUG,
      owner: { email: DEMO_OWNER_EMAIL, name: "Dana Owner", password },
    });
    workspace = { id: created.workspaceId };
  }
  const team = await seedTeam(ctx, workspace.id, progress);
  const inboxId = await seedInbox(ctx, team.dana, progress);
  const contacts = await seedCustomers(ctx, team.dana, progress);
  await seedConversations(ctx, team, inboxId, contacts, progress);
  await seedHelpCenter(ctx, team.dana, progress);
  await seedDemoWidget(ctx, team.dana, progress);
  await seedFeatures(ctx, team.dana, progress);
  await seedSuccess(ctx, team.dana, progress);
  await seedBillingHistory(ctx, team.dana, progress);
  return password ? { created: true, password } : { created: false };
}

/** On the very first start (no workspace at all), create the demo workspace. */
export async function ensureDemoWorkspace(ctx: AppContext, progress: Progress) {
  const any = await ctx.db.selectFrom("workspaces").select("id").limit(1).executeTakeFirst();
  if (any) return { created: false as const };
  return seedDemo(ctx, progress);
}

type Team = Record<AgentKey, Principal>;

const seedPrincipal = (workspaceId: string, agentId: string, role: Principal["role"]): Principal => ({
  agentId,
  workspaceId,
  role,
  via: "session",
  credentialId: "demo-seed",
});

async function seedTeam(ctx: AppContext, workspaceId: string, progress: Progress): Promise<Team> {
  progress(`adding the demo team: ${DEMO_AGENTS.map((a) => a.name).join(", ")}`);
  const ownerId = await upsertAgent(ctx.db, DEMO_OWNER_EMAIL, "Dana Owner", null);
  const team = { dana: seedPrincipal(workspaceId, ownerId, "owner") } as Team;
  for (const agent of DEMO_AGENTS) {
    const id = await upsertAgent(ctx.db, agent.email, agent.name, null);
    await addMember(ctx.db, workspaceId, id, agent.role);
    team[agent.key] = seedPrincipal(workspaceId, id, agent.role);
  }
  return team;
}

async function seedInbox(ctx: AppContext, owner: Principal, progress: Progress): Promise<string> {
  const existing = (await listInboxes(ctx, owner)).find(
    (inbox) => inbox.address?.toLowerCase() === DEMO_INBOX.address,
  );
  if (existing) return existing.id;
  progress(`adding the ${DEMO_INBOX.name} inbox (${DEMO_INBOX.address})`);
  return (await createInbox(ctx.db, owner.workspaceId, { ...DEMO_INBOX })).id;
}

/** Companies and their contacts; answers contact ids by email. */
async function seedCustomers(ctx: AppContext, owner: Principal, progress: Progress) {
  progress(`adding ${DEMO_COMPANIES.length} companies and ${DEMO_CONTACTS.length} contacts`);
  const companies = new Map<string, string>();
  for (const company of DEMO_COMPANIES) {
    const found = (await listCompanies(ctx, owner, { q: company.name, limit: 100 })).data.find(
      (c) => c.name === company.name,
    );
    companies.set(
      company.name,
      found?.id ?? (await createCompany(ctx.db, owner.workspaceId, { ...company })).id,
    );
  }
  const contacts = new Map<string, string>();
  for (const contact of DEMO_CONTACTS) {
    const found = (await listContacts(ctx, owner, { q: contact.email, limit: 100 })).data.find(
      (c) => c.email?.toLowerCase() === contact.email,
    );
    const id =
      found?.id ??
      (
        await createContact(ctx.db, owner.workspaceId, {
          name: contact.name,
          email: contact.email,
          company_id: contact.company ? companies.get(contact.company) : undefined,
        })
      ).id;
    contacts.set(contact.email, id);
  }
  return contacts;
}

async function seedConversations(
  ctx: AppContext,
  team: Team,
  inboxId: string,
  contacts: Map<string, string>,
  progress: Progress,
): Promise<void> {
  for (const tag of DEMO_TAGS) {
    if (!(await findTagByName(ctx.db, team.dana.workspaceId, tag.name))) await createTag(ctx, team.dana, tag);
  }
  let added = 0;
  for (const conversation of DEMO_CONVERSATIONS) {
    const contactId = contacts.get(conversation.contact)!;
    const existing = await listConversations(ctx, team.dana, { contact_id: contactId, limit: 100 });
    if (existing.data.some((c) => c.subject === conversation.subject)) continue;
    added += 1;
    progress(`adding conversation ${added}: ${conversation.subject}`);
    await seedConversation(ctx, team, inboxId, contactId, conversation);
  }
}

/** Replays one conversation as it would have happened, so its metrics and history are real. */
async function seedConversation(
  ctx: AppContext,
  team: Team,
  inboxId: string,
  contactId: string,
  demo: DemoConversation,
): Promise<void> {
  const now = ctx.now().getTime();
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000);
  const [first, ...rest] = demo.messages;
  const authorOf = (message: { by?: AgentKey }) => team[message.by ?? demo.assignee ?? "dana"];
  const opener = first.kind === "incoming" ? team.dana : authorOf(first);
  const created = await createConversation(
    ctx,
    opener,
    {
      inbox_id: inboxId,
      subject: demo.subject,
      contact: { id: contactId },
      message: { kind: first.kind === "incoming" ? "incoming" : "outgoing", body_text: first.text },
    },
    { at: at(first.ago) },
  );
  if (demo.assignee || demo.priority) {
    await updateConversation(
      ctx,
      team.dana,
      created.id,
      { assignee_id: demo.assignee ? team[demo.assignee].agentId : undefined, priority: demo.priority },
      { at: at(first.ago - 2) },
    );
  }
  for (const name of demo.tags) await tagConversation(ctx, authorOf({}), created.id, { tag: name });
  for (const message of rest) {
    const author = message.kind === "incoming" ? team.dana : authorOf(message);
    await postMessage(
      ctx,
      author,
      created.id,
      { kind: message.kind, body_text: message.text },
      { at: at(message.ago) },
    );
  }
  if (demo.status !== "open") {
    const last = demo.messages.at(-1)!.ago;
    await updateConversation(
      ctx,
      authorOf({}),
      created.id,
      {
        status: demo.status,
        snoozed_until: demo.snoozeHours
          ? new Date(now + demo.snoozeHours * 3_600_000).toISOString()
          : undefined,
      },
      { at: at(Math.max(last - 5, 0)) },
    );
  }
}
