import type { Static } from "typebox";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { Principal } from "../../http/principal.ts";
import { decodeCursor, encodeCursor } from "../../lib/cursor.ts";
import {
  conflict,
  invalid,
  isDatabaseError,
  notFound,
  PG_UNIQUE_VIOLATION,
  Problem,
} from "../../lib/errors.ts";
import { recordAudit } from "../audit/service.ts";
import { companyRevenue } from "../companies/service.ts";
import { getContact } from "../contacts/service.ts";
import { getConversation } from "../conversations/service.ts";
import { getMember } from "../workspaces/service.ts";
import { draftShipNotices } from "./notices.ts";
import {
  type AskTotals,
  askTotals,
  asksOfRequest,
  findRequest,
  type RequestRow,
  refreshAskDates,
  requestsMatching,
} from "./queries.ts";
import type {
  CreateFeatureRequestBody,
  FeatureRequestListQuery,
  LinkAskBody,
  UpdateFeatureRequestBody,
} from "./schemas.ts";

/** Sorting by live MRR happens here, not in SQL (MRR belongs to the companies module): this many requests at most. */
export const LIST_CAP = 2000;

function present(
  row: RequestRow,
  totals: AskTotals | undefined,
  revenue: Map<string, { mrr_cents: number }>,
) {
  const companyIds = totals?.company_ids ?? [];
  return {
    ...row,
    first_ask_to_ship_ms: row.first_ask_to_ship_ms === null ? null : Number(row.first_ask_to_ship_ms),
    ask_count: totals?.ask_count ?? 0,
    contact_count: totals?.contact_count ?? 0,
    company_count: companyIds.filter((id) => revenue.has(id)).length,
    total_mrr_cents: companyIds.reduce((sum, id) => sum + (revenue.get(id)?.mrr_cents ?? 0), 0),
  };
}

export type PresentedRequest = ReturnType<typeof present>;

async function withTotals(db: Db, workspaceId: string, rows: RequestRow[]): Promise<PresentedRequest[]> {
  const totals = await askTotals(
    db,
    workspaceId,
    rows.map((r) => r.id),
  );
  const revenue = await companyRevenue(
    db,
    workspaceId,
    [...totals.values()].flatMap((t) => t.company_ids),
  );
  return rows.map((row) => present(row, totals.get(row.id), revenue));
}

const time = (value: Date | null) => (value ? value.getTime() : Number.NEGATIVE_INFINITY);

const orderings: Record<"mrr" | "count" | "recent", (a: PresentedRequest, b: PresentedRequest) => number> = {
  mrr: (a, b) => b.total_mrr_cents - a.total_mrr_cents || b.contact_count - a.contact_count,
  count: (a, b) => b.contact_count - a.contact_count || b.total_mrr_cents - a.total_mrr_cents,
  recent: (a, b) => time(b.last_asked_at) - time(a.last_asked_at),
};

/**
 * The prioritised list. MRR is read live from the companies module, so the ordering is computed
 * here over every matching request (capped) and paged by position; the cursor is opaque to clients.
 */
export async function listRequests(
  ctx: AppContext,
  principal: Principal,
  query: Static<typeof FeatureRequestListQuery>,
) {
  const offset = query.cursor ? Number(decodeCursor(query.cursor, ["number"])[0]) : 0;
  if (!Number.isInteger(offset) || offset < 0)
    throw invalid("cursor", "cursor is not one this server issued");
  const limit = query.limit ?? 25;
  const rows = await requestsMatching(ctx.db, principal.workspaceId, query, LIST_CAP);
  const all = await withTotals(ctx.db, principal.workspaceId, rows);
  const order = orderings[query.sort ?? "mrr"];
  all.sort((a, b) => order(a, b) || time(b.created_at) - time(a.created_at) || (a.id < b.id ? 1 : -1));
  const data = all.slice(offset, offset + limit);
  const next = offset + limit < all.length ? encodeCursor([offset + limit]) : null;
  return { data, next_cursor: next };
}

