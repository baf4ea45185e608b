import { sql } from "kysely";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import { escapeHtml } from "../email/display/document.ts";
import { foldLatin } from "./markdown.ts";

/*
 * Help center search: PostgreSQL full text with the 'simple' configuration (it splits words in every
 * script and stems none, so Bengali, Tamil, Marathi, Hausa and Yoruba work like English), the last
 * word matched as a prefix (people type), Latin accents optional, and typo tolerance from pg_trgm:
 * when the words as typed find little, a word the workspace's articles never use is widened to the
 * closest words they do use. Ranked with ts_rank_cd (title words weigh most), snippets by
 * ts_headline. The same SQL runs on PGlite and PostgreSQL.
 */

export interface SearchHit {
  id: string;
  title: string;
  slug: string;
  language: string;
  collection_id: string | null;
  status: string;
  rank: number;
  /** HTML: the escaped text around the matches, each match in <mark>. */
  snippet: string;
}

export interface SearchOptions {
  workspaceId: string;
  query: string;
  /** Only articles in this language; all languages when left out. */
  language?: string;
  /** Published only (the public help center, the widget) or drafts too (agents). */
  publishedOnly: boolean;
  limit: number;
}

const MAX_TERMS = 8;
const NEIGHBOURS_PER_TERM = 3;
/** Below this trigram similarity a word is a different word, not a typo ("refnud" → "refund" is 0.27). */
const MIN_SIMILARITY = 0.2;
/** ts_headline marks matches with these; they cannot occur in text, so escaping cannot break them. */
const START = "\u0002";
const STOP = "\u0003";

/** Adds the words of an article to the workspace's word list, which typo correction draws on. */
export async function indexWords(db: Db, workspaceId: string, text: string): Promise<void> {
  await sql`
    insert into help_search_words (workspace_id, word)
    select ${workspaceId}::uuid, lexeme from unnest(to_tsvector('simple', ${text}))
    where char_length(lexeme) between 2 and 60
    on conflict do nothing`.execute(db);
}

/** A lexeme written as a tsquery operand (quoted; quotes and backslashes doubled). */
function operand(lexeme: string, prefix: boolean): string {
  return `'${lexeme.replaceAll("\\", "\\\\").replaceAll("'", "''")}'${prefix ? ":*" : ""}`;
}

/**
 * In one statement: the words of the query and of its accent-free form, as PostgreSQL splits them,
 * in the order typed, and which of them the workspace's articles use (the word list's primary key).
 */
async function lexemesOf(db: Db, workspaceId: string, text: string, folded: string) {
  const result = await sql<{ words: string[] | null; folded: string[] | null; known: string[] | null }>`
    with typed as (select lexeme, positions[1] as position from unnest(to_tsvector('simple', ${text})))
    select
      (select array_agg(lexeme order by position) from typed) as words,
      (select array_agg(lexeme order by positions[1]) from unnest(to_tsvector('simple', ${folded}))) as folded,
      (select array_agg(w.word) from help_search_words w
        where w.workspace_id = ${workspaceId} and w.word in (select lexeme from typed)) as known`.execute(db);
  const row = result.rows[0];
  return { words: row?.words ?? [], folded: row?.folded ?? [], known: new Set(row?.known ?? []) };
}

interface Terms {
  words: string[];
  /** Per word: itself (a prefix when last) and its form without Latin accents. */
  groups: string[][];
  /** Words of three letters or more that no article uses: typos, or a last word still being typed. */
  unknown: string[];
}

/** The query's words, each with its accent-free form; at most MAX_TERMS of them. */
async function termsOf(db: Db, workspaceId: string, query: string): Promise<Terms> {
  const text = query.normalize("NFC").slice(0, 500);
  const split = await lexemesOf(db, workspaceId, text, foldLatin(text));
  const words = split.words.slice(0, MAX_TERMS);
  const folded = split.folded;
  const groups = words.map((word, index) => {
    const last = index === words.length - 1;
    const alternatives = [operand(word, last)];
    const plain = folded.length >= words.length ? folded[index] : undefined;
    if (plain && plain !== word) alternatives.push(operand(plain, last));
    return alternatives;
  });
  const unknown = words.filter((word) => !split.known.has(word) && [...word].length >= 3);
  return { words, groups, unknown };
}

