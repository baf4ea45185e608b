import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../../context.ts";
import { billingConnected, requestPauseLinkByEmail } from "../billing/pause-by-email.ts";
import { inboxAddresses } from "../inboxes/service.ts";
import { findWorkspaceById, findWorkspaceBySlug } from "../workspaces/service.ts";
import { type CachedPage, helpCache } from "./cache.ts";
import { isLanguageTag, negotiate, textFor } from "./i18n.ts";
import {
  articleMain,
  type CollectionCard,
  collectionMain,
  commentThanksMain,
  type Frame,
  homeMain,
  layout,
  notFoundMain,
  type PageMeta,
  pagePolicy,
  searchMain,
  sitemap,
  subscriptionMain,
} from "./pages.ts";
import {
  allCollections,
  articleIdBySlug,
  publishedArticle,
  publishedArticleTitles,
  publishedLanguages,
  publishedTranslations,
  renamedSlug,
  sitemapArticles,
} from "./public-queries.ts";
import { addFeedbackComment, countView, recordFeedback } from "./reports.ts";
import { logSearch, searchArticles } from "./search.ts";
import { type HelpSettings, helpSettingsOf, workspaceOfDomain } from "./settings.ts";

/*
 * The public help center, outside /api/v1: /help/<workspace>/… on Keepwell's own address, and the
 * same pages at the root of a custom domain (recognised by the Host header). Pages need no account,
 * set no cookie and run no script. GET pages are cached per instance (see cache.ts).
 */

interface Site {
  workspaceId: string;
  workspaceName: string;
  settings: HelpSettings;
  base: string;
  absoluteBase: string;
  languages: string[];
  /** Billing is connected: the pages offer "cancel or pause your subscription". */
  billing: boolean;
}

interface Request {
  method: "GET" | "POST";
  segments: string[];
  query: Record<string, string>;
  form: Record<string, string>;
  acceptLanguage: string | undefined;
  /** The client's IP address, for the limits on forms that send mail. */
  requester: string;
}

type Response = CachedPage & { cacheable: boolean };

const FORM_LIMIT = 16 * 1024;

export async function helpCenterSiteRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  installCustomDomains(app, ctx);
  await app.register(async (site) => {
    site.addContentTypeParser(
      "application/x-www-form-urlencoded",
      { parseAs: "string", bodyLimit: FORM_LIMIT },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    // A form the framework refuses (too large, another content type) gets a page, not problem+json.
    site.setErrorHandler((error: { statusCode?: number }, _request, reply) => {
      const status = error.statusCode ?? 500;
      if (status < 400 || status >= 500) throw error;
      return reply
        .status(status)
        .header("cache-control", "no-store")
        .header("content-security-policy", "default-src 'none'")
        .type("text/html; charset=utf-8")
        .send(
          `<!doctype html><title>The form could not be read</title><p>The form could not be read (${status === 413 ? "it is too large" : "it was not sent as a web form"}). Go back and try again.</p>`,
        );
    });
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const { workspace } = request.params as { workspace: string };
      const rest = ((request.params as { "*"?: string })["*"] ?? "").split("/");
      const found = await helpCache(ctx).workspaceBySlug(workspace, () =>
        findWorkspaceBySlug(ctx.db, workspace),
      );
      const origin = new URL(ctx.config.baseUrl).origin;
      const base = `/help/${encodeURIComponent(workspace)}`;
      return respond(
        ctx,
        request,
        reply,
        found && { id: found.id, name: found.name },
        base,
        origin + base,
        rest,
      );
    };
    const options = { schema: { hide: true }, bodyLimit: FORM_LIMIT };
    site.get("/help/:workspace", options, handler);
    site.get("/help/:workspace/*", options, handler);
    site.post("/help/:workspace/*", options, handler);
  });
}

/**
 * Requests whose Host is a help center's custom domain are answered here, before any route: the
 * agent app's catch-all must not see them. Keepwell's own host, and the API, pass straight through.
 */