async function loadRequest(db: Db, workspaceId: string, id: string): Promise<PresentedRequest> {
  const row = await findRequest(db, workspaceId, id);
  if (!row) throw notFound("Feature request");
  return (await withTotals(db, workspaceId, [row]))[0];
}

/** One request with each ask (contact, company and its MRR, conversation, who linked it) and the companies behind it. */
export async function showRequest(ctx: AppContext, principal: Principal, id: string) {
  const workspaceId = principal.workspaceId;
  const request = await loadRequest(ctx.db, workspaceId, id);
  const asks = await asksOfRequest(ctx.db, workspaceId, id);
  const revenue = await companyRevenue(
    ctx.db,
    workspaceId,
    asks.flatMap((a) => (a.company_id ? [a.company_id] : [])),
  );
  const agents = new Map<string, { id: string; name: string } | undefined>();
  const contacts = new Map<string, { id: string; name: string | null; email: string | null }>();
  for (const ask of asks) {
    if (ask.linked_by && !agents.has(ask.linked_by)) {
      const member = await getMember(ctx.db, workspaceId, ask.linked_by);
      agents.set(ask.linked_by, member && { id: member.id, name: member.name });
    }
    if (!contacts.has(ask.contact_id)) {
      const c = await getContact(ctx.db, workspaceId, ask.contact_id);
      contacts.set(ask.contact_id, { id: c.id, name: c.name, email: c.email });
    }
  }
  const companies = new Map<string, { id: string; name: string; mrr_cents: number; first_asked_at: Date }>();
  for (const ask of asks) {
    const company = ask.company_id ? revenue.get(ask.company_id) : undefined;
    if (ask.company_id && company && !companies.has(ask.company_id)) {
      companies.set(ask.company_id, {
        id: ask.company_id,
        name: company.name,
        mrr_cents: company.mrr_cents,
        first_asked_at: ask.asked_at,
      });
    }
  }
  return {
    ...request,
    asks: asks.map((ask) => {
      const company = ask.company_id ? revenue.get(ask.company_id) : undefined;
      return {
        id: ask.id,
        asked_at: ask.asked_at,
        note: ask.note,
        conversation_id: ask.conversation_id,
        linked_by: (ask.linked_by && agents.get(ask.linked_by)) || null,
        contact: contacts.get(ask.contact_id)!,
        company:
          ask.company_id && company
            ? { id: ask.company_id, name: company.name, mrr_cents: company.mrr_cents }
            : null,
      };
    }),
    companies: [...companies.values()].sort((a, b) => b.mrr_cents - a.mrr_cents),
  };
}

function titleTaken(title: string): Problem {
  return conflict("feature_request_exists", `A feature request titled “${title}” already exists`, "title");
}

