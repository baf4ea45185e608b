import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "kysely";
import { type Database, openPglite, openPostgres } from "../../apps/server/src/db/database.ts";
import { migrateToLatest } from "../../apps/server/src/db/migrate.ts";
import { searchArticles } from "../../apps/server/src/modules/help-center/search.ts";
import { createWorkspace } from "../../apps/server/src/modules/workspaces/service.ts";
import type { BenchContext, Benchmark } from "../lib/context.ts";
import { temporaryDataDir, throwawayPostgres } from "../lib/databases.ts";
import { spawnKeepwell, waitForReady } from "../lib/processes.ts";
import { type FactRow, type LoadRow, median, type Section } from "../lib/report.ts";

/*
 * Help center search at scale, in mixed languages and scripts, timed in-process against a trivial
 * indexed lookup on the same database; then the public article page under load against the
 * hello-world baseline. Articles are made of generated words per script (a Zipf-like vocabulary),
 * so a query's selectivity ranges from common words to rare ones, typos and prefixes.
 */

type Kind = "postgres" | "pglite";
const P95_AIM_MS = 20;
const PAGE_AIM = { minRatio: 0.5 };
const RUNS_PER_QUERY = 5;
const LANGUAGES = ["en", "ha", "yo", "bn", "ta", "mr"] as const;

export const helpCenterBenchmarks: Benchmark[] = [
  {
    name: "help-center-postgres",
    summary:
      "help center search p50/p95 and the public article page, PostgreSQL (BENCH_PG_ARTICLES, default 100,000)",
    run: (ctx) => helpCenter(ctx, "postgres", articleCount("BENCH_PG_ARTICLES", 100_000)),
  },
  {
    name: "help-center-pglite",
    summary: "the same on embedded PGlite (BENCH_PGLITE_ARTICLES, default 10,000)",
    run: (ctx) => helpCenter(ctx, "pglite", articleCount("BENCH_PGLITE_ARTICLES", 10_000)),
  },
];

/** A positive whole number from the environment, or the default; anything else stops the run with why. */
function articleCount(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 100)
    throw new Error(`${name} must be a whole number ≥ 100, not "${raw}"`);
  return value;
}

/** Syllables per script: consonant + vowel (sign), enough to make tens of thousands of distinct words. */
function syllables(language: (typeof LANGUAGES)[number]): string[] {
  const combine = (consonants: string[], vowels: string[]) =>
    consonants.flatMap((c) => vowels.map((v) => c + v));
  const range = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i));
  switch (language) {
    case "en":
      return combine([..."bcdfghklmnprstvw"], ["a", "e", "i", "o", "u", "ea", "ou"]);
    case "ha":
      return combine([..."bdfgkmnrstwyzɓɗƙ"], ["a", "e", "i", "o", "u", "ai", "au"]);
    case "yo":
      return combine([..."bdfgjklmnprstwyṣ"], ["a", "e", "ẹ", "i", "o", "ọ", "u", "à", "á", "ò", "ó"]);
    case "bn":
      return combine(range(0x0995, 0x09a8), ["", "া", "ি", "ী", "ু", "ে", "ো"]);
    case "ta":
      return combine(
        ["க", "ச", "ட", "த", "ப", "ற", "ம", "ன", "ய", "ர", "ல", "வ", "ழ", "ள"],
        ["", "ா", "ி", "ீ", "ு", "ெ", "ை", "்"],
      );
    case "mr":
      return combine(range(0x0915, 0x0928), ["", "ा", "ि", "ी", "ु", "े", "ो"]);
  }
}

/** A fixed pseudo-random sequence, so two runs seed the same articles. */
function random(seed: number) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

interface Vocabulary {
  language: string;
  words: string[];
}

function vocabulary(language: (typeof LANGUAGES)[number], size: number, next: () => number): Vocabulary {
  const parts = syllables(language);
  const words = new Set<string>();
  while (words.size < size) {
    const length = 2 + Math.floor(next() * 3);
    let word = "";
    for (let i = 0; i < length; i++) word += parts[Math.floor(next() * parts.length)];
    words.add(word.normalize("NFC"));
  }
  return { language, words: [...words] };
}

/** Zipf-like: a few words are everywhere, most are rare. */
const pick = (vocab: Vocabulary, next: () => number) =>
  vocab.words[Math.floor(vocab.words.length * next() ** 3)];

/** The same words every run: the articles and the queries both draw on them. */
export function benchVocabularies() {
  const next = random(42);
  return { next, vocabs: LANGUAGES.map((language) => vocabulary(language, 20_000, next)) };
}