function installCustomDomains(app: FastifyInstance, ctx: AppContext): void {
  const ownHost = new URL(ctx.config.baseUrl).hostname.toLowerCase();
  app.addHook("onRequest", async (request, reply) => {
    const host = hostOf(request);
    if (!host || host === ownHost || host === "localhost" || /^[\d.]+$|^\[/.test(host)) return;
    const path = request.url.split("?")[0];
    if (path.startsWith("/api/") || path === "/healthz" || path === "/readyz") return;
    if (request.method !== "GET" && request.method !== "HEAD" && request.method !== "POST") return;
    const cache = helpCache(ctx);
    const now = Date.now();
    let workspaceId = cache.domain(host, now);
    if (workspaceId === undefined) {
      workspaceId = (await workspaceOfDomain(ctx.db, host)) ?? null;
      cache.rememberDomain(host, workspaceId, now);
    }
    if (!workspaceId) return;
    const id = workspaceId;
    const workspace = await cache.workspaceBySlug(`id:${id}`, () => findWorkspaceById(ctx.db, id));
    if (!workspace) return;
    if (request.method === "POST") {
      (request as { body?: unknown }).body = await readForm(request);
    }
    const protocol = new URL(ctx.config.baseUrl).protocol;
    await respond(ctx, request, reply, workspace, "", `${protocol}//${host}`, path.split("/"));
    return reply;
  });
}

function hostOf(request: FastifyRequest): string | undefined {
  const raw = request.host;
  if (!raw) return undefined;
  return raw.replace(/:\d+$/, "").toLowerCase();
}

async function readForm(request: FastifyRequest): Promise<Record<string, string>> {
  if (!/application\/x-www-form-urlencoded/.test(request.headers["content-type"] ?? "")) return {};
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request.raw) {
    size += chunk.length;
    if (size > FORM_LIMIT) return {};
    chunks.push(chunk as Buffer);
  }
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
}

async function respond(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  workspace: { id: string; name: string } | undefined,
  base: string,
  absoluteBase: string,
  rawSegments: string[],
) {
  if (!workspace) return sendPlainNotFound(reply);
  const segments = rawSegments.filter(Boolean).map(safeDecode);
  const query = Object.fromEntries(
    Object.entries((request.query ?? {}) as Record<string, unknown>).filter(([, v]) => typeof v === "string"),
  ) as Record<string, string>;
  const method = request.method === "POST" ? "POST" : "GET";
  const cacheKey = `${base} ${segments.join("/")}`;
  const cache = helpCache(ctx);
  const cacheable = method === "GET" && segments[1] !== "search";
  if (cacheable) {
    const hit = cache.get(workspace.id, cacheKey, Date.now());
    if (hit) return send(ctx, request, reply, workspace.id, hit);
  }
  const settings = await cache.memo(workspace.id, "settings", () => helpSettingsOf(ctx.db, workspace.id));
  if (!settings.enabled) return sendPlainNotFound(reply);
  const published = await cache.memo(workspace.id, "languages", () =>
    publishedLanguages(ctx.db, workspace.id),
  );
  const languages = [...new Set([settings.default_language, ...published])].sort();
  const billing = await cache.memo(workspace.id, "billing", () => billingConnected(ctx, workspace.id));
  const site: Site = {
    workspaceId: workspace.id,
    workspaceName: workspace.name,
    settings,
    base,
    absoluteBase,
    languages,
    billing,
  };
  const form = (request.body && typeof request.body === "object" ? request.body : {}) as Record<
    string,
    string
  >;
  const response = await route(ctx, site, {
    method,
    segments,
    query,
    form,
    acceptLanguage: request.headers["accept-language"],
    requester: request.ip,
  });
  if (response.cacheable) {
    response.bytes = Buffer.from(response.body);
    cache.set(workspace.id, cacheKey, response, Date.now());
  }
  return send(ctx, request, reply, workspace.id, response);
}

function collectionsOf(ctx: AppContext, site: Site) {
  return helpCache(ctx).memo(site.workspaceId, "collections", () => allCollections(ctx.db, site.workspaceId));
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment).normalize("NFC");
  } catch {
    return segment;
  }
}