export async function createRequest(
  ctx: AppContext,
  principal: Principal,
  input: Static<typeof CreateFeatureRequestBody>,
) {
  const title = input.title.trim();
  if (!title) throw invalid("title", "Give the request a title");
  if (input.status === "shipped") throw invalid("status", "A new request cannot start as shipped");
  const id = await ctx.db
    .transaction()
    .execute(async (trx) => {
      const row = await trx
        .insertInto("feature_requests")
        .values({
          workspace_id: principal.workspaceId,
          title,
          description: input.description ?? "",
          status: input.status ?? "under_review",
          created_by: principal.agentId,
          created_at: ctx.now(),
          updated_at: ctx.now(),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await recordAudit(trx, principal, {
        action: "feature_request.created",
        targetType: "feature_request",
        targetId: row.id,
        data: { title },
      });
      await ctx.events.record(trx, principal.workspaceId, [
        { type: "feature_request.created", data: { id: row.id } },
      ]);
      return row.id;
    })
    .catch((error) => {
      if (isDatabaseError(error, PG_UNIQUE_VIOLATION)) throw titleTaken(title);
      throw error;
    });
  return loadRequest(ctx.db, principal.workspaceId, id);
}

/**
 * Changes a request. Moving it to shipped stamps the ship time and the time from its first ask,
 * and drafts a personal email to every contact who asked (see notices.ts); moving it back out of
 * shipped clears the stamps but keeps the drafts and what was sent.
 */
export async function updateRequest(
  ctx: AppContext,
  principal: Principal,
  id: string,
  input: Static<typeof UpdateFeatureRequestBody>,
) {
  const workspaceId = principal.workspaceId;
  const title = input.title?.trim();
  if (input.title !== undefined && !title) throw invalid("title", "Give the request a title");
  const shipped = await ctx.db
    .transaction()
    .execute(async (trx) => {
      const current = await findRequest(trx, workspaceId, id, true);
      if (!current) throw notFound("Feature request");
      const now = ctx.now();
      const status = input.status ?? current.status;
      const shipsNow = status === "shipped" && current.status !== "shipped";
      const leavesShipped = status !== "shipped" && current.status === "shipped";
      await trx
        .updateTable("feature_requests")
        .set({
          title: title ?? current.title,
          description: input.description ?? current.description,
          status,
          updated_at: now,
          ...(shipsNow
            ? {
                shipped_at: now,
                first_ask_to_ship_ms: current.first_asked_at
                  ? Math.max(0, now.getTime() - current.first_asked_at.getTime())
                  : null,
              }
            : {}),
          ...(leavesShipped ? { shipped_at: null, first_ask_to_ship_ms: null } : {}),
        })
        .where("workspace_id", "=", workspaceId)
        .where("id", "=", id)
        .execute();
      if (shipsNow) await draftShipNotices(trx, workspaceId, { id, title: title ?? current.title });
      await recordAudit(trx, principal, {
        action: "feature_request.updated",
        targetType: "feature_request",
        targetId: id,
        data: {
          changed: Object.keys(input),
          ...(status !== current.status ? { status: { from: current.status, to: status } } : {}),
        },
      });
      return shipsNow;
    })
    .catch((error) => {
      if (isDatabaseError(error, PG_UNIQUE_VIOLATION)) throw titleTaken(title ?? "");
      throw error;
    });
  await ctx.events.publish(workspaceId, "feature_request.updated", {
    id,
    ...(shipped ? { shipped: true } : {}),
  });
  return loadRequest(ctx.db, workspaceId, id);
}

export async function deleteRequest(ctx: AppContext, principal: Principal, id: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const current = await findRequest(trx, principal.workspaceId, id, true);
    if (!current) throw notFound("Feature request");
    await trx
      .deleteFrom("feature_requests")
      .where("workspace_id", "=", principal.workspaceId)
      .where("id", "=", id)
      .execute();
    await recordAudit(trx, principal, {
      action: "feature_request.deleted",
      targetType: "feature_request",
      targetId: id,
      data: { title: current.title },
    });
    await ctx.events.record(trx, principal.workspaceId, [{ type: "feature_request.deleted", data: { id } }]);
  });
}

/** A reference in a body to something the workspace lacks is a 400 on that field (404 is for the URL). */
async function asField<T>(lookup: Promise<T>, field: string, message: string): Promise<T> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof Problem && error.status === 404) throw invalid(field, message);
    throw error;
  }
}

/**
 * Records that a customer asked: from a conversation (its contact asked, by default when the
 * conversation began) or for a contact directly. Linking the same conversation twice answers the
 * existing ask (created: false). The contact's company at that moment is the company that asked.
 */
