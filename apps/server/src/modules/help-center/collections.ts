import type { Static } from "typebox";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { Principal } from "../../http/principal.ts";
import { conflict, invalid, isDatabaseError, notFound, PG_UNIQUE_VIOLATION } from "../../lib/errors.ts";
import { recordAudit } from "../audit/service.ts";
import { slugify } from "./articles.ts";
import { announceChange } from "./cache.ts";
import type { CreateCollectionBody, UpdateCollectionBody } from "./schemas.ts";

/*
 * Collections group articles on the help center's home page; a collection with a parent is a
 * section of that collection (two levels, no deeper: readers should never get lost). Names are
 * written in the default language, with optional translations per language.
 */

export type CreateCollectionInput = Static<typeof CreateCollectionBody>;
export type UpdateCollectionInput = Static<typeof UpdateCollectionBody>;

const columns = [
  "id",
  "parent_id",
  "slug",
  "name",
  "description",
  "translations",
  "position",
  "created_at",
  "updated_at",
] as const;

export async function listCollections(db: Db, workspaceId: string) {
  return db
    .selectFrom("help_collections")
    .select(columns)
    .where("workspace_id", "=", workspaceId)
    .orderBy("position")
    .orderBy("name")
    .execute();
}

export async function getCollection(db: Db, workspaceId: string, id: string) {
  const row = await db
    .selectFrom("help_collections")
    .select(columns)
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) throw notFound("Collection");
  return row;
}

/** A parent must be a top-level collection of the workspace, and never the collection itself. */
async function checkParent(
  db: Db,
  workspaceId: string,
  parentId: string | null | undefined,
  selfId?: string,
) {
  if (!parentId) return;
  if (parentId === selfId) throw invalid("parent_id", "A collection cannot be its own section");
  const parent = await db
    .selectFrom("help_collections")
    .select("parent_id")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", parentId)
    .executeTakeFirst();
  if (!parent) throw invalid("parent_id", "No collection with this id in this workspace");
  if (parent.parent_id) throw invalid("parent_id", "Sections cannot have sections of their own");
  if (selfId) {
    const child = await db
      .selectFrom("help_collections")
      .select("id")
      .where("workspace_id", "=", workspaceId)
      .where("parent_id", "=", selfId)
      .executeTakeFirst();
    if (child) throw invalid("parent_id", "This collection has sections, so it cannot become a section");
  }
}

const slugTaken = () => conflict("slug_taken", "Another collection already uses this slug", "slug");

function cleanTranslations(translations: CreateCollectionInput["translations"]) {
  if (!translations) return undefined;
  return Object.fromEntries(
    Object.entries(translations).map(([language, text]) => [
      language.toLowerCase(),
      { name: text.name.trim(), description: text.description?.trim() || null },
    ]),
  );
}

export async function createCollection(ctx: AppContext, principal: Principal, input: CreateCollectionInput) {
  const name = input.name.trim();
  if (!name) throw invalid("name", "A collection needs a name");
  const row = await ctx.db
    .transaction()
    .execute(async (trx) => {
      await checkParent(trx, principal.workspaceId, input.parent_id);
      const created = await trx
        .insertInto("help_collections")
        .values({
          workspace_id: principal.workspaceId,
          parent_id: input.parent_id ?? null,
          slug: input.slug ?? slugify(name),
          name,
          description: input.description?.trim() || null,
          translations: JSON.stringify(cleanTranslations(input.translations) ?? {}),
          position: input.position ?? 0,
          updated_at: ctx.now(),
        })
        .returning(columns)
        .executeTakeFirstOrThrow();
      await recordAudit(trx, principal, {
        action: "help_collection.created",
        targetType: "help_collection",
        targetId: created.id,
        data: { name },
      });
      return created;
    })
    .catch((error) => {
      throw isDatabaseError(error, PG_UNIQUE_VIOLATION) ? slugTaken() : error;
    });
  await announceChange(ctx, principal.workspaceId, { collection_id: row.id });
  return row;
}

export async function updateCollection(
  ctx: AppContext,
  principal: Principal,
  id: string,
  input: UpdateCollectionInput,
) {
  const row = await ctx.db
    .transaction()
    .execute(async (trx) => {
      const current = await getCollection(trx, principal.workspaceId, id);
      if (input.parent_id !== undefined) await checkParent(trx, principal.workspaceId, input.parent_id, id);
      const name = input.name === undefined ? current.name : input.name.trim();
      if (!name) throw invalid("name", "A collection needs a name");
      const translations = cleanTranslations(input.translations);
      const updated = await trx
        .updateTable("help_collections")
        .set({
          name,
          slug: input.slug ?? current.slug,
          description:
            input.description === undefined ? current.description : input.description?.trim() || null,
          parent_id: input.parent_id === undefined ? current.parent_id : input.parent_id,
          position: input.position ?? current.position,
          ...(translations ? { translations: JSON.stringify(translations) } : {}),
          updated_at: ctx.now(),
        })
        .where("workspace_id", "=", principal.workspaceId)
        .where("id", "=", id)
        .returning(columns)
        .executeTakeFirstOrThrow();
      await recordAudit(trx, principal, {
        action: "help_collection.updated",
        targetType: "help_collection",
        targetId: id,
        data: { name },
      });
      return updated;
    })
    .catch((error) => {
      throw isDatabaseError(error, PG_UNIQUE_VIOLATION) ? slugTaken() : error;
    });
  await announceChange(ctx, principal.workspaceId, { collection_id: id });
  return row;
}

/** Deletes a collection and its sections; their articles stay, outside any collection. */
export async function deleteCollection(ctx: AppContext, principal: Principal, id: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const deleted = await trx
      .deleteFrom("help_collections")
      .where("workspace_id", "=", principal.workspaceId)
      .where("id", "=", id)
      .returning("name")
      .executeTakeFirst();
    if (!deleted) throw notFound("Collection");
    await recordAudit(trx, principal, {
      action: "help_collection.deleted",
      targetType: "help_collection",
      targetId: id,
      data: { name: deleted.name },
    });
  });
  await announceChange(ctx, principal.workspaceId, { collection_id: id });
}
