import type { Db } from "../../db/database.ts";

/* What the public pages read: published articles only, always scoped by workspace. */

export async function publishedLanguages(db: Db, workspaceId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("help_articles")
    .select("language")
    .distinct()
    .where("workspace_id", "=", workspaceId)
    .where("status", "=", "published")
    .orderBy("language")
    .execute();
  return rows.map((row) => row.language);
}

export async function publishedArticle(db: Db, workspaceId: string, language: string, slug: string) {
  return db
    .selectFrom("help_articles")
    .select([
      "id",
      "translation_group_id",
      "slug",
      "title",
      "body_html",
      "body_text",
      "collection_id",
      "updated_at",
      "published_at",
    ])
    .where("workspace_id", "=", workspaceId)
    .where("language", "=", language)
    .where("slug", "=", slug)
    .where("status", "=", "published")
    .executeTakeFirst();
}

/** The current slug of a published article that once had this slug. */
export async function renamedSlug(db: Db, workspaceId: string, language: string, slug: string) {
  const row = await db
    .selectFrom("help_article_slugs as s")
    .innerJoin("help_articles as a", (join) =>
      join.onRef("a.workspace_id", "=", "s.workspace_id").onRef("a.id", "=", "s.article_id"),
    )
    .select(["a.slug", "a.language"])
    .where("s.workspace_id", "=", workspaceId)
    .where("s.language", "=", language)
    .where("s.slug", "=", slug)
    .where("a.status", "=", "published")
    .executeTakeFirst();
  return row;
}

export async function publishedTranslations(db: Db, workspaceId: string, groupId: string) {
  return db
    .selectFrom("help_articles")
    .select(["language", "slug"])
    .where("workspace_id", "=", workspaceId)
    .where("translation_group_id", "=", groupId)
    .where("status", "=", "published")
    .orderBy("language")
    .execute();
}

export async function allCollections(db: Db, workspaceId: string) {
  return db
    .selectFrom("help_collections")
    .select(["id", "parent_id", "slug", "name", "description", "translations", "position", "updated_at"])
    .where("workspace_id", "=", workspaceId)
    .orderBy("position")
    .orderBy("name")
    .execute();
}

export async function publishedArticleTitles(db: Db, workspaceId: string, language: string) {
  return db
    .selectFrom("help_articles")
    .select(["slug", "title", "collection_id"])
    .where("workspace_id", "=", workspaceId)
    .where("language", "=", language)
    .where("status", "=", "published")
    .orderBy("position")
    .orderBy("title")
    .limit(5000)
    .execute();
}

export async function sitemapArticles(db: Db, workspaceId: string) {
  return db
    .selectFrom("help_articles")
    .select(["language", "slug", "updated_at"])
    .where("workspace_id", "=", workspaceId)
    .where("status", "=", "published")
    .orderBy("language")
    .orderBy("slug")
    .limit(50_000)
    .execute();
}

export async function articleIdBySlug(db: Db, workspaceId: string, language: string, slug: string) {
  const row = await db
    .selectFrom("help_articles")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("language", "=", language)
    .where("slug", "=", slug)
    .where("status", "=", "published")
    .executeTakeFirst();
  return row?.id;
}