async function route(ctx: AppContext, site: Site, request: Request): Promise<Response> {
  const [language, kind, slug, action] = request.segments;
  if (!language) {
    const best = negotiate(request.acceptLanguage, site.languages, site.settings.default_language);
    return redirect(`${site.base}/${best}`, 302, false);
  }
  if (request.segments.length === 1 && language === "sitemap.xml") return sitemapPage(ctx, site);
  if (request.segments.length === 1 && language === "robots.txt") {
    return text(
      `User-agent: *\nAllow: /\nSitemap: ${site.absoluteBase}/sitemap.xml\n`,
      "text/plain; charset=utf-8",
    );
  }
  const lang = language.toLowerCase();
  if (!isLanguageTag(language) || !site.languages.includes(lang)) {
    return notFound(ctx, site, site.settings.default_language);
  }
  if (lang !== language)
    return redirect(
      `${site.base}/${[lang, ...request.segments.slice(1)].map(encodeURIComponent).join("/")}`,
      301,
      true,
    );
  if (request.method === "POST") {
    if (kind === "articles" && slug && action === "feedback" && request.segments.length === 4) {
      return feedback(ctx, site, lang, slug, request.form);
    }
    if (kind === "articles" && slug && action === "feedback" && request.segments[4] === "comment") {
      return feedbackComment(ctx, site, lang, slug, request.form);
    }
    if (kind === "subscription" && request.segments.length === 2) {
      return subscriptionRequest(ctx, site, lang, request);
    }
    return notFound(ctx, site, lang);
  }
  if (request.segments.length === 1) return homePage(ctx, site, lang);
  if (kind === "search" && request.segments.length === 2)
    return searchPage(ctx, site, lang, request.query.q ?? "");
  if (kind === "articles" && slug && request.segments.length === 3) return articlePage(ctx, site, lang, slug);
  if (kind === "collections" && slug && request.segments.length === 3)
    return collectionPage(ctx, site, lang, slug);
  if (kind === "subscription" && request.segments.length === 2) return subscriptionPage(ctx, site, lang);
  return notFound(ctx, site, lang);
}

function frameFor(site: Site, language: string, pathAfterLanguage: string): Frame {
  return {
    base: site.base,
    absoluteBase: site.absoluteBase,
    workspaceName: site.workspaceName,
    title: site.settings.title ?? site.workspaceName,
    color: site.settings.color,
    logoUrl: site.settings.logo_url,
    language,
    languages: site.languages.map((code) => ({ code, url: `${site.base}/${code}${pathAfterLanguage}` })),
    channels: {
      chatUrl: site.settings.chat_url,
      email: site.settings.contact_email,
      callbackUrl: site.settings.callback_url,
    },
    subscriptionUrl: site.billing ? `${site.base}/${language}/subscription` : null,
  };
}

/** When no human channel is configured, the workspace's email inbox still gives a way to a person. */
async function withFallbackChannel(ctx: AppContext, site: Site, frame: Frame): Promise<Frame> {
  const { chatUrl, email, callbackUrl } = frame.channels;
  if (chatUrl || email || callbackUrl) return frame;
  const addresses = await helpCache(ctx).memo(site.workspaceId, "addresses", async () => [
    ...(await inboxAddresses(ctx.db, site.workspaceId)),
  ]);
  const [address] = [...addresses].sort();
  return { ...frame, channels: { ...frame.channels, email: address ?? null } };
}

function html(
  frame: Frame,
  meta: PageMeta,
  main: string,
  options: {
    status?: number;
    cacheable?: boolean;
    query?: string;
    emphasizeTalk?: boolean;
    articleId?: string;
  } = {},
): Response {
  const body = layout(frame, meta, main, options);
  return {
    status: options.status ?? 200,
    body,
    contentType: "text/html; charset=utf-8",
    etag: etagOf(body),
    cacheable: options.cacheable ?? true,
    articleId: options.articleId,
    policy: pagePolicy(frame.color),
  };
}

function text(body: string, contentType: string): Response {
  return { status: 200, body, contentType, etag: etagOf(body), cacheable: true };
}

function redirect(location: string, status: 301 | 302, cacheable: boolean): Response {
  return { status, body: "", contentType: "text/plain; charset=utf-8", etag: "", location, cacheable };
}

