import { sql } from "kysely";
import type { Db } from "../../db/database.ts";
import type { FeatureRequestStatus } from "../../db/schema.ts";

/* Reads and writes of this module's own tables. Every query is scoped by workspace. */

export const requestColumns = [
  "id",
  "title",
  "description",
  "status",
  "first_asked_at",
  "last_asked_at",
  "shipped_at",
  "first_ask_to_ship_ms",
  "created_at",
  "updated_at",
] as const;

export async function findRequest(db: Db, workspaceId: string, id: string, forUpdate = false) {
  let query = db
    .selectFrom("feature_requests")
    .select(requestColumns)
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id);
  if (forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

export type RequestRow = NonNullable<Awaited<ReturnType<typeof findRequest>>>;

/** Requests of a workspace, optionally of one status or with words of the title; at most `cap` of them. */
export async function requestsMatching(
  db: Db,
  workspaceId: string,
  filter: { status?: FeatureRequestStatus; q?: string },
  cap: number,
): Promise<RequestRow[]> {
  let query = db
    .selectFrom("feature_requests")
    .select(requestColumns)
    .where("workspace_id", "=", workspaceId);
  if (filter.status) query = query.where("status", "=", filter.status);
  for (const word of (filter.q ?? "").split(/\s+/).filter(Boolean)) {
    query = query.where(sql<boolean>`lower(title) like ${`%${escapeLike(word.toLowerCase())}%`}`);
  }
  return query.orderBy("created_at", "desc").orderBy("id", "desc").limit(cap).execute();
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, "\\$&");
}

export interface AskTotals {
  request_id: string;
  ask_count: number;
  contact_count: number;
  company_ids: string[];
}

/** Per request: how many asks, how many distinct contacts, and which companies. */
export async function askTotals(
  db: Db,
  workspaceId: string,
  requestIds: string[],
): Promise<Map<string, AskTotals>> {
  if (requestIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("feature_request_asks")
    .select([
      "request_id",
      sql<string>`count(*)`.as("ask_count"),
      sql<string>`count(distinct contact_id)`.as("contact_count"),
      sql<
        string[]
      >`coalesce(jsonb_agg(distinct company_id) filter (where company_id is not null), '[]'::jsonb)`.as(
        "company_ids",
      ),
    ])
    .where("workspace_id", "=", workspaceId)
    .where("request_id", "in", requestIds)
    .groupBy("request_id")
    .execute();
  return new Map(
    rows.map((r) => [
      r.request_id,
      {
        request_id: r.request_id,
        ask_count: Number(r.ask_count),
        contact_count: Number(r.contact_count),
        company_ids: typeof r.company_ids === "string" ? JSON.parse(r.company_ids) : r.company_ids,
      },
    ]),
  );
}

export async function asksOfRequest(db: Db, workspaceId: string, requestId: string) {
  return db
    .selectFrom("feature_request_asks")
    .select(["id", "contact_id", "company_id", "conversation_id", "linked_by", "asked_at", "note"])
    .where("workspace_id", "=", workspaceId)
    .where("request_id", "=", requestId)
    .orderBy("asked_at")
    .orderBy("id")
    .execute();
}

export type AskRow = Awaited<ReturnType<typeof asksOfRequest>>[number];

/** Recomputes the first and last ask of a request from its asks (after a link or an unlink). */
export async function refreshAskDates(
  db: Db,
  workspaceId: string,
  requestId: string,
  at: Date,
): Promise<void> {
  await db
    .updateTable("feature_requests")
    .set({
      first_asked_at: sql`(select min(asked_at) from feature_request_asks a where a.workspace_id = ${workspaceId} and a.request_id = ${requestId})`,
      last_asked_at: sql`(select max(asked_at) from feature_request_asks a where a.workspace_id = ${workspaceId} and a.request_id = ${requestId})`,
      updated_at: at,
    })
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", requestId)
    .execute();
}

export const noticeColumns = [
  "id",
  "request_id",
  "contact_id",
  "conversation_id",
  "sender_agent_id",
  "subject",
  "body",
  "state",
  "skip_reason",
  "sent_conversation_id",
  "sent_at",
] as const;

export async function noticesOfRequest(db: Db, workspaceId: string, requestId: string) {
  return db
    .selectFrom("feature_request_notices")
    .select(noticeColumns)
    .where("workspace_id", "=", workspaceId)
    .where("request_id", "=", requestId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}

export type NoticeRow = Awaited<ReturnType<typeof noticesOfRequest>>[number];

/** Which requests each of these companies asked for since `since` (one row per company and request). */
export async function requestsAskedByCompanies(
  db: Db,
  workspaceId: string,
  companyIds: readonly string[],
  since: Date,
): Promise<{ company_id: string; request_id: string }[]> {
  if (companyIds.length === 0) return [];
  const rows = await db
    .selectFrom("feature_request_asks")
    .select(["company_id", "request_id"])
    .distinct()
    .where("workspace_id", "=", workspaceId)
    .where("company_id", "in", [...companyIds])
    .where("asked_at", ">=", since)
    .execute();
  return rows.filter((r): r is { company_id: string; request_id: string } => r.company_id !== null);
}
