import { type RawBuilder, type SqlBool, sql } from "kysely";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { Principal } from "../../http/principal.ts";
import { conflict, invalid, notFound } from "../../lib/errors.ts";
import { recordAudit } from "../audit/service.ts";

/*
 * The tags module owns `tags` and `conversation_tags`. Conversations reach them only through the
 * functions below (a conversation's existence and locking stay the conversations module's business).
 */

const columns = ["id", "name", "color", "created_at"] as const;

export type TagRef = { id: string; name: string; color: string };

function cleanName(name: string): string {
  const cleaned = name.normalize("NFC").replace(/\s+/gu, " ").trim();
  if (!cleaned) throw invalid("name", "A tag needs a name");
  return cleaned;
}

const duplicate = (name: string) =>
  conflict("tag_exists", `A tag named "${name}" exists already (names ignore case)`, "name");

export async function listTags(db: Db, workspaceId: string) {
  return db
    .selectFrom("tags")
    .select(columns)
    .where("workspace_id", "=", workspaceId)
    .orderBy(sql`lower(name)`)
    .orderBy("id")
    .execute();
}

export async function createTag(
  ctx: AppContext,
  principal: Principal,
  input: { name: string; color?: string },
) {
  const name = cleanName(input.name);
  return ctx.db.transaction().execute(async (trx) => {
    const tag = await insertTag(trx, principal.workspaceId, name, input.color);
    if (!tag) throw duplicate(name);
    await recordAudit(trx, principal, {
      action: "tag.created",
      targetType: "tag",
      targetId: tag.id,
      data: { name },
    });
    return tag;
  });
}

/** Inserts a tag unless the name is taken (case-insensitively); answers undefined when it is. */
async function insertTag(trx: Db, workspaceId: string, name: string, color?: string) {
  return trx
    .insertInto("tags")
    .values({ workspace_id: workspaceId, name, ...(color ? { color } : {}) })
    .onConflict((oc) => oc.doNothing())
    .returning(columns)
    .executeTakeFirst();
}

export async function updateTag(
  ctx: AppContext,
  principal: Principal,
  id: string,
  input: { name?: string; color?: string },
) {
  const name = input.name === undefined ? undefined : cleanName(input.name);
  return ctx.db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom("tags")
      .select(columns)
      .where("workspace_id", "=", principal.workspaceId)
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw notFound("Tag");
    if (name !== undefined && name.toLowerCase() !== current.name.toLowerCase()) {
      const taken = await findTagByName(trx, principal.workspaceId, name);
      if (taken) throw duplicate(name);
    }
    const tag = await trx
      .updateTable("tags")
      .set({ ...(name !== undefined ? { name } : {}), ...(input.color ? { color: input.color } : {}) })
      .where("workspace_id", "=", principal.workspaceId)
      .where("id", "=", id)
      .returning(columns)
      .executeTakeFirstOrThrow()
      .catch((error: { code?: string }) => {
        // A concurrent rename took the name between our check and this update.
        throw error.code === "23505" ? duplicate(name ?? current.name) : error;
      });
    await recordAudit(trx, principal, {
      action: "tag.updated",
      targetType: "tag",
      targetId: id,
      data: { from: { name: current.name, color: current.color }, to: { name: tag.name, color: tag.color } },
    });
    return tag;
  });
}

/** Deletes a tag; it disappears from every conversation that had it. */
export async function deleteTag(ctx: AppContext, principal: Principal, id: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const deleted = await trx
      .deleteFrom("tags")
      .where("workspace_id", "=", principal.workspaceId)
      .where("id", "=", id)
      .returning("name")
      .executeTakeFirst();
    if (!deleted) throw notFound("Tag");
    await recordAudit(trx, principal, {
      action: "tag.deleted",
      targetType: "tag",
      targetId: id,
      data: { name: deleted.name },
    });
  });
}

/** A tag of the workspace, or a 404 problem (also for another workspace's tag). */
export async function getTag(db: Db, workspaceId: string, id: string) {
  const tag = await db
    .selectFrom("tags")
    .select(columns)
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!tag) throw notFound("Tag");
  return tag;
}