const etagOf = (body: string) => `"${createHash("sha1").update(body).digest("base64url")}"`;

function collectionName(
  collection: {
    name: string;
    description: string | null;
    translations: Record<string, { name: string; description?: string | null }>;
  },
  language: string,
) {
  const translated = collection.translations?.[language];
  return {
    name: translated?.name ?? collection.name,
    description: translated ? (translated.description ?? null) : collection.description,
  };
}

async function homePage(ctx: AppContext, site: Site, lang: string): Promise<Response> {
  const frame = await withFallbackChannel(ctx, site, frameFor(site, lang, ""));
  const [collections, articles] = await Promise.all([
    collectionsOf(ctx, site),
    publishedArticleTitles(ctx.db, site.workspaceId, lang),
  ]);
  const parentOf = new Map(collections.map((c) => [c.id, c.parent_id]));
  const counts = new Map<string, number>();
  for (const article of articles) {
    if (!article.collection_id) continue;
    const top = parentOf.get(article.collection_id) ?? article.collection_id;
    counts.set(top, (counts.get(top) ?? 0) + 1);
  }
  const cards: CollectionCard[] = collections
    .filter((c) => !c.parent_id && (counts.get(c.id) ?? 0) > 0)
    .map((c) => ({ slug: c.slug, ...collectionName(c, lang), articleCount: counts.get(c.id) ?? 0 }));
  const loose = articles.filter((a) => !a.collection_id || !parentOf.has(a.collection_id));
  const meta: PageMeta = {
    title: frame.title,
    description: `${frame.title}: ${cards.map((c) => c.name).join(", ")}`.slice(0, 160),
    canonicalPath: `/${lang}`,
    alternates: site.languages.map((code) => ({ code, path: `/${code}` })),
  };
  return html(frame, meta, homeMain(frame, cards, loose));
}

async function collectionPage(ctx: AppContext, site: Site, lang: string, slug: string): Promise<Response> {
  const collections = await collectionsOf(ctx, site);
  const collection = collections.find((c) => c.slug === slug);
  if (!collection) return notFound(ctx, site, lang);
  const path = `/collections/${encodeURIComponent(slug)}`;
  const frame = await withFallbackChannel(ctx, site, frameFor(site, lang, path));
  const articles = await publishedArticleTitles(ctx.db, site.workspaceId, lang);
  const sections = collections
    .filter((c) => c.parent_id === collection.id)
    .map((section) => ({
      name: collectionName(section, lang).name,
      articles: articles.filter((a) => a.collection_id === section.id),
    }))
    .filter((section) => section.articles.length > 0);
  const own = articles.filter((a) => a.collection_id === collection.id);
  const named = collectionName(collection, lang);
  const meta: PageMeta = {
    title: `${named.name} · ${frame.title}`,
    description: (named.description ?? named.name).slice(0, 160),
    canonicalPath: `/${lang}${path}`,
    alternates: site.languages.map((code) => ({ code, path: `/${code}${path}` })),
  };
  return html(frame, meta, collectionMain(frame, named, sections, own));
}

async function articlePage(
  ctx: AppContext,
  site: Site,
  lang: string,
  slug: string,
  vote: "none" | "yes" | "no" = "none",
): Promise<Response> {
  const article = await publishedArticle(ctx.db, site.workspaceId, lang, slug);
  if (!article) {
    const renamed = await renamedSlug(ctx.db, site.workspaceId, lang, slug);
    if (renamed)
      return redirect(
        `${site.base}/${renamed.language}/articles/${encodeURIComponent(renamed.slug)}`,
        301,
        true,
      );
    return notFound(ctx, site, lang);
  }
  const translations = await publishedTranslations(ctx.db, site.workspaceId, article.translation_group_id);
  const frame = await withFallbackChannel(ctx, site, {
    ...frameFor(site, lang, ""),
    // On an article, each language links to that language's version of it (when there is one).
    languages: translations.map((t) => ({
      code: t.language,
      url: `${site.base}/${t.language}/articles/${encodeURIComponent(t.slug)}`,
    })),
  });
  const collections = article.collection_id ? await collectionsOf(ctx, site) : [];
  const collection = collections.find((c) => c.id === article.collection_id);
  const top = collection?.parent_id ? collections.find((c) => c.id === collection.parent_id) : collection;
  const path = `/${lang}/articles/${encodeURIComponent(article.slug)}`;
  const meta: PageMeta = {
    title: `${article.title} · ${frame.title}`,
    description: article.body_text.replace(/\s+/g, " ").slice(0, 160),
    canonicalPath: path,
    alternates: translations.map((t) => ({
      code: t.language,
      path: `/${t.language}/articles/${encodeURIComponent(t.slug)}`,
    })),
    type: "article",
  };
  const main = articleMain(
    frame,
    {
      slug: article.slug,
      title: article.title,
      bodyHtml: article.body_html,
      updatedAt: new Date(article.updated_at),
      collection: top ? { slug: top.slug, name: collectionName(top, lang).name } : null,
    },
    vote,
  );
  return html(frame, meta, main, {
    articleId: article.id,
    cacheable: vote === "none",
    emphasizeTalk: vote === "no",
  });
}

