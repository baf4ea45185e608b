import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import {
  CustomerCard,
  CustomerCardsQuery,
} from "../../../../../packages/contracts/src/conversation-tools.ts";
import { errorResponses } from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import { invalid } from "../../lib/errors.ts";
import { principalOf } from "../access/authenticate.ts";
import { companySummaries } from "../companies/summaries.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Who a list of conversations is with: each contact's name and address with their company's name,
 * plan and MRR, for up to 100 contacts in two queries. Unknown ids (or another workspace's) are
 * simply absent.
 */
export async function customerCards(db: Db, workspaceId: string, ids: string[]) {
  const contacts = await db
    .selectFrom("contacts")
    .select(["id", "name", "email", "phone", "company_id"])
    .where("workspace_id", "=", workspaceId)
    .where("id", "in", ids)
    .execute();
  const companies = await companySummaries(db, workspaceId, [
    ...new Set(contacts.map((c) => c.company_id).filter((id): id is string => id !== null)),
  ]);
  return contacts.map(({ company_id, ...contact }) => ({
    ...contact,
    company: company_id ? (companies.get(company_id) ?? null) : null,
  }));
}

export function parseIds(text: string): string[] {
  const ids = [...new Set(text.split(",").map((id) => id.toLowerCase()))];
  if (ids.length > 100 || !ids.every((id) => UUID.test(id)))
    throw invalid("ids", "Give up to 100 contact ids, separated by commas");
  return ids;
}

export async function contactCardRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get<{ Querystring: { ids: string } }>(
    "/contacts/cards",
    {
      config: { permission: "contacts:read" },
      schema: {
        tags: ["contacts"],
        summary: "Several contacts at once with their company's name, plan and MRR (for conversation lists)",
        querystring: CustomerCardsQuery,
        response: { 200: Type.Object({ data: Type.Array(CustomerCard) }), ...errorResponses },
      },
    },
    async (request) => ({
      data: await customerCards(ctx.db, principalOf(request).workspaceId, parseIds(request.query.ids)),
    }),
  );
}
