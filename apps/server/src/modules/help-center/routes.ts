import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { errorResponses, IdParams, Page } from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import type { HelpArticleStatus } from "../../db/schema.ts";
import { principalOf } from "../access/authenticate.ts";
import {
  type CreateArticleInput,
  createArticle,
  deleteArticle,
  listArticles,
  listRevisions,
  previewMarkdown,
  restoreRevision,
  showArticle,
  type UpdateArticleInput,
  updateArticle,
} from "./articles.ts";
import {
  type CreateCollectionInput,
  createCollection,
  deleteCollection,
  listCollections,
  type UpdateCollectionInput,
  updateCollection,
} from "./collections.ts";
import { helpReport } from "./reports.ts";
import {
  ArticleListQuery,
  CreateArticleBody,
  CreateCollectionBody,
  HelpArticle,
  HelpArticleSummary,
  HelpCenterSettings,
  HelpCollection,
  HelpReport,
  HelpRevision,
  PreviewBody,
  ReportQuery,
  RestoreBody,
  RevisionParams,
  SearchQuery,
  SearchResult,
  UpdateArticleBody,
  UpdateCollectionBody,
  UpdateHelpCenterSettingsBody,
} from "./schemas.ts";
import { agentSearch } from "./service.ts";
import { type HelpSettingsInput, saveHelpSettings, showHelpSettings } from "./settings.ts";

const tags = ["help center"];
const conflictResponse = { 409: { $ref: "Problem#" } } as const;
type Id = { Params: { id: string } };