async function searchPage(ctx: AppContext, site: Site, lang: string, rawQuery: string): Promise<Response> {
  const query = rawQuery.slice(0, 200).trim();
  const frame = await withFallbackChannel(
    ctx,
    site,
    frameFor(site, lang, `/search?q=${encodeURIComponent(query)}`),
  );
  let hits: Awaited<ReturnType<typeof searchArticles>> = [];
  if (query) {
    const options = { workspaceId: site.workspaceId, query, publishedOnly: true, limit: 20 };
    hits = await searchArticles(ctx.db, { ...options, language: lang });
    // Nothing in the reader's language: an answer in another one beats none.
    if (hits.length === 0) hits = await searchArticles(ctx.db, options);
    await logSearch(ctx.db, {
      workspaceId: site.workspaceId,
      query,
      language: lang,
      results: hits.length,
      source: "help_center",
    });
  }
  const meta: PageMeta = {
    title: `${query || "Search"} · ${frame.title}`,
    description: frame.title,
    canonicalPath: `/${lang}/search`,
    noindex: true,
  };
  return html(frame, meta, searchMain(frame, query, hits), {
    cacheable: false,
    query,
    emphasizeTalk: hits.length === 0,
  });
}

async function feedback(
  ctx: AppContext,
  site: Site,
  lang: string,
  slug: string,
  form: Record<string, string>,
): Promise<Response> {
  const articleId = await articleIdBySlug(ctx.db, site.workspaceId, lang, slug);
  if (!articleId) return notFound(ctx, site, lang);
  const helpful = form.helpful === "yes" ? true : form.helpful === "no" ? false : undefined;
  if (helpful === undefined)
    return articlePage(ctx, site, lang, slug).then((page) => ({ ...page, status: 400, cacheable: false }));
  await recordFeedback(ctx, {
    workspaceId: site.workspaceId,
    articleId,
    helpful,
    comment: form.comment ?? null,
    language: lang,
  });
  const page = await articlePage(ctx, site, lang, slug, helpful ? "yes" : "no");
  return { ...page, articleId: undefined, cacheable: false };
}

async function feedbackComment(
  ctx: AppContext,
  site: Site,
  lang: string,
  slug: string,
  form: Record<string, string>,
): Promise<Response> {
  const articleId = await articleIdBySlug(ctx.db, site.workspaceId, lang, slug);
  if (!articleId) return notFound(ctx, site, lang);
  await addFeedbackComment(ctx, {
    workspaceId: site.workspaceId,
    articleId,
    comment: form.comment ?? "",
    language: lang,
  });
  const frame = await withFallbackChannel(ctx, site, frameFor(site, lang, ""));
  const meta: PageMeta = {
    title: frame.title,
    description: frame.title,
    canonicalPath: `/${lang}`,
    noindex: true,
  };
  return html(frame, meta, commentThanksMain(frame, slug), { cacheable: false, emphasizeTalk: true });
}

const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>".]+$/;

