import { sql } from "kysely";
import type { Static } from "typebox";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { Principal } from "../../http/principal.ts";
import { invalid, Problem } from "../../lib/errors.ts";
import { companyExists } from "../companies/service.ts";
import { companyOfContact, contactByEmail } from "../contacts/by-company.ts";
import type { UsageEventBody } from "./schemas.ts";

const DAY = 86_400_000;
/** Clocks disagree a little; an event from further in the future is a mistake worth reporting. */
const FUTURE_SLACK_MS = 5 * 60_000;

const unprocessable = (field: string, message: string) =>
  new Problem(422, "unprocessable", message, { field, extra: { errors: [{ field, message }] } });

/** Which company an event is about: named directly, or through one of its contacts. */
async function resolveCompany(db: Db, workspaceId: string, input: Static<typeof UsageEventBody>) {
  if (input.company_id) {
    if (!(await companyExists(db, workspaceId, input.company_id)))
      throw unprocessable("company_id", "No company with this id in this workspace");
    return { companyId: input.company_id, contactId: input.contact_id ?? null };
  }
  if (input.contact_id) {
    const companyId = await companyOfContact(db, workspaceId, input.contact_id);
    if (companyId === undefined)
      throw unprocessable("contact_id", "No contact with this id in this workspace");
    if (!companyId) throw unprocessable("contact_id", "This contact belongs to no company");
    return { companyId, contactId: input.contact_id };
  }
  if (input.contact_email) {
    const contact = await contactByEmail(db, workspaceId, input.contact_email);
    if (!contact) throw unprocessable("contact_email", "No contact with this email in this workspace");
    if (!contact.company_id) throw unprocessable("contact_email", "This contact belongs to no company");
    return { companyId: contact.company_id, contactId: contact.id };
  }
  throw invalid("company_id", "Name the company: company_id, contact_id or contact_email");
}

/**
 * Records one product usage event and adds it to the company's daily count in the same
 * transaction; health reads the daily counts, never the raw events.
 */
export async function recordUsageEvent(
  ctx: AppContext,
  principal: Principal,
  input: Static<typeof UsageEventBody>,
) {
  const now = ctx.now();
  const occurredAt = input.occurred_at ? new Date(input.occurred_at) : now;
  if (occurredAt.getTime() > now.getTime() + FUTURE_SLACK_MS)
    throw unprocessable("occurred_at", "occurred_at is in the future");
  if (occurredAt.getTime() < now.getTime() - 365 * DAY)
    throw unprocessable("occurred_at", "occurred_at is more than a year ago");
  const quantity = input.quantity ?? 1;
  const ws = principal.workspaceId;
  const event = await ctx.db.transaction().execute(async (trx) => {
    const { companyId, contactId } = await resolveCompany(trx, ws, input);
    const row = await trx
      .insertInto("usage_events")
      .values({
        workspace_id: ws,
        company_id: companyId,
        contact_id: contactId,
        name: input.name,
        quantity,
        occurred_at: occurredAt,
        properties: JSON.stringify(input.properties ?? {}),
      })
      .returning(["id", "company_id", "contact_id", "name", "quantity", "occurred_at", "properties"])
      .executeTakeFirstOrThrow();
    const day = occurredAt.toISOString().slice(0, 10);
    await trx
      .insertInto("usage_daily")
      .values({ workspace_id: ws, company_id: companyId, day, quantity })
      .onConflict((oc) =>
        oc
          .columns(["workspace_id", "company_id", "day"])
          .doUpdateSet({ quantity: sql`usage_daily.quantity + ${quantity}` }),
      )
      .execute();
    await ctx.events.record(trx, ws, [
      { type: "usage.recorded", data: { company_id: row.company_id, name: row.name } },
    ]);
    return row;
  });
  return event;
}

/** Usage of the last 30 days and of the 30 days before, per company. */
export async function usageOfCompanies(
  db: Db,
  workspaceId: string,
  companyIds: readonly string[],
  now: Date,
) {
  const usage = new Map<string, { recent: number; previous: number }>();
  if (companyIds.length === 0) return usage;
  const day = (ms: number) => new Date(now.getTime() - ms).toISOString().slice(0, 10);
  const recentStart = day(29 * DAY);
  const rows = await db
    .selectFrom("usage_daily")
    .select([
      "company_id",
      sql<string>`coalesce(sum(quantity) filter (where day >= ${recentStart}::date), 0)`.as("recent"),
      sql<string>`coalesce(sum(quantity) filter (where day < ${recentStart}::date), 0)`.as("previous"),
    ])
    .where("workspace_id", "=", workspaceId)
    .where("company_id", "in", [...companyIds])
    .where("day", ">=", day(59 * DAY))
    .where("day", "<=", day(0))
    .groupBy("company_id")
    .execute();
  for (const r of rows) usage.set(r.company_id, { recent: Number(r.recent), previous: Number(r.previous) });
  return usage;
}
