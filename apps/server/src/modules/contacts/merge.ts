import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { MergeContactBody } from "../../../../../packages/contracts/src/conversation-tools.ts";
import { Contact, errorResponses, IdParams } from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { DB } from "../../db/schema.ts";
import type { Principal } from "../../http/principal.ts";
import { invalid, notFound } from "../../lib/errors.ts";
import { principalOf } from "../access/authenticate.ts";
import { recordAudit } from "../audit/service.ts";
import { moveContactConversations } from "../conversations/merge.ts";

/**
 * A step of a contact merge, run inside its transaction: move what a module keeps for `fromId` to
 * `toId` before the duplicate is deleted. Each module that keeps rows per contact (chat identities,
 * sequences, surveys, …) exports its own step, wired in by modules/index.ts through
 * `registerContactMergeSteps` (importing them here would tie contacts to every module); rows left
 * behind go with the duplicate's deletion.
 */
export type ContactMergeStep = (
  trx: Db,
  workspaceId: string,
  fromId: string,
  toId: string,
) => Promise<unknown>;

export const contactMergeSteps: ContactMergeStep[] = [moveContactConversations];

/** Tables of any module that keep rows per contact within a workspace. */
type ContactTable = {
  [T in keyof DB]: DB[T] extends { workspace_id: unknown; contact_id: unknown } ? T : never;
}[keyof DB];

/**
 * A merge step for rows that need no reconciling (no uniqueness per contact): every row of the duplicate in these
 * tables is re-pointed at the kept contact.
 */
export function reassignContactRows(...tables: ContactTable[]): ContactMergeStep {
  return async (trx, workspaceId, fromId, toId) => {
    for (const table of tables)
      await sql`update ${sql.table(table)} set contact_id = ${toId}
        where workspace_id = ${workspaceId} and contact_id = ${fromId}`.execute(trx);
  };
}

/** Adds modules' merge steps (once each, whatever the number of calls), run after the conversations move. */
export function registerContactMergeSteps(...steps: ContactMergeStep[]): void {
  for (const step of steps) if (!contactMergeSteps.includes(step)) contactMergeSteps.push(step);
}

/**
 * Merges a duplicate contact into the one kept (the same person seen on two channels): the
 * duplicate's conversations and messages follow, fields the kept contact lacks are taken from the
 * duplicate (its attributes fill in, the kept contact's win), and the duplicate is deleted.
 */
export async function mergeContacts(
  ctx: AppContext,
  principal: Principal,
  keepId: string,
  duplicateId: string,
) {
  const workspaceId = principal.workspaceId;
  const kept = await ctx.db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom("contacts")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("id", "in", [keepId, duplicateId])
      .orderBy("id")
      .forUpdate()
      .execute();
    const keep = rows.find((r) => r.id === keepId);
    if (!keep) throw notFound("Contact");
    if (keepId === duplicateId) throw invalid("source_id", "A contact cannot be merged into itself");
    const duplicate = rows.find((r) => r.id === duplicateId);
    if (!duplicate) throw invalid("source_id", "No contact with this id in this workspace");

    const movedIds: string[] = [];
    for (const step of contactMergeSteps) {
      const result = await step(trx, workspaceId, duplicate.id, keep.id);
      if (step === moveContactConversations) movedIds.push(...(result as string[]));
    }
    // The duplicate goes first: its email may move to the kept contact, and emails are unique.
    await trx
      .deleteFrom("contacts")
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", duplicate.id)
      .execute();
    const updated = await trx
      .updateTable("contacts")
      .set({
        name: keep.name ?? duplicate.name,
        email: keep.email ?? duplicate.email,
        phone: keep.phone ?? duplicate.phone,
        company_id: keep.company_id ?? duplicate.company_id,
        attributes: JSON.stringify({ ...asObject(duplicate.attributes), ...asObject(keep.attributes) }),
        updated_at: sql`now()`,
      })
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", keep.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, principal, {
      action: "contact.merged",
      targetType: "contact",
      targetId: keep.id,
      data: { source_id: duplicate.id, conversations: movedIds.length },
    });
    await ctx.events.record(trx, workspaceId, [
      { type: "contact.deleted", data: { id: duplicateId, merged_into: keepId } },
      { type: "contact.updated", data: { id: keepId } },
      ...movedIds.map((id) => ({
        type: "conversation.updated" as const,
        data: { id, changes: ["contact_id" as const] },
      })),
    ]);
    return updated;
  });
  const { workspace_id: _, ...contact } = kept;
  return contact;
}

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value === "string") return asObject(JSON.parse(value));
  return value && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export async function contactMergeRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post<{ Params: { id: string }; Body: { source_id: string } }>(
    "/contacts/:id/merge",
    {
      config: { permission: "contacts:write" },
      schema: {
        tags: ["contacts"],
        summary: "Merge a duplicate contact into this one: its conversations follow, then it is deleted",
        params: IdParams,
        body: MergeContactBody,
        response: { 200: Contact, ...errorResponses },
      },
    },
    async (request) => mergeContacts(ctx, principalOf(request), request.params.id, request.body.source_id),
  );
}
