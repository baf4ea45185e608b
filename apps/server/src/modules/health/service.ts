import { type Expression, type SqlBool, sql } from "kysely";
import type { Static } from "typebox";
import type { AppContext } from "../../context.ts";
import type { Principal } from "../../http/principal.ts";
import { decodeCursor, encodeCursor } from "../../lib/cursor.ts";
import { notFound } from "../../lib/errors.ts";
import { companyFacts } from "../companies/records.ts";
import { companyExists } from "../companies/service.ts";
import { recomputeCompanies } from "./recompute.ts";
import type { FlaggedQuery } from "./schemas.ts";
import type { Flag, Reason } from "./score.ts";

const healthColumns = [
  "company_id",
  "score",
  "at_risk",
  "upsell",
  "advocate",
  "reasons",
  "computed_at",
] as const;

/** A company's health with its reasons; computed on the spot the first time it is asked for. */
export async function healthOfCompany(ctx: AppContext, workspaceId: string, companyId: string) {
  if (!(await companyExists(ctx.db, workspaceId, companyId))) throw notFound("Company");
  const stored = await ctx.db
    .selectFrom("company_health")
    .select(healthColumns)
    .where("workspace_id", "=", workspaceId)
    .where("company_id", "=", companyId)
    .executeTakeFirst();
  if (stored) return { ...stored, reasons: stored.reasons as Reason[] };
  return recomputeOne(ctx, workspaceId, companyId);
}

/** Recomputes one company now (the job does the same in the background) and returns the result. */
export async function recomputeOne(ctx: AppContext, workspaceId: string, companyId: string) {
  const computed = await recomputeCompanies(ctx, workspaceId, [companyId], { publish: true });
  const health = computed.get(companyId);
  if (!health) throw notFound("Company");
  return { company_id: companyId, ...health, computed_at: ctx.now() };
}

/**
 * Companies carrying one flag, one keyset page at a time: at-risk ones weakest first, upsell
 * prospects and advocates strongest first. Each comes with its name, plan, MRR and reasons.
 */
export async function flaggedCompanies(
  ctx: AppContext,
  principal: Principal,
  query: Static<typeof FlaggedQuery>,
) {
  const flag: Flag = query.flag;
  const limit = query.limit ?? 25;
  const ascending = flag === "at_risk";
  let select = ctx.db
    .selectFrom("company_health")
    .select(healthColumns)
    .where("workspace_id", "=", principal.workspaceId)
    .where(flag, "=", true)
    .orderBy("score", ascending ? "asc" : "desc")
    .orderBy("company_id", "asc")
    .limit(limit + 1);
  if (query.cursor) {
    const [score, id] = decodeCursor(query.cursor, ["number", "uuid"]);
    const comparison = ascending
      ? sql<SqlBool>`(score > ${Number(score)} or (score = ${Number(score)} and company_id > ${id}::uuid))`
      : sql<SqlBool>`(score < ${Number(score)} or (score = ${Number(score)} and company_id > ${id}::uuid))`;
    select = select.where(comparison as Expression<SqlBool>);
  }
  const rows = await select.execute();
  const page = rows.slice(0, limit);
  const facts = await companyFacts(
    ctx.db,
    principal.workspaceId,
    page.map((r) => r.company_id),
  );
  const last = page.at(-1);
  return {
    data: page.flatMap((row) => {
      const company = facts.get(row.company_id);
      if (!company) return [];
      return [
        {
          ...row,
          reasons: row.reasons as Reason[],
          id: company.id,
          name: company.name,
          plan: company.plan,
          mrr_cents: company.mrr_cents,
        },
      ];
    }),
    next_cursor: rows.length > limit && last ? encodeCursor([last.score, last.company_id]) : null,
  };
}