export async function findTagByName(db: Db, workspaceId: string, name: string) {
  return db
    .selectFrom("tags")
    .select(columns)
    .where("workspace_id", "=", workspaceId)
    .where(sql`lower(name)`, "=", cleanName(name).toLowerCase())
    .executeTakeFirst();
}

/**
 * The tag a request names, by id (404-like 400 when it is not the workspace's) or by name, creating
 * it when the workspace has none by that name. Safe when two requests create the same name at once.
 */
export async function resolveTag(trx: Db, workspaceId: string, ref: { tag?: string; tag_id?: string }) {
  if ((ref.tag === undefined) === (ref.tag_id === undefined)) {
    throw invalid("tag", "Give either tag (a name) or tag_id");
  }
  if (ref.tag_id !== undefined) {
    const tag = await trx
      .selectFrom("tags")
      .select(columns)
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", ref.tag_id)
      .executeTakeFirst();
    if (!tag) throw invalid("tag_id", "No tag with this id in this workspace");
    return { tag, created: false };
  }
  const name = cleanName(ref.tag!);
  const existing = await findTagByName(trx, workspaceId, name);
  if (existing) return { tag: existing, created: false };
  const inserted = await insertTag(trx, workspaceId, name);
  if (inserted) return { tag: inserted, created: true };
  const raced = await findTagByName(trx, workspaceId, name);
  if (!raced) throw new Error("tag vanished while being created");
  return { tag: raced, created: false };
}

/** Adds a tag to a conversation the caller has already checked (and locked); true when it was new. */
export async function addTagToConversation(
  trx: Db,
  workspaceId: string,
  conversationId: string,
  tagId: string,
): Promise<boolean> {
  const row = await trx
    .insertInto("conversation_tags")
    .values({ workspace_id: workspaceId, conversation_id: conversationId, tag_id: tagId })
    .onConflict((oc) => oc.doNothing())
    .returning("tag_id")
    .executeTakeFirst();
  return row !== undefined;
}

/** Removes a tag from a conversation; false when the conversation did not have it. */
export async function removeTagFromConversation(
  trx: Db,
  workspaceId: string,
  conversationId: string,
  tagId: string,
): Promise<boolean> {
  const result = await trx
    .deleteFrom("conversation_tags")
    .where("workspace_id", "=", workspaceId)
    .where("conversation_id", "=", conversationId)
    .where("tag_id", "=", tagId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The tags of a page of conversations in one query (never one query per conversation). */
export async function tagsOfConversations(
  db: Db,
  workspaceId: string,
  conversationIds: string[],
): Promise<Map<string, TagRef[]>> {
  const byConversation = new Map<string, TagRef[]>(conversationIds.map((id) => [id, []]));
  if (conversationIds.length === 0) return byConversation;
  const rows = await db
    .selectFrom("conversation_tags as ct")
    .innerJoin("tags as t", (join) =>
      join.onRef("t.workspace_id", "=", "ct.workspace_id").onRef("t.id", "=", "ct.tag_id"),
    )
    .select(["ct.conversation_id", "t.id", "t.name", "t.color"])
    .where("ct.workspace_id", "=", workspaceId)
    .where("ct.conversation_id", "in", conversationIds)
    .orderBy(sql`lower(t.name)`)
    .execute();
  for (const { conversation_id, ...tag } of rows) byConversation.get(conversation_id)?.push(tag);
  return byConversation;
}

/**
 * A condition for a conversation query aliased `c`: the conversation carries this tag. An `exists`
 * lets the planner either walk the tag's conversations or check each candidate by primary key.
 */
export function conversationHasTag(tagId: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`exists (select 1 from conversation_tags ct where ct.workspace_id = c.workspace_id and ct.conversation_id = c.id and ct.tag_id = ${tagId})`;
}

/**
 * The tags of the conversation aliased `c`, as a JSON array of { id, name, color } ordered like
 * tagsOfConversations, for queries that render conversations in the database (the list page).
 */
export function conversationTagsJson(): RawBuilder<unknown> {
  return sql`coalesce((select json_agg(json_build_object('id', t.id, 'name', t.name, 'color', t.color) order by lower(t.name)) from conversation_tags ct join tags t on t.workspace_id = ct.workspace_id and t.id = ct.tag_id where ct.workspace_id = c.workspace_id and ct.conversation_id = c.id), '[]'::json)`;
}
