import { createHash } from "node:crypto";
import { escapeHtml } from "../email/display/document.ts";
import { fill, type HelpText, isRightToLeft, languageName, textFor } from "./i18n.ts";

/*
 * The public help center's HTML: server-rendered, no JavaScript at all, one small stylesheet inline
 * (allowed by its hash, with the workspace's colour in it), every page carrying the search box, the
 * language switcher and "Talk to us".
 */

export interface Frame {
  /** "" on a custom domain, "/help/<slug>" otherwise. */
  base: string;
  /** Absolute origin + base, for canonical links and the sitemap. */
  absoluteBase: string;
  workspaceName: string;
  title: string;
  color: string;
  logoUrl: string | null;
  language: string;
  /** The languages the reader can switch to, each with the URL of this page in it. */
  languages: { code: string; url: string }[];
  channels: Channels;
  /** The "cancel or pause your subscription" page, when the workspace has connected billing. */
  subscriptionUrl: string | null;
}

export interface Channels {
  chatUrl: string | null;
  email: string | null;
  callbackUrl: string | null;
}

export interface PageMeta {
  title: string;
  description: string;
  canonicalPath: string;
  alternates?: { code: string; path: string }[];
  noindex?: boolean;
  type?: "website" | "article";
}

const e = escapeHtml;

