
import { workspacesWithRows } from "../../db/workspaces-with-rows.ts";
import type { AppContext } from "../../context.ts";
import type { WorkspaceEvent } from "../../events/types.ts";
import { companyOfContact } from "../contacts/by-company.ts";
import { contactOfConversation } from "../conversations/customer-stats.ts";
import { recomputeCompanies, recomputeWorkspace } from "./recompute.ts";

export const HEALTH_QUEUE = "health-recompute";
export const HEALTH_WORKSPACE_QUEUE = "health-recompute-workspace";
export const HEALTH_DAILY_QUEUE = "health-daily";

interface CompanyJob {
  workspace_id: string;
  company_id: string;
}
interface WorkspaceJob {
  workspace_id: string;
}

/** Registered through modules/index.ts moduleJobs. */
export function defineHealthJobs(ctx: AppContext): void {
  // "stately" per company: a burst of messages costs one recompute, and a change during a run one more.
  const perCompany = { policy: "stately", retryLimit: 10, retryDelay: 10, retryBackoff: true };
  ctx.jobs.define<CompanyJob>(HEALTH_QUEUE, perCompany, async (job) => {
    await recomputeCompanies(ctx, job.workspace_id, [job.company_id], { publish: true });
  });
  const perWorkspace = { policy: "stately", retryLimit: 5, retryDelay: 60, expireInSeconds: 3600 };
  ctx.jobs.define<WorkspaceJob>(HEALTH_WORKSPACE_QUEUE, perWorkspace, async (job) => {
    const count = await recomputeWorkspace(ctx, job.workspace_id);
    // One event for the whole batch: open screens refetch their lists instead of hearing per company.
    await ctx.events.publish(job.workspace_id, "health.recomputed", { companies: count });
  });
  ctx.jobs.define<Record<string, never>>(HEALTH_DAILY_QUEUE, { retryLimit: 3 }, async () => {
    for (const workspaceId of await workspacesWithHealth(ctx))
      await queueWorkspaceRecompute(ctx, workspaceId);
  });
}

/**
 * Time alone changes health (days since the last contact, a grace period running out, ratings
 * ageing out of their window), so every workspace is recomputed once a day besides the
 * event-driven recomputes.
 */
export async function startHealth(ctx: AppContext): Promise<void> {
  ctx.events.consumers.define({
    name: "health",
    types: HEALTH_INPUT_EVENTS,
    handle: async (events) => {
      // Health is kept per company: workspaces without companies have none to recompute.
      const workspaces = [...new Set(events.map((event) => event.workspace_id))];
      const withCompanies = await workspacesWithRows(ctx.db, "companies", workspaces);
      // A burst about one company queues its recompute once.
      const queued = new Set<string>();
      for (const event of events) {
        if (!withCompanies.has(event.workspace_id)) continue;
        const companyId = await companyOfEvent(ctx, event);
        const key = `${event.workspace_id}:${companyId}`;
        if (!companyId || queued.has(key)) continue;
        queued.add(key);
        await queueCompanyRecompute(ctx, event.workspace_id, companyId);
      }
    },
  });
  if (ctx.config.runWorker) await ctx.jobs.boss.schedule(HEALTH_DAILY_QUEUE, "17 3 * * *", {});
}

export async function queueCompanyRecompute(ctx: AppContext, workspaceId: string, companyId: string) {
  await ctx.jobs.send<CompanyJob>(
    HEALTH_QUEUE,
    { workspace_id: workspaceId, company_id: companyId },
    { singletonKey: `${workspaceId}:${companyId}` },
  );
}

export async function queueWorkspaceRecompute(ctx: AppContext, workspaceId: string) {
  await ctx.jobs.send<WorkspaceJob>(
    HEALTH_WORKSPACE_QUEUE,
    { workspace_id: workspaceId },
    { singletonKey: workspaceId },
  );
}

async function workspacesWithHealth(ctx: AppContext): Promise<string[]> {
  const rows = await ctx.db.selectFrom("company_health").select("workspace_id").distinct().execute();
  return rows.map((r) => r.workspace_id);
}

/** The events that may move a company's health (companyOfEvent says which company). */
const HEALTH_INPUT_EVENTS = [
  "company.created",
  "company.updated",
  "usage.recorded",
  "billing.updated",
  "contact.created",
  "contact.updated",
  "conversation.created",
  "conversation.updated",
  "message.created",
  "survey.responded",
  "survey.commented",
];

const str = (value: unknown) => (typeof value === "string" ? value : undefined);

/** The company an event may have changed the health of, if any. */
async function companyOfEvent(ctx: AppContext, event: WorkspaceEvent): Promise<string | undefined> {
  const ws = event.workspace_id;
  const data = event.data;
  switch (event.type) {
    case "company.created":
    case "company.updated":
      return str(data.id);
    case "usage.recorded":
    case "billing.updated":
      return str(data.company_id);
    case "contact.created":
    case "contact.updated": {
      const contact = str(data.id);
      return contact ? ((await companyOfContact(ctx.db, ws, contact)) ?? undefined) : undefined;
    }
    case "conversation.created": {
      const contact = str(data.contact_id);
      return contact ? ((await companyOfContact(ctx.db, ws, contact)) ?? undefined) : undefined;
    }
    case "conversation.updated":
    case "message.created":
    case "survey.responded":
    case "survey.commented": {
      if (event.type === "message.created" && data.kind === "note") return undefined;
      if (event.type === "conversation.updated" && data.cause === "message") return undefined;
      const conversation = str(event.type === "conversation.updated" ? data.id : data.conversation_id);
      if (!conversation) return undefined;
      // A new message names its contact; other events are looked up.
      const contact =
        (event.type === "message.created" ? str(data.contact_id) : undefined) ??
        (await contactOfConversation(ctx.db, ws, conversation));
      return contact ? ((await companyOfContact(ctx.db, ws, contact)) ?? undefined) : undefined;
    }
    default:
      return undefined;
  }
}
