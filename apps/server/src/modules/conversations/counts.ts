import type { FastifyInstance } from "fastify";
import type { Static } from "typebox";
import {
  type ActiveStatusCounts,
  ConversationCounts,
  RESOLVED_COUNT_CAP,
  type StatusCounts,
} from "../../../../../packages/contracts/src/conversation-tools.ts";
import { errorResponses } from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { Principal } from "../../http/principal.ts";
import { principalOf } from "../access/authenticate.ts";
import { listInboxes } from "../inboxes/service.ts";
import { conversationCountsByTag } from "../tags/counts.ts";
import { listTags } from "../tags/service.ts";

/*
 * The nav's counts in one request. Open, pending and snoozed are the working queue, small next to
 * the history, so they are counted exactly in one grouped query. Resolved conversations only grow,
 * so each view counts them up to a cap, which stops every count after a bounded index range scan.
 */

type Counts = Static<typeof StatusCounts>;
type ActiveCounts = Static<typeof ActiveStatusCounts>;
type View = "mine" | "unassigned" | "all";

const empty = (): Counts => ({ open: 0, pending: 0, snoozed: 0, resolved: 0, resolved_more: false });

export async function countConversations(ctx: AppContext, principal: Principal) {
  const db = ctx.db;
  const workspaceId = principal.workspaceId;
  const views: Record<View, Counts> = { mine: empty(), unassigned: empty(), all: empty() };
  const inboxes: Record<string, Counts> = {};

  // Independent queries: on PostgreSQL they run side by side on the pool (PGlite queues them).
  const [active, inboxIds, tags] = await Promise.all([
    db
      .selectFrom("conversations")
      .select(["inbox_id", "status", "assignee_id"])
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("workspace_id", "=", workspaceId)
      .where("status", "in", ["open", "pending", "snoozed"])
      .groupBy(["inbox_id", "status", "assignee_id"])
      .execute(),
    listInboxes(ctx, principal),
    tagCounts(db, workspaceId),
  ]);
  for (const row of active) {
    const status = row.status as "open" | "pending" | "snoozed";
    const n = Number(row.n);
    views.all[status] += n;
    if (row.assignee_id === null) views.unassigned[status] += n;
    if (row.assignee_id === principal.agentId) views.mine[status] += n;
    inboxes[row.inbox_id] ??= empty();
    inboxes[row.inbox_id][status] += n;
  }

  const resolvedOf = (narrow: (q: ResolvedQuery) => ResolvedQuery) => cappedResolved(db, workspaceId, narrow);
  const [mine, unassigned, all, ...perInbox] = await Promise.all([
    resolvedOf((q) => q.where("assignee_id", "=", principal.agentId)),
    resolvedOf((q) => q.where("assignee_id", "is", null)),
    resolvedOf((q) => q),
    ...inboxIds.map((inbox) => resolvedOf((q) => q.where("inbox_id", "=", inbox.id))),
  ]);
  setResolved(views.mine, mine);
  setResolved(views.unassigned, unassigned);
  setResolved(views.all, all);
  inboxIds.forEach((inbox, i) => {
    inboxes[inbox.id] ??= empty();
    setResolved(inboxes[inbox.id], perInbox[i]);
  });
  return { views, inboxes, tags };
}

/**
 * Per tag (by id), the working queue only: a tag's resolved history is not a queue anyone works
 * through, and counting it would mean a join over every resolved conversation.
 */
async function tagCounts(db: Db, workspaceId: string): Promise<Record<string, ActiveCounts>> {
  const byTag = await conversationCountsByTag(db, workspaceId, ["open", "pending", "snoozed"]);
  const result: Record<string, ActiveCounts> = {};
  for (const tag of await listTags(db, workspaceId)) {
    const counts = byTag.get(tag.id);
    result[tag.id] = {
      open: counts?.get("open") ?? 0,
      pending: counts?.get("pending") ?? 0,
      snoozed: counts?.get("snoozed") ?? 0,
    };
  }
  return result;
}

function resolvedBase(db: Db, workspaceId: string) {
  return db
    .selectFrom("conversations")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("status", "=", "resolved");
}
type ResolvedQuery = ReturnType<typeof resolvedBase>;

async function cappedResolved(
  db: Db,
  workspaceId: string,
  narrow: (q: ResolvedQuery) => ResolvedQuery,
): Promise<number> {
  const row = await db
    .selectFrom(
      narrow(resolvedBase(db, workspaceId))
        .limit(RESOLVED_COUNT_CAP + 1)
        .as("capped"),
    )
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function setResolved(counts: Counts, n: number): void {
  counts.resolved = Math.min(n, RESOLVED_COUNT_CAP);
  counts.resolved_more = n > RESOLVED_COUNT_CAP;
}

export async function conversationCountRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get(
    "/conversations/counts",
    {
      config: { permission: "conversations:read" },
      schema: {
        tags: ["conversations"],
        summary:
          "How many conversations each view holds (mine, unassigned, all, per inbox; per tag the working queue) by status; resolved counts stop at 1000",
        response: { 200: ConversationCounts, ...errorResponses },
      },
    },
    async (request) => countConversations(ctx, principalOf(request)),
  );
}
