import { sql } from "kysely";
import type { Static } from "typebox";
import type {
  CompanyListQuery,
  CreateCompanyBody,
  UpdateCompanyBody,
} from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { Principal } from "../../http/principal.ts";
import { invalid, notFound } from "../../lib/errors.ts";
import { keysetPage } from "../../lib/pagination.ts";
import { recordAudit } from "../audit/service.ts";
import { countContacts } from "../contacts/service.ts";
import { getMember } from "../workspaces/service.ts";

export type NewCompany = Static<typeof CreateCompanyBody>;
export type CompanyChange = Static<typeof UpdateCompanyBody>;

const columns = [
  "id",
  "name",
  "domain",
  "plan",
  "mrr_cents",
  "attributes",
  "seats",
  "seats_used",
  "signup_at",
  "renewal_at",
  "owner_agent_id",
  "lifecycle_stage",
  "stripe_customer_id",
  "billing_status",
  "created_at",
  "updated_at",
] as const;

/** The customer-record fields a request may set (besides name, domain, plan, MRR and attributes). */
const recordFields = [
  "seats",
  "seats_used",
  "signup_at",
  "renewal_at",
  "owner_agent_id",
  "lifecycle_stage",
] as const;

/** The owner (account manager) must be a member of this very workspace. */
async function checkOwner(db: Db, workspaceId: string, ownerId: string | null | undefined) {
  if (ownerId && !(await getMember(db, workspaceId, ownerId)))
    throw invalid("owner_agent_id", "No agent with this id in this workspace");
}

/** The record fields present in the input, for an insert or an update. */
function recordValues(input: CompanyChange) {
  const values: Partial<Record<(typeof recordFields)[number], unknown>> = {};
  for (const field of recordFields) if (input[field] !== undefined) values[field] = input[field];
  return values as Partial<Pick<CompanyChange, (typeof recordFields)[number]>>;
}

/** MRR is a bigint column, which the drivers hand back as text; the API speaks integers. */
function present<T extends { mrr_cents: string | number }>(row: T) {
  return { ...row, mrr_cents: Number(row.mrr_cents) };
}

/** Starts-with search that treats the user's % and _ as plain characters. */
function prefixPattern(text: string): string {
  return `${text.toLowerCase().replace(/[\\%_]/g, "\\$&")}%`;
}

/** Whether the company exists in this workspace (another workspace's company does not). */
export async function companyExists(db: Db, workspaceId: string, id: string): Promise<boolean> {
  const row = await db
    .selectFrom("companies")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  return row !== undefined;
}

async function findCompany(db: Db, workspaceId: string, id: string) {
  const row = await db
    .selectFrom("companies")
    .select(columns)
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) throw notFound("Company");
  return present(row);
}

/**
 * Creates a company without auditing or events: for callers that already run in a transaction,
 * such as the demo seed. Requests go through addCompany.
 */
export async function createCompany(db: Db, workspaceId: string, input: NewCompany) {
  await checkOwner(db, workspaceId, input.owner_agent_id);
  const row = await db
    .insertInto("companies")
    .values({
      workspace_id: workspaceId,
      name: input.name.trim(),
      domain: input.domain?.toLowerCase() ?? null,
      plan: input.plan ?? null,
      mrr_cents: input.mrr_cents ?? 0,
      attributes: JSON.stringify(input.attributes ?? {}),
      ...recordValues(input),
    })
    .returning(columns)
    .executeTakeFirstOrThrow();
  return present(row);
}

export async function listCompanies(
  ctx: AppContext,
  principal: Principal,
  query: Static<typeof CompanyListQuery>,
) {
  let select = ctx.db
    .selectFrom("companies")
    .select(columns)
    .where("workspace_id", "=", principal.workspaceId);
  if (query.q) select = select.where((eb) => eb(eb.fn("lower", ["name"]), "like", prefixPattern(query.q!)));
  const page = await keysetPage(select, {
    column: "created_at",
    cursor: query.cursor,
    limit: query.limit ?? 25,
  });
  return { ...page, data: page.data.map(present) };
}

