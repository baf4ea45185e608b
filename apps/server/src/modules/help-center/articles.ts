import { randomUUID } from "node:crypto";
import type { Static } from "typebox";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { HelpArticleStatus } from "../../db/schema.ts";
import type { Principal } from "../../http/principal.ts";
import {
  conflict,
  invalid,
  isDatabaseError,
  notFound,
  PG_UNIQUE_VIOLATION,
  Problem,
} from "../../lib/errors.ts";
import { keysetPage } from "../../lib/pagination.ts";
import { recordAudit } from "../audit/service.ts";
import { getWorkspace } from "../workspaces/service.ts";
import { announceChange } from "./cache.ts";
import { isLanguageTag } from "./i18n.ts";
import { foldedExtra, markdownToText, renderMarkdown } from "./markdown.ts";
import type { CreateArticleBody, UpdateArticleBody } from "./schemas.ts";
import { indexWords } from "./search.ts";
import { helpSettingsOf, publicBase } from "./settings.ts";

export type CreateArticleInput = Static<typeof CreateArticleBody>;
export type UpdateArticleInput = Static<typeof UpdateArticleBody>;

const columns = [
  "id",
  "translation_group_id",
  "language",
  "collection_id",
  "slug",
  "title",
  "body_markdown",
  "body_html",
  "status",
  "version",
  "position",
  "published_at",
  "created_at",
  "updated_at",
] as const;

type ArticleRow = Awaited<ReturnType<typeof loadArticle>>;

/** A slug from a title, in any script: lowercase words joined by hyphens. */
export function slugify(title: string): string {
  const slug = title
    .normalize("NFC")
    .toLowerCase()
    .replace(/[^\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}]+/gu, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80)
    .replace(/-+$/, "");
  return slug || "article";
}

async function loadArticle(db: Db, workspaceId: string, id: string, lock = false) {
  let query = db
    .selectFrom("help_articles")
    .select([...columns, "updated_by"])
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw notFound("Article");
  return row;
}

async function translationsOf(db: Db, workspaceId: string, groupId: string) {
  return db
    .selectFrom("help_articles")
    .select(["id", "language", "status"])
    .where("workspace_id", "=", workspaceId)
    .where("translation_group_id", "=", groupId)
    .orderBy("language")
    .execute();
}

async function present(ctx: AppContext, workspaceId: string, row: ArticleRow) {
  const { updated_by: _updatedBy, ...article } = row;
  const workspace = await getWorkspace(ctx, workspaceId);
  const settings = await helpSettingsOf(ctx.db, workspaceId);
  const base = publicBase(ctx, workspace.slug, settings);
  return {
    ...article,
    public_url: `${base}/${article.language}/articles/${encodeURIComponent(article.slug)}`,
    translations: await translationsOf(ctx.db, workspaceId, article.translation_group_id),
  };
}

export async function showArticle(ctx: AppContext, principal: Principal, id: string) {
  return present(ctx, principal.workspaceId, await loadArticle(ctx.db, principal.workspaceId, id));
}

export async function listArticles(
  ctx: AppContext,
  principal: Principal,
  filter: {
    cursor?: string;
    limit?: number;
    language?: string;
    collection_id?: string;
    status?: HelpArticleStatus;
  },
) {
  let query = ctx.db
    .selectFrom("help_articles as a")
    .select([
      "a.id",
      "a.translation_group_id",
      "a.language",
      "a.collection_id",
      "a.slug",
      "a.title",
      "a.status",
      "a.version",
      "a.published_at",
      "a.updated_at",
    ])
    .where("a.workspace_id", "=", principal.workspaceId);
  if (filter.language) query = query.where("a.language", "=", filter.language.toLowerCase());
  if (filter.collection_id) query = query.where("a.collection_id", "=", filter.collection_id);
  if (filter.status) query = query.where("a.status", "=", filter.status);
  return keysetPage(query, { column: "a.updated_at", cursor: filter.cursor, limit: filter.limit ?? 50 });
}

async function checkCollection(db: Db, workspaceId: string, collectionId: string | null | undefined) {
  if (!collectionId) return;
  const found = await db
    .selectFrom("help_collections")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", collectionId)
    .executeTakeFirst();
  if (!found) throw invalid("collection_id", "No collection with this id in this workspace");
}

/** A free slug for a new article: the wanted one, else the same with -2, -3… when it came from the title. */
async function freeSlug(db: Db, workspaceId: string, language: string, wanted: string, exact: boolean) {
  const taken = new Set(
    (
      await db
        .selectFrom("help_articles")
        .select("slug")
        .where("workspace_id", "=", workspaceId)
        .where("language", "=", language)
        .where((eb) => eb.or([eb("slug", "=", wanted), eb("slug", "like", `${wanted}-%`)]))
        .execute()
    ).map((row) => row.slug),
  );
  if (!taken.has(wanted)) return wanted;
  if (exact) throw slugTaken(wanted);
  for (let n = 2; ; n += 1) if (!taken.has(`${wanted}-${n}`)) return `${wanted}-${n}`;
}