export async function linkAsk(
  ctx: AppContext,
  principal: Principal,
  requestId: string,
  input: Static<typeof LinkAskBody>,
) {
  const workspaceId = principal.workspaceId;
  if (!input.conversation_id && !input.contact_id) {
    throw invalid("conversation_id", "Give the conversation where the customer asked, or contact_id");
  }
  const result = await ctx.db.transaction().execute(async (trx) => {
    const request = await findRequest(trx, workspaceId, requestId, true);
    if (!request) throw notFound("Feature request");
    const conversation = input.conversation_id
      ? await asField(
          getConversation(trx, workspaceId, input.conversation_id),
          "conversation_id",
          "No conversation with this id in this workspace",
        )
      : null;
    if (conversation && input.contact_id && input.contact_id !== conversation.contact_id) {
      throw invalid(
        "contact_id",
        "The contact of a linked conversation is the one who asked; leave contact_id out",
      );
    }
    const contactId = conversation?.contact_id ?? input.contact_id!;
    const contact = await asField(
      getContact(trx, workspaceId, contactId),
      "contact_id",
      "No contact with this id in this workspace",
    );
    const askedAt = input.asked_at ? new Date(input.asked_at) : (conversation?.created_at ?? ctx.now());
    if (askedAt.getTime() > ctx.now().getTime() + 60_000)
      throw invalid("asked_at", "An ask cannot be in the future");
    const inserted = await trx
      .insertInto("feature_request_asks")
      .values({
        workspace_id: workspaceId,
        request_id: requestId,
        contact_id: contact.id,
        company_id: contact.company_id,
        conversation_id: conversation?.id ?? null,
        linked_by: principal.agentId,
        asked_at: askedAt,
        note: input.note ?? null,
      })
      .onConflict((oc) =>
        oc
          .columns(["workspace_id", "request_id", "conversation_id"])
          .where("conversation_id", "is not", null)
          .doNothing(),
      )
      .returning("id")
      .executeTakeFirst();
    if (!inserted) {
      const existing = await trx
        .selectFrom("feature_request_asks")
        .select("id")
        .where("workspace_id", "=", workspaceId)
        .where("request_id", "=", requestId)
        .where("conversation_id", "=", conversation!.id)
        .executeTakeFirstOrThrow();
      return { askId: existing.id, created: false };
    }
    await refreshAskDates(trx, workspaceId, requestId, ctx.now());
    await recordAudit(trx, principal, {
      action: "feature_request.linked",
      targetType: "feature_request",
      targetId: requestId,
      data: { ask_id: inserted.id, contact_id: contact.id, conversation_id: conversation?.id ?? null },
    });
    return { askId: inserted.id, created: true };
  });
  if (result.created) {
    await ctx.events.publish(workspaceId, "feature_request.updated", { id: requestId, ask_id: result.askId });
  }
  return { ...result, request: await showRequest(ctx, principal, requestId) };
}

export async function unlinkAsk(ctx: AppContext, principal: Principal, requestId: string, askId: string) {
  const workspaceId = principal.workspaceId;
  await ctx.db.transaction().execute(async (trx) => {
    const request = await findRequest(trx, workspaceId, requestId, true);
    if (!request) throw notFound("Feature request");
    const removed = await trx
      .deleteFrom("feature_request_asks")
      .where("workspace_id", "=", workspaceId)
      .where("request_id", "=", requestId)
      .where("id", "=", askId)
      .executeTakeFirst();
    if (Number(removed.numDeletedRows) === 0) throw notFound("Ask");
    await refreshAskDates(trx, workspaceId, requestId, ctx.now());
    await recordAudit(trx, principal, {
      action: "feature_request.unlinked",
      targetType: "feature_request",
      targetId: requestId,
      data: { ask_id: askId },
    });
    await ctx.events.record(trx, workspaceId, [{ type: "feature_request.updated", data: { id: requestId } }]);
  });
}

/** The requests a conversation is linked to: what the sidebar shows beside the conversation. */
export async function requestsOfConversation(ctx: AppContext, principal: Principal, conversationId: string) {
  const workspaceId = principal.workspaceId;
  await getConversation(ctx.db, workspaceId, conversationId);
  const rows = await ctx.db
    .selectFrom("feature_request_asks as a")
    .innerJoin("feature_requests as r", (join) =>
      join.onRef("r.workspace_id", "=", "a.workspace_id").onRef("r.id", "=", "a.request_id"),
    )
    .select(["a.id as ask_id", "a.asked_at", "r.id", "r.title", "r.status"])
    .where("a.workspace_id", "=", workspaceId)
    .where("a.conversation_id", "=", conversationId)
    .orderBy("a.asked_at")
    .execute();
  return {
    data: rows.map((r) => ({
      ask_id: r.ask_id,
      asked_at: r.asked_at,
      request: { id: r.id, title: r.title, status: r.status },
    })),
  };
}