async function subscriptionPage(
  ctx: AppContext,
  site: Site,
  lang: string,
  state: Parameters<typeof subscriptionMain>[1] = { kind: "form" },
  status = 200,
): Promise<Response> {
  if (!site.billing) return notFound(ctx, site, lang);
  const frame = await withFallbackChannel(ctx, site, frameFor(site, lang, "/subscription"));
  const t = textFor(lang);
  const meta: PageMeta = {
    title: `${t.subscriptionLink} · ${frame.title}`,
    description: t.subscriptionIntro,
    canonicalPath: `/${lang}/subscription`,
    noindex: true,
  };
  return html(frame, meta, subscriptionMain(frame, state), { status, cacheable: state.kind === "form" });
}

/**
 * Emails a pause link when the address is a subscribed customer's (billing decides, in a job); the
 * answer is the same for any well-formed address, so the page tells no one who is a customer.
 */
async function subscriptionRequest(
  ctx: AppContext,
  site: Site,
  lang: string,
  request: Request,
): Promise<Response> {
  if (!site.billing) return notFound(ctx, site, lang);
  const email = String(request.form.email ?? "").trim();
  if (email.length > 320 || !EMAIL.test(email))
    return subscriptionPage(ctx, site, lang, { kind: "invalid", email: email.slice(0, 320) }, 400);
  const asked = await requestPauseLinkByEmail(ctx, {
    workspaceId: site.workspaceId,
    email,
    language: lang,
    requester: request.requester,
  });
  if (!asked.accepted) return subscriptionPage(ctx, site, lang, { kind: "limited" }, 429);
  return subscriptionPage(ctx, site, lang, { kind: "sent" });
}

async function sitemapPage(ctx: AppContext, site: Site): Promise<Response> {
  const [articles, collections] = await Promise.all([
    sitemapArticles(ctx.db, site.workspaceId),
    collectionsOf(ctx, site),
  ]);
  const urls = [
    ...site.languages.map((code) => ({ loc: `${site.absoluteBase}/${code}` })),
    ...site.languages.flatMap((code) =>
      collections
        .filter((c) => !c.parent_id)
        .map((c) => ({
          loc: `${site.absoluteBase}/${code}/collections/${encodeURIComponent(c.slug)}`,
          lastmod: new Date(c.updated_at),
        })),
    ),
    ...articles.map((a) => ({
      loc: `${site.absoluteBase}/${a.language}/articles/${encodeURIComponent(a.slug)}`,
      lastmod: new Date(a.updated_at),
    })),
  ];
  return text(sitemap(urls), "application/xml; charset=utf-8");
}

async function notFound(ctx: AppContext, site: Site, lang: string): Promise<Response> {
  const frame = await withFallbackChannel(ctx, site, frameFor(site, lang, ""));
  const meta: PageMeta = {
    title: frame.title,
    description: frame.title,
    canonicalPath: `/${lang}`,
    noindex: true,
  };
  return html(frame, meta, notFoundMain(frame), { status: 404, emphasizeTalk: true });
}

function send(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  workspaceId: string,
  page: CachedPage & { cacheable?: boolean },
) {
  if (page.articleId && page.status === 200 && request.method === "GET")
    countView(ctx, workspaceId, page.articleId);
  reply
    .status(page.status)
    .header("x-content-type-options", "nosniff")
    .header("referrer-policy", "strict-origin-when-cross-origin");
  if (page.policy) reply.header("content-security-policy", page.policy);
  if (page.location)
    return reply.header("location", page.location).header("cache-control", "public, max-age=300").send("");
  const fresh = request.method === "GET" && page.status === 200 && page.cacheable !== false;
  reply.header("cache-control", fresh ? "public, max-age=60" : "no-store");
  if (fresh && page.etag) {
    reply.header("etag", page.etag);
    if (request.headers["if-none-match"] === page.etag) return reply.status(304).send("");
  }
  return reply.type(page.contentType).send(page.bytes ?? page.body);
}

function sendPlainNotFound(reply: FastifyReply) {
  return reply
    .status(404)
    .header("cache-control", "no-store")
    .header("content-security-policy", "default-src 'none'")
    .type("text/html; charset=utf-8")
    .send("<!doctype html><title>Not found</title><p>There is no help center here.</p>");
}