export async function seedArticles(database: Database, count: number, progress: (m: string) => void) {
  await migrateToLatest(database.db);
  const { workspaceId } = await createWorkspace(database.db, {
    name: "Bench help",
    slug: "bench-help",
    owner: {
      email: "owner@bench-help.keepwell.test",
      name: "Bench Owner",
      password: randomBytes(12).toString("base64url"),
    },
  });
  await database.db
    .insertInto("help_center_settings")
    .values({
      workspace_id: workspaceId,
      enabled: true,
      title: "Bench help",
      contact_email: "help@bench.test",
      updated_at: new Date(),
    })
    .execute();
  const { next, vocabs } = benchVocabularies();
  const batch = 2000;
  const slugs: string[] = [];
  const started = performance.now();
  for (let offset = 0; offset < count; offset += batch) {
    const rows = [];
    for (let i = offset; i < Math.min(count, offset + batch); i++) {
      const vocab = vocabs[i % vocabs.length];
      const title = Array.from({ length: 4 + Math.floor(next() * 5) }, () => pick(vocab, next)).join(" ");
      const paragraphs = Array.from({ length: 3 }, () =>
        Array.from({ length: 30 + Math.floor(next() * 30) }, () => pick(vocab, next)).join(" "),
      );
      const text = paragraphs.join("\n");
      const slug = `article-${i}`;
      if (vocab.language === "en" && slugs.length < 200) slugs.push(slug);
      rows.push({
        id: randomUUID(),
        group: randomUUID(),
        language: vocab.language,
        slug,
        title,
        markdown: paragraphs.join("\n\n"),
        html: paragraphs.map((p) => `<p>${p}</p>`).join("\n"),
        text,
      });
    }
    await sql`
      insert into help_articles (workspace_id, id, translation_group_id, language, slug, title, title_search, body_markdown,
        body_html, body_text, status, published_at, updated_at)
      select ${workspaceId}::uuid, r.id, r.group, r.language, r.slug, r.title, r.title, r.markdown, r.html, r.text,
        'published', now(), now()
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as r(id uuid, "group" uuid, language text, slug text, title text, markdown text, html text, text text)`.execute(
      database.db,
    );
    if ((offset / batch) % 10 === 0) progress(`${(offset + rows.length).toLocaleString("en-US")} articles`);
  }
  progress("building the word list that typo correction draws on");
  await sql`
    insert into help_search_words (workspace_id, word)
    select distinct ${workspaceId}::uuid, lexeme from help_articles, unnest(search_vector)
    where workspace_id = ${workspaceId} and char_length(lexeme) between 2 and 60
    on conflict do nothing`.execute(database.db);
  await sql`analyze`.execute(database.db);
  return { workspaceId, vocabs, slugs, seedSeconds: (performance.now() - started) / 1000 };
}

