import { sql } from "kysely";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { Principal } from "../../http/principal.ts";
import { conflict, invalid, isDatabaseError, notFound, PG_UNIQUE_VIOLATION } from "../../lib/errors.ts";
import { recordAudit } from "../audit/service.ts";
import { SAVED_REPLY_VARIABLES, unknownVariables } from "../../../../../packages/contracts/src/saved-reply-variables.ts";

/* The saved-replies module owns `saved_replies`: a workspace's canned answers with variables. */

const columns = ["id", "name", "body", "created_at", "updated_at"] as const;

function cleanName(name: string): string {
  const cleaned = name.normalize("NFC").replace(/\s+/gu, " ").trim();
  if (!cleaned) throw invalid("name", "A saved reply needs a name");
  return cleaned;
}

/** Refuses a body with variables the composer could not fill, so a typo never reaches a customer. */
function checkBody(body: string): string {
  if (!body.trim()) throw invalid("body", "A saved reply needs a text");
  const unknown = unknownVariables(body);
  if (unknown.length > 0) {
    throw invalid(
      "body",
      `Unknown variable ${unknown.map((v) => `{{${v}}}`).join(", ")}; use one of ${SAVED_REPLY_VARIABLES.join(", ")}`,
    );
  }
  return body;
}

const duplicate = (name: string) =>
  conflict("saved_reply_exists", `A saved reply named "${name}" exists already (names ignore case)`, "name");

/** Turns a unique-name violation (two saves racing for one name) into the 409 it deserves. */
function nameTaken(name: string) {
  return (error: unknown) => {
    throw isDatabaseError(error, PG_UNIQUE_VIOLATION) ? duplicate(name) : error;
  };
}

export async function listSavedReplies(db: Db, workspaceId: string) {
  return db
    .selectFrom("saved_replies")
    .select(columns)
    .where("workspace_id", "=", workspaceId)
    .orderBy(sql`lower(name)`)
    .orderBy("id")
    .execute();
}

export async function getSavedReply(db: Db, workspaceId: string, id: string) {
  const reply = await db
    .selectFrom("saved_replies")
    .select(columns)
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!reply) throw notFound("Saved reply");
  return reply;
}

export async function createSavedReply(
  ctx: AppContext,
  principal: Principal,
  input: { name: string; body: string },
) {
  const name = cleanName(input.name);
  const body = checkBody(input.body);
  return ctx.db.transaction().execute(async (trx) => {
    const reply = await trx
      .insertInto("saved_replies")
      .values({ workspace_id: principal.workspaceId, name, body, created_by: principal.agentId })
      .returning(columns)
      .executeTakeFirstOrThrow()
      .catch(nameTaken(name));
    await recordAudit(trx, principal, {
      action: "saved_reply.created",
      targetType: "saved_reply",
      targetId: reply.id,
      data: { name },
    });
    return reply;
  });
}

export async function updateSavedReply(
  ctx: AppContext,
  principal: Principal,
  id: string,
  input: { name?: string; body?: string },
) {
  const name = input.name === undefined ? undefined : cleanName(input.name);
  const body = input.body === undefined ? undefined : checkBody(input.body);
  return ctx.db.transaction().execute(async (trx) => {
    const reply = await trx
      .updateTable("saved_replies")
      .set({
        ...(name !== undefined ? { name } : {}),
        ...(body !== undefined ? { body } : {}),
        updated_at: new Date(),
      })
      .where("workspace_id", "=", principal.workspaceId)
      .where("id", "=", id)
      .returning(columns)
      .executeTakeFirst()
      .catch(nameTaken(name ?? ""));
    if (!reply) throw notFound("Saved reply");
    await recordAudit(trx, principal, {
      action: "saved_reply.updated",
      targetType: "saved_reply",
      targetId: id,
      data: { name: reply.name },
    });
    return reply;
  });
}

export async function deleteSavedReply(ctx: AppContext, principal: Principal, id: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const deleted = await trx
      .deleteFrom("saved_replies")
      .where("workspace_id", "=", principal.workspaceId)
      .where("id", "=", id)
      .returning("name")
      .executeTakeFirst();
    if (!deleted) throw notFound("Saved reply");
    await recordAudit(trx, principal, {
      action: "saved_reply.deleted",
      targetType: "saved_reply",
      targetId: id,
      data: { name: deleted.name },
    });
  });
}