function stylesheet(color: string): string {
  return `*{box-sizing:border-box}
body{margin:0;background:#f8fafc;color:#0f172a;font:17px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Bengali","Noto Sans Tamil","Noto Sans Devanagari",sans-serif}
a{color:${color}}
header{background:${color};color:#fff;padding:16px 20px}
header a{color:#fff;text-decoration:none}
.bar{max-width:960px;margin:0 auto;display:flex;flex-wrap:wrap;gap:12px;align-items:center;justify-content:space-between}
.brand{display:flex;gap:10px;align-items:center;font-weight:700;font-size:20px}
.brand img{height:32px;width:auto;border-radius:4px;background:#fff}
.search{max-width:960px;margin:16px auto 0;display:flex;gap:8px}
.search input{flex:1;min-width:0;font:inherit;padding:10px 12px;border:0;border-radius:8px}
.search button,.vote button,form button{font:inherit;font-weight:600;padding:10px 16px;border:0;border-radius:8px;background:#0f172a;color:#fff;cursor:pointer}
nav.languages ul{list-style:none;display:flex;flex-wrap:wrap;gap:10px;margin:0;padding:0;font-size:15px}
nav.languages a[aria-current]{font-weight:700;text-decoration:underline}
.page{max-width:960px;margin:0 auto;padding:20px;display:grid;grid-template-columns:minmax(0,1fr) 260px;gap:28px}
@media (max-width:760px){.page{grid-template-columns:1fr}}
main{min-width:0}
h1{font-size:30px;line-height:1.25;margin:8px 0 16px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:14px;padding:0;list-style:none}
.cards li{background:#fff;border:1px solid #e2e8f0;border-radius:10px;padding:14px}
.cards a{font-weight:700;text-decoration:none}
.muted{color:#475569;font-size:15px}
.results{list-style:none;padding:0}
.results li{background:#fff;border:1px solid #e2e8f0;border-radius:10px;padding:12px 14px;margin:0 0 10px}
mark{background:#fef08a;color:inherit}
article{background:#fff;border:1px solid #e2e8f0;border-radius:10px;padding:8px 24px 20px;overflow-wrap:anywhere}
article img{max-width:100%;height:auto}
article pre{background:#0f172a;color:#e2e8f0;padding:12px;border-radius:8px;overflow:auto}
article table{border-collapse:collapse}article td,article th{border:1px solid #cbd5e1;padding:4px 8px}
aside .talk{background:#fff;border:2px solid ${color};border-radius:10px;padding:14px 16px;position:sticky;top:12px}
aside h2{font-size:19px;margin:0 0 6px}
.channels{list-style:none;padding:0;margin:10px 0 0}
.channels li{margin:6px 0}
.channels li a{display:block;padding:8px 12px;border-radius:8px;background:${color};color:#fff;text-decoration:none;font-weight:600;text-align:center}
.vote{margin-top:20px;background:#fff;border:1px solid #e2e8f0;border-radius:10px;padding:14px 16px}
.vote form{display:inline}
.vote button{margin-inline-end:8px}
textarea,.ask input{width:100%;font:inherit;padding:8px;border:1px solid #94a3b8;border-radius:8px}
.ask label{display:block;font-weight:600;margin:12px 0 4px}.ask button{margin-top:12px}
.error{color:#b91c1c;font-weight:600}
.crumbs{font-size:15px;margin:0}
footer{max-width:960px;margin:0 auto;padding:12px 20px 40px;color:#64748b;font-size:14px}`;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("base64");
const styleCache = new Map<string, { css: string; hash: string }>();

function styleFor(color: string) {
  let style = styleCache.get(color);
  if (!style) {
    const css = stylesheet(/^#[0-9a-fA-F]{6}$/.test(color) ? color : "#1d4ed8");
    style = { css, hash: sha256(css) };
    if (styleCache.size < 1000) styleCache.set(color, style);
  }
  return style;
}

/** No script at all; the one stylesheet by its hash; images from here or any https address. */
export function pagePolicy(color: string): string {
  return [
    "default-src 'none'",
    `style-src 'sha256-${styleFor(color).hash}'`,
    "img-src 'self' https:",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The ways to reach a person, as links (whichever the workspace configured). */
function channelList(frame: Frame, t: HelpText): string {
  const links: string[] = [];
  const { chatUrl, email, callbackUrl } = frame.channels;
  if (chatUrl) links.push(`<li><a href="${e(chatUrl)}" data-channel="chat">${e(t.chat)}</a></li>`);
  if (email) links.push(`<li><a href="mailto:${e(email)}" data-channel="email">${e(t.email)}</a></li>`);
  if (callbackUrl)
    links.push(`<li><a href="${e(callbackUrl)}" data-channel="callback">${e(t.callback)}</a></li>`);
  return `<ul class="channels">${links.join("")}</ul>`;
}

function talkToUs(frame: Frame, t: HelpText, emphasis = false): string {
  return `<section class="talk" id="talk-to-us" aria-labelledby="talk-title"${emphasis ? ' data-emphasis="true"' : ""}>
<h2 id="talk-title">${e(t.talkToUs)}</h2><p class="muted">${e(t.talkToUsHint)}</p>
${channelList(frame, t)}${frame.subscriptionUrl ? `<p class="muted"><a href="${e(frame.subscriptionUrl)}" data-link="subscription">${e(t.subscriptionLink)}</a></p>` : ""}</section>`;
}

function languageSwitcher(frame: Frame, t: HelpText): string {
  if (frame.languages.length < 2) return "";
  const items = frame.languages
    .map(
      (language) =>
        `<li><a href="${e(language.url)}" hreflang="${e(language.code)}" lang="${e(language.code)}"${language.code === frame.language ? ' aria-current="true"' : ""}>${e(languageName(language.code))}</a></li>`,
    )
    .join("");
  return `<nav class="languages" aria-label="${e(t.language)}"><ul>${items}</ul></nav>`;
}

/** A whole page around its main content. */
export function layout(
  frame: Frame,
  meta: PageMeta,
  main: string,
  options: { query?: string; emphasizeTalk?: boolean } = {},
) {
  const t = textFor(frame.language);
  const style = styleFor(frame.color);
  const home = `${frame.base}/${frame.language}`;
  const alternates = (meta.alternates ?? [])
    .map(
      (alt) => `<link rel="alternate" hreflang="${e(alt.code)}" href="${e(frame.absoluteBase + alt.path)}">`,
    )
    .join("");
  const logo = frame.logoUrl ? `<img src="${e(frame.logoUrl)}" alt="">` : "";
  return `<!doctype html>
<html lang="${e(frame.language)}" dir="${isRightToLeft(frame.language) ? "rtl" : "ltr"}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(meta.title)}</title>
<meta name="description" content="${e(meta.description)}">
${meta.noindex ? '<meta name="robots" content="noindex">' : `<link rel="canonical" href="${e(frame.absoluteBase + meta.canonicalPath)}">`}
${alternates}
<meta property="og:type" content="${meta.type ?? "website"}"><meta property="og:title" content="${e(meta.title)}"><meta property="og:description" content="${e(meta.description)}"><meta property="og:site_name" content="${e(frame.title)}"><meta property="og:locale" content="${e(frame.language)}">
<style>${style.css}</style></head>
<body><header><div class="bar"><a class="brand" href="${e(home)}">${logo}<span>${e(frame.title)}</span></a>${languageSwitcher(frame, t)}</div>
<form class="search" role="search" method="get" action="${e(`${home}/search`)}"><input type="search" name="q" aria-label="${e(t.searchPlaceholder)}" placeholder="${e(t.searchPlaceholder)}" value="${e(options.query ?? "")}" maxlength="200"><button type="submit">${e(t.search)}</button></form></header>
<div class="page"><main id="main">${main}</main><aside>${talkToUs(frame, t, options.emphasizeTalk)}</aside></div>
<footer>${e(frame.workspaceName)}</footer></body></html>
`;
}

export interface CollectionCard {
  slug: string;
  name: string;
  description: string | null;
  articleCount: number;
}

export function homeMain(
  frame: Frame,
  collections: CollectionCard[],
  loose: { slug: string; title: string }[],
) {
  const t = textFor(frame.language);
  const cards = collections
    .map(
      (c) =>
        `<li><a href="${e(`${frame.base}/${frame.language}/collections/${encodeURIComponent(c.slug)}`)}">${e(c.name)}</a>${c.description ? `<p class="muted">${e(c.description)}</p>` : ""}<p class="muted">${c.articleCount} ${e(t.articles)}</p></li>`,
    )
    .join("");
  return `<h1>${e(frame.title)}</h1><ul class="cards">${cards}</ul>${articleList(frame, loose)}`;
}

export function articleList(frame: Frame, articles: { slug: string; title: string }[]): string {
  if (articles.length === 0) return "";
  return `<ul class="results">${articles
    .map(
      (a) =>
        `<li><a href="${e(`${frame.base}/${frame.language}/articles/${encodeURIComponent(a.slug)}`)}">${e(a.title)}</a></li>`,
    )
    .join("")}</ul>`;
}

export function collectionMain(
  frame: Frame,
  collection: { name: string; description: string | null },
  sections: { name: string; articles: { slug: string; title: string }[] }[],
  articles: { slug: string; title: string }[],
) {
  const t = textFor(frame.language);
  return `<p class="crumbs"><a href="${e(`${frame.base}/${frame.language}`)}">${e(t.home)}</a></p>
<h1>${e(collection.name)}</h1>${collection.description ? `<p class="muted">${e(collection.description)}</p>` : ""}
${articleList(frame, articles)}${sections.map((s) => `<h2>${e(s.name)}</h2>${articleList(frame, s.articles)}`).join("")}`;
}

export interface ArticleView {
  slug: string;
  title: string;
  bodyHtml: string;
  updatedAt: Date;
  collection: { slug: string; name: string } | null;
}

export function articleMain(frame: Frame, article: ArticleView, vote: "none" | "yes" | "no" = "none") {
  const t = textFor(frame.language);
  const action = `${frame.base}/${frame.language}/articles/${encodeURIComponent(article.slug)}/feedback`;
  const crumbs = `<p class="crumbs"><a href="${e(`${frame.base}/${frame.language}`)}">${e(t.home)}</a>${
    article.collection
      ? ` › <a href="${e(`${frame.base}/${frame.language}/collections/${encodeURIComponent(article.collection.slug)}`)}">${e(article.collection.name)}</a>`
      : ""
  }</p>`;
  let voteBlock: string;
  if (vote === "yes") voteBlock = `<p role="status">${e(t.thanksYes)}</p>`;
  else if (vote === "no") {
    voteBlock = `<p role="status">${e(t.thanksNo)}</p>
${channelList(frame, t)}
<form method="post" action="${e(`${action}/comment`)}"><label for="comment">${e(t.commentLabel)}</label>
<textarea id="comment" name="comment" rows="3" maxlength="2000"></textarea><button type="submit">${e(t.send)}</button></form>`;
  } else {
    voteBlock = `<p id="vote-title">${e(t.wasHelpful)}</p>
<form method="post" action="${e(action)}"><input type="hidden" name="helpful" value="yes"><button type="submit">${e(t.yes)}</button></form>
<form method="post" action="${e(action)}"><input type="hidden" name="helpful" value="no"><button type="submit">${e(t.no)}</button></form>`;
  }
  const date = article.updatedAt.toISOString().slice(0, 10);
  return `${crumbs}<article><h1>${e(article.title)}</h1><p class="muted">${e(fill(t.updated, { date }))}</p>${article.bodyHtml}</article>
<section class="vote" aria-label="${e(t.wasHelpful)}">${voteBlock}</section>`;
}

export function searchMain(
  frame: Frame,
  query: string,
  hits: { slug: string; title: string; snippet: string; language: string }[],
) {
  const t = textFor(frame.language);
  const heading = query ? fill(t.resultsFor, { query }) : t.search;
  if (hits.length === 0) return `<h1>${e(heading)}</h1><p>${e(t.noResults)}</p>`;
  const items = hits
    .map(
      (hit) =>
        `<li><a href="${e(`${frame.base}/${hit.language}/articles/${encodeURIComponent(hit.slug)}`)}">${e(hit.title)}</a><p class="muted">${hit.snippet}</p></li>`,
    )
    .join("");
  return `<h1>${e(heading)}</h1><ul class="results">${items}</ul>`;
}

/** The "cancel or pause" page: the address form, its error, or the same answer for any address. */
export function subscriptionMain(
  frame: Frame,
  state: { kind: "form" } | { kind: "invalid"; email: string } | { kind: "sent" } | { kind: "limited" },
) {
  const t = textFor(frame.language);
  const heading = `<h1>${e(t.subscriptionLink)}</h1>`;
  if (state.kind === "sent") return `${heading}<p role="status" id="outcome">${e(t.subscriptionSent)}</p>`;
  if (state.kind === "limited")
    return `${heading}<p role="alert" class="error">${e(t.subscriptionTooMany)}</p>`;
  const invalid = state.kind === "invalid";
  const error = invalid
    ? `<p id="email-error" class="error" role="alert">${e(t.subscriptionInvalid)}</p>`
    : "";
  return `${heading}<p>${e(t.subscriptionIntro)}</p>
<form class="ask" method="post" action="${e(`${frame.base}/${frame.language}/subscription`)}">
<label for="email">${e(t.yourEmail)}</label>${error}
<input id="email" name="email" type="email" required maxlength="320" autocomplete="email" value="${e(invalid ? state.email : "")}"${invalid ? ' aria-invalid="true" aria-describedby="email-error"' : ""}>
<button type="submit">${e(t.subscriptionSend)}</button></form>`;
}

export function notFoundMain(frame: Frame) {
  const t = textFor(frame.language);
  return `<h1>${e(t.notFoundTitle)}</h1><p>${e(t.notFound)}</p>`;
}

export function commentThanksMain(frame: Frame, slug: string) {
  const t = textFor(frame.language);
  return `<h1>${e(t.thanksYes)}</h1><p><a href="${e(`${frame.base}/${frame.language}/articles/${encodeURIComponent(slug)}`)}">←</a></p>`;
}

/** The sitemap: every published article and collection page, and each language's home. */
export function sitemap(urls: { loc: string; lastmod?: Date }[]): string {
  const items = urls
    .map(
      (u) =>
        `<url><loc>${e(u.loc)}</loc>${u.lastmod ? `<lastmod>${u.lastmod.toISOString()}</lastmod>` : ""}</url>`,
    )
    .join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${items}\n</urlset>\n`;
}