/**
 * Widens each unknown query word with the closest words the articles do use (pg_trgm similarity
 * over the workspace's word list); undefined when none is close enough.
 */
async function withCorrections(db: Db, workspaceId: string, terms: Terms): Promise<string[][] | undefined> {
  // The % operator uses the trigram index; its threshold is lowered for this transaction only.
  const rows = await db.transaction().execute(async (trx) => {
    await sql`select set_config('pg_trgm.similarity_threshold', ${String(MIN_SIMILARITY)}, true)`.execute(
      trx,
    );
    const result = await sql<{ term: string; word: string }>`
      select t.term, n.word
      from unnest(${terms.unknown}::text[]) as t(term)
      cross join lateral (
        select w.word from help_search_words w
        where w.workspace_id = ${workspaceId} and w.word % t.term
        order by similarity(w.word, t.term) desc, w.word
        limit ${NEIGHBOURS_PER_TERM}
      ) n`.execute(trx);
    return result.rows;
  });
  if (rows.length === 0) return undefined;
  return terms.groups.map((group, index) => {
    const near = rows.filter((row) => row.term === terms.words[index]).map((row) => operand(row.word, false));
    return [...new Set([...group, ...near])];
  });
}

function tsquery(groups: string[][], join: "&" | "|"): string {
  return groups.map((group) => `(${group.join(" | ")})`).join(` ${join} `);
}

/** Below this many hits, the search also tries corrected spellings of unknown words. */
const FEW_HITS = 3;

/**
 * Ranked matches with snippets. The words as typed first (cheap, and what most searches need); when
 * that finds little, unknown words are corrected to their nearest known words; when every word
 * together still finds nothing, any of them will do.
 */
export async function searchArticles(db: Db, options: SearchOptions): Promise<SearchHit[]> {
  const terms = await termsOf(db, options.workspaceId, options.query);
  if (terms.groups.length === 0) return [];
  // An unknown word before the last one is a typo: every word together cannot match as typed.
  const last = terms.words.at(-1);
  const certainTypo = terms.unknown.some((word) => word !== last);
  let hits = certainTypo ? [] : await runSearch(db, options, tsquery(terms.groups, "&"));
  if (hits.length >= FEW_HITS) return hits;
  const corrected =
    terms.unknown.length > 0 ? await withCorrections(db, options.workspaceId, terms) : undefined;
  const groups = corrected ?? terms.groups;
  if (corrected || certainTypo) {
    hits = merge(hits, await runSearch(db, options, tsquery(groups, "&")), options.limit);
  }
  if (hits.length === 0 && groups.length > 1) hits = await runSearch(db, options, tsquery(groups, "|"));
  return hits;
}

/** The first search's hits stay on top; the corrected search adds what it found besides. */
function merge(first: SearchHit[], second: SearchHit[], limit: number): SearchHit[] {
  const seen = new Set(first.map((hit) => hit.id));
  return [...first, ...second.filter((hit) => !seen.has(hit.id))].slice(0, limit);
}

/** How many body-only matches are ranked at most: the bound on a very common word's cost. */
const BODY_CANDIDATES = 300;

/*
 * Two tiers, each cheap whatever the number of matches: articles whose title matches, ranked on
 * the title's small vector; then, when those are fewer than the limit, articles matching only in
 * their body, of which at most BODY_CANDIDATES are ranked on the small inline vector of the title
 * and the body's opening. The full vector (in TOAST) is only ever read through its index.
 */