/** Queries of every kind, in every language: common, middling and rare words, pairs, prefixes, typos. */
export function queries(vocabs: Vocabulary[]): { language: string; q: string; kind: string }[] {
  const list: { language: string; q: string; kind: string }[] = [];
  for (const vocab of vocabs) {
    const at = (rank: number) => vocab.words[Math.min(vocab.words.length - 1, rank)];
    const chars = [...at(400)];
    const typo = [...chars.slice(0, 1), chars[2], chars[1], ...chars.slice(3)].join("");
    list.push(
      { language: vocab.language, q: at(3), kind: "common word" },
      { language: vocab.language, q: at(400), kind: "middling word" },
      { language: vocab.language, q: at(15_000), kind: "rare word" },
      { language: vocab.language, q: `${at(5)} ${at(900)}`, kind: "two words" },
      { language: vocab.language, q: [...at(2000)].slice(0, 4).join(""), kind: "prefix" },
      { language: vocab.language, q: typo, kind: "typo" },
    );
  }
  return list;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

async function helpCenter(ctx: BenchContext, kind: Kind, count: number): Promise<Section[]> {
  const { settings, cleanup, progress } = ctx;
  const baseline = await ctx.baseline();
  const data = temporaryDataDir(cleanup, `help-${kind}`);
  let databaseUrl: string | undefined;
  let database: Database;
  if (kind === "postgres") {
    const created = await throwawayPostgres(cleanup, settings.adminDatabaseUrl);
    progress(`created database ${created.name}`);
    databaseUrl = created.url;
    database = await openPostgres(created.url, 2);
  } else {
    database = await openPglite(data.dir);
  }
  progress(`seeding ${count.toLocaleString("en-US")} articles in ${LANGUAGES.length} languages into ${kind}`);
  const seeded = await seedArticles(database, count, progress);

  const sample = queries(seeded.vocabs);
  const search = (entry: (typeof sample)[number]) =>
    searchArticles(database.db, {
      workspaceId: seeded.workspaceId,
      query: entry.q,
      language: entry.language,
      publishedOnly: true,
      limit: 10,
    });
  const anId = (
    await database.db
      .selectFrom("help_articles")
      .select("id")
      .where("workspace_id", "=", seeded.workspaceId)
      .limit(200)
      .execute()
  ).map((row) => row.id);
  const lookup = (i: number) =>
    database.db
      .selectFrom("help_articles")
      .select(["id", "title"])
      .where("workspace_id", "=", seeded.workspaceId)
      .where("id", "=", anId[i % anId.length])
      .executeTakeFirst();

  progress(
    `timing ${sample.length} queries × ${RUNS_PER_QUERY} (after one untimed pass), and as many lookups`,
  );
  const hitsOf = new Map<string, number>();
  for (const entry of sample) hitsOf.set(`${entry.language}:${entry.q}`, (await search(entry)).length);
  const searchTimes: number[] = [];
  const lookupTimes: number[] = [];
  const byKind = new Map<string, number[]>();
  for (let run = 0; run < RUNS_PER_QUERY; run++) {
    for (const [i, entry] of sample.entries()) {
      let t = performance.now();
      await search(entry);
      const elapsed = performance.now() - t;
      searchTimes.push(elapsed);
      byKind.set(entry.kind, [...(byKind.get(entry.kind) ?? []), elapsed]);
      t = performance.now();
      await lookup(i + run);
      lookupTimes.push(performance.now() - t);
    }
  }
  const found = sample.filter((e) => (hitsOf.get(`${e.language}:${e.q}`) ?? 0) > 0).length;
  await database.close();

  const server = await spawnKeepwell(cleanup, {
    dataDir: data.dir,
    databaseUrl,
    demoPassword: randomBytes(12).toString("base64url"),
  });
  await waitForReady(server);
  const pagePath = (slug: string) => `/help/bench-help/en/articles/${slug}`;
  const check = await fetch(`${server.url}${pagePath(seeded.slugs[0])}`);
  if (check.status !== 200) throw new Error(`the article page answered ${check.status}`);
  // A help center has a working set: each page is rendered once, then served from the cache.
  progress(`rendering the ${seeded.slugs.length} pages once`);
  for (const slug of seeded.slugs) await (await fetch(`${server.url}${pagePath(slug)}`)).arrayBuffer();
  let n = 0;
  const loads: LoadRow[] = [baseline];
  loads.push(
    await ctx.load(
      `GET public article page, ${seeded.slugs.length} articles in turn`,
      {
        url: server.url,
        nextPath: () => pagePath(seeded.slugs[n++ % seeded.slugs.length]),
        serverPid: server.pid,
      },
      kind === "postgres" ? PAGE_AIM : undefined,
    ),
  );
  await server.stop();

  const p50 = percentile(searchTimes, 50);
  const p95 = percentile(searchTimes, 95);
  const facts: FactRow[] = [
    { label: "seeding (bench setup, not the product)", value: seeded.seedSeconds, unit: "s" },
    {
      label: "search p50",
      value: p50,
      unit: "ms",
      detail: `${sample.length} queries × ${RUNS_PER_QUERY}; ${found} of ${sample.length} found something`,
    },
    {
      label: "search p95",
      value: p95,
      unit: "ms",
      detail: kind === "postgres" ? `${p95 < P95_AIM_MS ? "✓" : "✗"} < ${P95_AIM_MS} ms` : "no aim on PGlite",
    },
    ...[...byKind].map(([name, times]) => ({
      label: `  ${name}: p50 / p95`,
      value: median(times),
      unit: "ms",
      detail: `p95 ${percentile(times, 95).toFixed(1)} ms`,
    })),
    {
      label: "baseline: indexed lookup p50",
      value: percentile(lookupTimes, 50),
      unit: "ms",
      detail: `p95 ${percentile(lookupTimes, 95).toFixed(2)} ms; search p50 is ${(p50 / percentile(lookupTimes, 50)).toFixed(1)}× it`,
    },
  ];
  return [
    {
      title: `Help center on ${kind === "postgres" ? "PostgreSQL" : "embedded PGlite"}: ${count.toLocaleString("en-US")} articles`,
      context: `search in-process through searchArticles (${LANGUAGES.join(", ")}); article page over HTTP, cached per instance`,
      loads,
      facts,
    },
  ];
}