/** The help center's API for the agent app and scripts: articles, collections, settings, search, reports. */
export async function helpCenterRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get(
    "/help-center/settings",
    {
      config: { permission: "help_center:read" },
      schema: {
        tags,
        summary: "The help center's settings and public address",
        response: { 200: HelpCenterSettings, ...errorResponses },
      },
    },
    async (request) => showHelpSettings(ctx, principalOf(request)),
  );

  app.put<{ Body: HelpSettingsInput }>(
    "/help-center/settings",
    {
      config: { permission: "help_center:manage" },
      schema: {
        tags,
        summary: "Publish or hide the help center; set its title, colour, logo, domain and human channels",
        body: UpdateHelpCenterSettingsBody,
        response: { 200: HelpCenterSettings, ...conflictResponse, ...errorResponses },
      },
    },
    async (request) => saveHelpSettings(ctx, principalOf(request), request.body),
  );

  app.get(
    "/help-center/collections",
    {
      config: { permission: "help_center:read" },
      schema: {
        tags,
        summary: "Collections and their sections, in order",
        response: { 200: Type.Object({ data: Type.Array(HelpCollection) }), ...errorResponses },
      },
    },
    async (request) => ({ data: await listCollections(ctx.db, principalOf(request).workspaceId) }),
  );

  app.post<{ Body: CreateCollectionInput }>(
    "/help-center/collections",
    {
      config: { permission: "help_center:write" },
      schema: {
        tags,
        summary: "Create a collection, or a section of one (parent_id)",
        body: CreateCollectionBody,
        response: { 201: HelpCollection, ...conflictResponse, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createCollection(ctx, principalOf(request), request.body)),
  );

  app.patch<Id & { Body: UpdateCollectionInput }>(
    "/help-center/collections/:id",
    {
      config: { permission: "help_center:write" },
      schema: {
        tags,
        summary: "Rename, move or translate a collection",
        params: IdParams,
        body: UpdateCollectionBody,
        response: { 200: HelpCollection, ...conflictResponse, ...errorResponses },
      },
    },
    async (request) => updateCollection(ctx, principalOf(request), request.params.id, request.body),
  );

  app.delete<Id>(
    "/help-center/collections/:id",
    {
      config: { permission: "help_center:write" },
      schema: {
        tags,
        summary: "Delete a collection and its sections; their articles stay, outside any collection",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await deleteCollection(ctx, principalOf(request), request.params.id);
      return reply.status(204).send();
    },
  );

  app.get<{
    Querystring: {
      cursor?: string;
      limit?: number;
      language?: string;
      collection_id?: string;
      status?: HelpArticleStatus;
    };
  }>(
    "/help-center/articles",
    {
      config: { permission: "help_center:read" },
      schema: {
        tags,
        summary: "Articles, most recently changed first",
        querystring: ArticleListQuery,
        response: { 200: Page(HelpArticleSummary), ...errorResponses },
      },
    },
    async (request) => listArticles(ctx, principalOf(request), request.query),
  );

  app.post<{ Body: CreateArticleInput }>(
    "/help-center/articles",
    {
      config: { permission: "help_center:write" },
      schema: {
        tags,
        summary:
          "Write an article (a draft unless status is published), or a translation of one (translation_of)",
        body: CreateArticleBody,
        response: { 201: HelpArticle, ...conflictResponse, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createArticle(ctx, principalOf(request), request.body)),
  );

  app.get<Id>(
    "/help-center/articles/:id",
    {
      config: { permission: "help_center:read" },
      schema: {
        tags,
        summary: "One article with its Markdown, rendered HTML and translations",
        params: IdParams,
        response: { 200: HelpArticle, ...errorResponses },
      },
    },
    async (request) => showArticle(ctx, principalOf(request), request.params.id),
  );

  app.patch<Id & { Body: UpdateArticleInput }>(
    "/help-center/articles/:id",
    {
      config: { permission: "help_center:write" },
      schema: {
        tags,
        summary: "Save an edit; refused with 409 edit_conflict when someone saved a newer version meanwhile",
        params: IdParams,
        body: UpdateArticleBody,
        response: { 200: HelpArticle, ...conflictResponse, ...errorResponses },
      },
    },
    async (request) => updateArticle(ctx, principalOf(request), request.params.id, request.body),
  );

  app.delete<Id>(
    "/help-center/articles/:id",
    {
      config: { permission: "help_center:write" },
      schema: {
        tags,
        summary: "Delete an article and its history",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await deleteArticle(ctx, principalOf(request), request.params.id);
      return reply.status(204).send();
    },
  );

  app.get<Id>(
    "/help-center/articles/:id/revisions",
    {
      config: { permission: "help_center:read" },
      schema: {
        tags,
        summary: "Every saved version of an article, newest first",
        params: IdParams,
        response: { 200: Type.Object({ data: Type.Array(HelpRevision) }), ...errorResponses },
      },
    },
    async (request) => listRevisions(ctx, principalOf(request), request.params.id),
  );

  app.post<{ Params: { id: string; revisionId: string }; Body: { version: number } }>(
    "/help-center/articles/:id/revisions/:revisionId/restore",
    {
      config: { permission: "help_center:write" },
      schema: {
        tags,
        summary: "Bring back an earlier version's title, slug and text, saved as a new version",
        params: RevisionParams,
        body: RestoreBody,
        response: { 200: HelpArticle, ...conflictResponse, ...errorResponses },
      },
    },
    async (request) =>
      restoreRevision(
        ctx,
        principalOf(request),
        request.params.id,
        request.params.revisionId,
        request.body.version,
      ),
  );

  app.post<{ Body: { body_markdown: string } }>(
    "/help-center/preview",
    {
      config: { permission: "help_center:read" },
      schema: {
        tags,
        summary: "Render Markdown exactly as the public help center will (sanitized HTML)",
        body: PreviewBody,
        response: { 200: Type.Object({ body_html: Type.String() }), ...errorResponses },
      },
    },
    async (request) => previewMarkdown(request.body.body_markdown),
  );

  app.get<{ Querystring: { q: string; language?: string; include_drafts?: boolean; limit?: number } }>(
    "/help-center/search",
    {
      config: { permission: "help_center:read" },
      schema: {
        tags,
        summary:
          "Search articles (for the composer: link or insert one), best first, with highlighted snippets",
        querystring: SearchQuery,
        response: { 200: Type.Object({ data: Type.Array(SearchResult) }), ...errorResponses },
      },
    },
    async (request) => ({ data: await agentSearch(ctx, principalOf(request), request.query) }),
  );

  app.get<{ Querystring: { from: string; to: string } }>(
    "/help-center/reports",
    {
      config: { permission: "reports:read" },
      schema: {
        tags,
        summary: "Views and helpfulness per article, searches with no results, and readers' comments",
        querystring: ReportQuery,
        response: { 200: HelpReport, ...errorResponses },
      },
    },
    async (request) => helpReport(ctx, principalOf(request), request.query),
  );
}