const slugTaken = (slug: string) =>
  conflict("slug_taken", `Another article in this language already uses the slug "${slug}"`, "slug");

/** What is derived from the Markdown: the sanitized HTML, the plain text and its accent-free words. */
function derived(title: string, markdown: string) {
  const text = markdownToText(markdown);
  const titleExtra = foldedExtra(title);
  return {
    body_html: renderMarkdown(markdown),
    body_text: text,
    title_search: titleExtra ? `${title} ${titleExtra}` : title,
    search_extra: foldedExtra(text),
  };
}

async function writeRevision(trx: Db, workspaceId: string, principal: Principal, row: ArticleRow) {
  await trx
    .insertInto("help_article_revisions")
    .values({
      workspace_id: workspaceId,
      article_id: row.id,
      version: row.version,
      title: row.title,
      slug: row.slug,
      body_markdown: row.body_markdown,
      status: row.status,
      collection_id: row.collection_id,
      created_by: principal.agentId,
    })
    .execute();
}

/** A slug that now belongs to a live article no longer redirects anywhere else. */
async function claimSlug(trx: Db, workspaceId: string, language: string, slug: string) {
  await trx
    .deleteFrom("help_article_slugs")
    .where("workspace_id", "=", workspaceId)
    .where("language", "=", language)
    .where("slug", "=", slug)
    .execute();
}

export async function createArticle(ctx: AppContext, principal: Principal, input: CreateArticleInput) {
  const workspaceId = principal.workspaceId;
  const settings = await helpSettingsOf(ctx.db, workspaceId);
  const language = (input.language ?? settings.default_language).toLowerCase();
  if (!isLanguageTag(language))
    throw invalid("language", "language must be a BCP 47 tag such as en or pt-br");
  const title = input.title.trim();
  if (!title) throw invalid("title", "An article needs a title");
  const status = input.status ?? "draft";
  const row = await ctx.db
    .transaction()
    .execute(async (trx) => {
      let groupId: string = randomUUID();
      let collectionId = input.collection_id ?? null;
      if (input.translation_of) {
        const original = await trx
          .selectFrom("help_articles")
          .select(["translation_group_id", "collection_id"])
          .where("workspace_id", "=", workspaceId)
          .where("id", "=", input.translation_of)
          .executeTakeFirst();
        if (!original) throw invalid("translation_of", "No article with this id in this workspace");
        groupId = original.translation_group_id;
        if (input.collection_id === undefined) collectionId = original.collection_id;
        const existing = await trx
          .selectFrom("help_articles")
          .select("id")
          .where("workspace_id", "=", workspaceId)
          .where("translation_group_id", "=", groupId)
          .where("language", "=", language)
          .executeTakeFirst();
        if (existing) {
          throw conflict("translation_exists", `This article already has a ${language} version`, "language");
        }
      }
      await checkCollection(trx, workspaceId, collectionId);
      const slug = await freeSlug(
        trx,
        workspaceId,
        language,
        input.slug ?? slugify(title),
        input.slug !== undefined,
      );
      await claimSlug(trx, workspaceId, language, slug);
      const now = ctx.now();
      const created = await trx
        .insertInto("help_articles")
        .values({
          workspace_id: workspaceId,
          translation_group_id: groupId,
          language,
          collection_id: collectionId,
          slug,
          title,
          body_markdown: input.body_markdown,
          ...derived(title, input.body_markdown),
          status,
          position: input.position ?? 0,
          published_at: status === "published" ? now : null,
          created_by: principal.agentId,
          updated_by: principal.agentId,
          updated_at: now,
        })
        .returning([...columns, "updated_by"])
        .executeTakeFirstOrThrow();
      await writeRevision(trx, workspaceId, principal, created);
      await indexWords(trx, workspaceId, `${title}\n${created.body_markdown}`);
      await recordAudit(trx, principal, {
        action: "help_article.created",
        targetType: "help_article",
        targetId: created.id,
        data: { title, language, status },
      });
      return created;
    })
    .catch(uniqueToConflict);
  await announceChange(ctx, workspaceId, { article_id: row.id });
  return present(ctx, workspaceId, row);
}

function uniqueToConflict(error: unknown): never {
  if (isDatabaseError(error, PG_UNIQUE_VIOLATION)) {
    const constraint = String((error as { constraint?: string }).constraint ?? "");
    if (constraint.includes("translation")) {
      throw conflict("translation_exists", "This article already has a version in this language", "language");
    }
    throw conflict("slug_taken", "Another article in this language already uses this slug", "slug");
  }
  throw error;
}

/** The refusal of a save that started from an older version: nobody's work is overwritten. */
function editConflict(current: ArticleRow, base: number): Problem {
  return new Problem(
    409,
    "edit_conflict",
    `Someone else saved this article since you opened it (you edited version ${base}, it is now at version ${current.version}). Reload it, then apply your changes again.`,
    { field: "version", extra: { current_version: current.version, updated_at: current.updated_at } },
  );
}