async function runSearch(db: Db, options: SearchOptions, query: string): Promise<SearchHit[]> {
  const language = options.language ?? null;
  const anyState = !options.publishedOnly;
  const headline = `StartSel=${START}, StopSel=${STOP}, MaxWords=28, MinWords=10, ShortWord=1, MaxFragments=2, FragmentDelimiter=" … "`;
  const result = await sql<Omit<SearchHit, "snippet"> & { headline: string }>`
    with q as (select ${query}::tsquery as query),
    titled as (
      select a.id, 1 + ts_rank(a.title_vector, q.query) as rank
      from help_articles a, q
      where a.workspace_id = ${options.workspaceId}
        and a.title_vector @@ q.query
        and (${language}::text is null or a.language = ${language})
        and (${anyState} or a.status = 'published')
      order by rank desc, a.published_at desc nulls last, a.id
      limit ${options.limit}
    ),
    bodied as (
      select c.id, ts_rank(c.lead_vector, q.query) as rank
      from (
        select a.id, a.lead_vector from help_articles a, q
        where a.workspace_id = ${options.workspaceId}
          and a.search_vector @@ q.query
          and not (a.title_vector @@ q.query)
          and (${language}::text is null or a.language = ${language})
          and (${anyState} or a.status = 'published')
        limit ${BODY_CANDIDATES}
      ) c, q
      order by rank desc, c.id
      limit ${options.limit}
    ),
    top as (
      select id, rank from titled
      union all
      select id, rank from bodied where (select count(*) from titled) < ${options.limit}
      order by rank desc, id
      limit ${options.limit}
    )
    select a.id, a.title, a.slug, a.language, a.collection_id, a.status, top.rank,
      ts_headline('simple', a.body_text, q.query, ${headline}) as headline
    from top
    join help_articles a on a.workspace_id = ${options.workspaceId} and a.id = top.id, q
    order by top.rank desc, a.published_at desc nulls last, a.id`.execute(db);
  return result.rows.map(({ headline: text, ...hit }) => ({
    ...hit,
    rank: Number(hit.rank),
    snippet: markSnippet(text),
  }));
}

/** Escapes the snippet's text, then turns the headline's markers into <mark>. */
export function markSnippet(text: string): string {
  return escapeHtml(text.replaceAll("\n", " ")).replaceAll(START, "<mark>").replaceAll(STOP, "</mark>");
}

/** Records a search of the public help center, so that searches with no result show up as content gaps. */
export async function logSearch(
  db: Db,
  entry: { workspaceId: string; query: string; language: string; results: number; source: string },
): Promise<void> {
  const query = entry.query.normalize("NFC").replace(/\s+/gu, " ").trim().toLowerCase().slice(0, 200);
  if (!query) return;
  await db
    .insertInto("help_searches")
    .values({
      workspace_id: entry.workspaceId,
      query,
      language: entry.language,
      results: entry.results,
      source: entry.source,
    })
    .execute();
}

export interface SuggestedArticle {
  id: string;
  title: string;
  language: string;
  url: string;
  snippet: string;
}

/**
 * Published articles that may answer what a visitor is typing, for the chat widget: best first,
 * in the visitor's language when it has matches, else in any language. Never records the search
 * (a visitor typing produces one call per keystroke). URLs are absolute, on the public help center.
 */
export async function suggestArticles(
  ctx: AppContext,
  workspaceId: string,
  query: string,
  lang: string,
  limit = 5,
): Promise<SuggestedArticle[]> {
  if (query.trim().length < 2) return [];
  const options = { workspaceId, query, publishedOnly: true, limit };
  let hits = await searchArticles(ctx.db, { ...options, language: lang.toLowerCase() });
  if (hits.length === 0) hits = await searchArticles(ctx.db, options);
  if (hits.length === 0) return [];
  const workspace = await ctx.db
    .selectFrom("workspaces")
    .select("slug")
    .where("id", "=", workspaceId)
    .executeTakeFirst();
  if (!workspace) return [];
  const base = ctx.config.baseUrl.replace(/\/$/, "");
  return hits.map((hit) => ({
    id: hit.id,
    title: hit.title,
    language: hit.language,
    url: `${base}/help/${encodeURIComponent(workspace.slug)}/${hit.language}/articles/${encodeURIComponent(hit.slug)}`,
    snippet: hit.snippet,
  }));
}