export async function showCompany(ctx: AppContext, principal: Principal, id: string) {
  const company = await findCompany(ctx.db, principal.workspaceId, id);
  return { ...company, contact_count: await countContacts(ctx.db, principal.workspaceId, { companyId: id }) };
}

export async function addCompany(ctx: AppContext, principal: Principal, input: NewCompany) {
  const company = await ctx.db.transaction().execute(async (trx) => {
    const created = await createCompany(trx, principal.workspaceId, input);
    await recordAudit(trx, principal, {
      action: "company.created",
      targetType: "company",
      targetId: created.id,
      data: { name: created.name },
    });
    await ctx.events.record(trx, principal.workspaceId, [
      { type: "company.created", data: { id: created.id } },
    ]);
    return created;
  });
  return company;
}

export async function updateCompany(ctx: AppContext, principal: Principal, id: string, input: CompanyChange) {
  const company = await ctx.db.transaction().execute(async (trx) => {
    const current = await findCompany(trx, principal.workspaceId, id);
    await checkOwner(trx, principal.workspaceId, input.owner_agent_id);
    const row = await trx
      .updateTable("companies")
      .set({
        name: input.name?.trim() ?? current.name,
        domain: input.domain === undefined ? current.domain : (input.domain?.toLowerCase() ?? null),
        plan: input.plan === undefined ? current.plan : input.plan,
        mrr_cents: input.mrr_cents ?? current.mrr_cents,
        attributes: JSON.stringify(input.attributes ?? current.attributes),
        ...recordValues(input),
        updated_at: sql`now()`,
      })
      .where("workspace_id", "=", principal.workspaceId)
      .where("id", "=", id)
      .returning(columns)
      .executeTakeFirstOrThrow();
    await recordAudit(trx, principal, {
      action: "company.updated",
      targetType: "company",
      targetId: id,
      data: {
        changed: Object.keys(input),
        ...(input.mrr_cents !== undefined
          ? { mrr_cents: { from: current.mrr_cents, to: input.mrr_cents } }
          : {}),
      },
    });
    await ctx.events.record(trx, principal.workspaceId, [{ type: "company.updated", data: { id } }]);
    return present(row);
  });
  return { ...company, contact_count: await countContacts(ctx.db, principal.workspaceId, { companyId: id }) };
}

/** Deleting a company keeps its contacts; they are left without a company. */
export async function deleteCompany(ctx: AppContext, principal: Principal, id: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const company = await findCompany(trx, principal.workspaceId, id);
    await trx
      .deleteFrom("companies")
      .where("workspace_id", "=", principal.workspaceId)
      .where("id", "=", id)
      .execute();
    await recordAudit(trx, principal, {
      action: "company.deleted",
      targetType: "company",
      targetId: id,
      data: { name: company.name },
    });
    await ctx.events.record(trx, principal.workspaceId, [{ type: "company.deleted", data: { id } }]);
  });
}

/**
 * Name, plan, MRR and attributes of the given companies of the workspace, by id (ids of other
 * workspaces or deleted companies are simply absent). For modules that weigh things by revenue or
 * test company attributes: feature requests, sequences.
 */
export async function companyRevenue(
  db: Db,
  workspaceId: string,
  ids: readonly string[],
): Promise<
  Map<string, { name: string; plan: string | null; mrr_cents: number; attributes: Record<string, unknown> }>
> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db
    .selectFrom("companies")
    .select(["id", "name", "plan", "mrr_cents", "attributes"])
    .where("workspace_id", "=", workspaceId)
    .where("id", "in", unique)
    .execute();
  return new Map(
    rows.map((r) => [
      r.id,
      { name: r.name, plan: r.plan, mrr_cents: Number(r.mrr_cents), attributes: r.attributes },
    ]),
  );
}