export async function updateArticle(
  ctx: AppContext,
  principal: Principal,
  id: string,
  input: UpdateArticleInput,
) {
  const workspaceId = principal.workspaceId;
  const row = await ctx.db
    .transaction()
    .execute(async (trx) => {
      const current = await loadArticle(trx, workspaceId, id, true);
      if (current.version !== input.version) throw editConflict(current, input.version);
      const title = input.title === undefined ? current.title : input.title.trim();
      if (!title) throw invalid("title", "An article needs a title");
      const markdown = input.body_markdown ?? current.body_markdown;
      if (input.collection_id !== undefined) await checkCollection(trx, workspaceId, input.collection_id);
      const slug = input.slug ?? current.slug;
      if (slug !== current.slug) {
        await freeSlug(trx, workspaceId, current.language, slug, true);
        await claimSlug(trx, workspaceId, current.language, slug);
        // The old address keeps working: it redirects to the new one.
        await trx
          .insertInto("help_article_slugs")
          .values({
            workspace_id: workspaceId,
            language: current.language,
            slug: current.slug,
            article_id: id,
          })
          .onConflict((oc) =>
            oc.columns(["workspace_id", "language", "slug"]).doUpdateSet({ article_id: id }),
          )
          .execute();
      }
      const status = input.status ?? current.status;
      const now = ctx.now();
      const updated = await trx
        .updateTable("help_articles")
        .set({
          title,
          slug,
          body_markdown: markdown,
          ...derived(title, markdown),
          status,
          collection_id: input.collection_id === undefined ? current.collection_id : input.collection_id,
          position: input.position ?? current.position,
          published_at: status === "published" ? (current.published_at ?? now) : current.published_at,
          version: current.version + 1,
          updated_by: principal.agentId,
          updated_at: now,
        })
        .where("workspace_id", "=", workspaceId)
        .where("id", "=", id)
        .returning([...columns, "updated_by"])
        .executeTakeFirstOrThrow();
      await writeRevision(trx, workspaceId, principal, updated);
      if (markdown !== current.body_markdown || title !== current.title) {
        await indexWords(trx, workspaceId, `${title}\n${markdown}`);
      }
      await recordAudit(trx, principal, {
        action: "help_article.updated",
        targetType: "help_article",
        targetId: id,
        data: {
          version: updated.version,
          status,
          ...(slug !== current.slug ? { slug: { from: current.slug, to: slug } } : {}),
        },
      });
      return updated;
    })
    .catch(uniqueToConflict);
  await announceChange(ctx, workspaceId, { article_id: id });
  return present(ctx, workspaceId, row);
}

export async function deleteArticle(ctx: AppContext, principal: Principal, id: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const deleted = await trx
      .deleteFrom("help_articles")
      .where("workspace_id", "=", principal.workspaceId)
      .where("id", "=", id)
      .returning(["title", "language"])
      .executeTakeFirst();
    if (!deleted) throw notFound("Article");
    await recordAudit(trx, principal, {
      action: "help_article.deleted",
      targetType: "help_article",
      targetId: id,
      data: deleted,
    });
  });
  await announceChange(ctx, principal.workspaceId, { article_id: id });
}

export async function listRevisions(ctx: AppContext, principal: Principal, id: string) {
  await loadArticle(ctx.db, principal.workspaceId, id);
  const data = await ctx.db
    .selectFrom("help_article_revisions")
    .select([
      "id",
      "version",
      "title",
      "slug",
      "body_markdown",
      "status",
      "collection_id",
      "created_by",
      "created_at",
    ])
    .where("workspace_id", "=", principal.workspaceId)
    .where("article_id", "=", id)
    .orderBy("version", "desc")
    .limit(200)
    .execute();
  return { data };
}

/** Brings back an earlier revision's title, slug and text as a new version (history is never rewritten). */
export async function restoreRevision(
  ctx: AppContext,
  principal: Principal,
  id: string,
  revisionId: string,
  currentVersion: number,
) {
  const revision = await ctx.db
    .selectFrom("help_article_revisions")
    .select(["title", "slug", "body_markdown", "collection_id"])
    .where("workspace_id", "=", principal.workspaceId)
    .where("article_id", "=", id)
    .where("id", "=", revisionId)
    .executeTakeFirst();
  if (!revision) throw notFound("Revision");
  const collectionStillThere = revision.collection_id
    ? await ctx.db
        .selectFrom("help_collections")
        .select("id")
        .where("workspace_id", "=", principal.workspaceId)
        .where("id", "=", revision.collection_id)
        .executeTakeFirst()
    : undefined;
  return updateArticle(ctx, principal, id, {
    version: currentVersion,
    title: revision.title,
    slug: revision.slug,
    body_markdown: revision.body_markdown,
    ...(collectionStillThere ? { collection_id: revision.collection_id } : {}),
  });
}

/** Renders Markdown exactly as the public help center will (for the editor's live preview). */
export function previewMarkdown(markdown: string) {
  return { body_html: renderMarkdown(markdown) };
}
