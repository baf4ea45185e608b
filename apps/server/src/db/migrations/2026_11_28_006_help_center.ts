import { type Kysely, sql } from "kysely";

/*
 * The help center: its settings per workspace, collections (a collection with a parent is a
 * section), articles in one language each (a translation group ties the languages of one article
 * together), their revisions, the slugs they used to have (old links redirect), the word list the
 * search corrects typos against, and what the reports count (views, votes, searches).
 * Search uses the 'simple' text search configuration: it splits words in every script and stems
 * none, so Bengali, Tamil or Yoruba are indexed as faithfully as English. Besides the full vector
 * (what matches), two small ones stay inline in the row and keep ranking cheap: the title's, and
 * the title's with the opening of the body (a large vector lives in TOAST, and reading thousands
 * of them to rank a common word costs hundreds of milliseconds). The text indexes lead with
 * workspace_id (btree_gin), as every index does, so one GIN scan answers "this workspace's matches".
 * Frozen in time: later changes go into new migrations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
    create extension if not exists btree_gin;

    create table help_center_settings (
      workspace_id uuid primary key references workspaces(id) on delete cascade,
      enabled boolean not null default false,
      title text,
      custom_domain text unique,
      logo_url text,
      color text not null default '#1d4ed8',
      default_language text not null default 'en',
      contact_email text,
      chat_url text,
      callback_url text,
      contact_inbox_id uuid,
      updated_at timestamptz not null default now()
    );

    create table help_collections (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      parent_id uuid,
      slug text not null,
      name text not null,
      description text,
      translations jsonb not null default '{}',
      position integer not null default 0,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (workspace_id, id),
      foreign key (workspace_id, parent_id) references help_collections(workspace_id, id) on delete cascade
    );
    create unique index help_collections_slug_key on help_collections (workspace_id, slug);

    create table help_articles (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      translation_group_id uuid not null,
      language text not null,
      collection_id uuid,
      slug text not null,
      title text not null,
      body_markdown text not null,
      body_html text not null,
      body_text text not null,
      title_search text not null default '',
      search_extra text not null default '',
      status text not null check (status in ('draft', 'published')),
      version integer not null default 1,
      position integer not null default 0,
      published_at timestamptz,
      created_by uuid,
      updated_by uuid,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      search_vector tsvector generated always as (
        setweight(to_tsvector('simple'::regconfig, title_search), 'A') ||
        setweight(to_tsvector('simple'::regconfig, body_text), 'B') ||
        setweight(to_tsvector('simple'::regconfig, search_extra), 'C')
      ) stored,
      title_vector tsvector generated always as (to_tsvector('simple'::regconfig, title_search)) stored,
      lead_vector tsvector generated always as (
        setweight(to_tsvector('simple'::regconfig, title_search), 'A') ||
        to_tsvector('simple'::regconfig, left(body_text, 600))
      ) stored,
      primary key (workspace_id, id),
      foreign key (workspace_id, collection_id) references help_collections(workspace_id, id) on delete set null (collection_id)
    );
    create unique index help_articles_slug_key on help_articles (workspace_id, language, slug);
    create unique index help_articles_translation_key on help_articles (workspace_id, translation_group_id, language);
    create index help_articles_collection_idx on help_articles (workspace_id, collection_id, position);
    create index help_articles_search_idx on help_articles using gin (workspace_id, search_vector);
    create index help_articles_title_search_idx on help_articles using gin (workspace_id, title_vector);

    create table help_article_slugs (
      workspace_id uuid not null,
      language text not null,
      slug text not null,
      article_id uuid not null,
      created_at timestamptz not null default now(),
      primary key (workspace_id, language, slug),
      foreign key (workspace_id, article_id) references help_articles(workspace_id, id) on delete cascade
    );
    create index help_article_slugs_article_idx on help_article_slugs (workspace_id, article_id);

    create table help_article_revisions (
      workspace_id uuid not null,
      id uuid not null default gen_random_uuid(),
      article_id uuid not null,
      version integer not null,
      title text not null,
      slug text not null,
      body_markdown text not null,
      status text not null,
      collection_id uuid,
      created_by uuid,
      created_at timestamptz not null default now(),
      primary key (workspace_id, id),
      foreign key (workspace_id, article_id) references help_articles(workspace_id, id) on delete cascade
    );
    create unique index help_article_revisions_version_key on help_article_revisions (workspace_id, article_id, version);

    create table help_search_words (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      word text not null,
      primary key (workspace_id, word)
    );
    -- Trigram lookups stay on the word alone: with workspace_id in front, every lookup would
    -- intersect the workspace's whole word list and take three times as long.
    create index help_search_words_trgm_idx on help_search_words using gin (word gin_trgm_ops);

    create table help_searches (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      query text not null,
      language text not null,
      results integer not null,
      source text not null,
      created_at timestamptz not null default now(),
      primary key (workspace_id, id)
    );
    create index help_searches_time_idx on help_searches (workspace_id, created_at);

    create table help_article_stats (
      workspace_id uuid not null,
      article_id uuid not null,
      day date not null,
      views integer not null default 0,
      helpful integer not null default 0,
      unhelpful integer not null default 0,
      primary key (workspace_id, article_id, day),
      foreign key (workspace_id, article_id) references help_articles(workspace_id, id) on delete cascade
    );
    create index help_article_stats_day_idx on help_article_stats (workspace_id, day);

    create table help_article_feedback (
      workspace_id uuid not null,
      id uuid not null default gen_random_uuid(),
      article_id uuid not null,
      helpful boolean not null,
      comment text,
      language text not null,
      created_at timestamptz not null default now(),
      primary key (workspace_id, id),
      foreign key (workspace_id, article_id) references help_articles(workspace_id, id) on delete cascade
    );
    create index help_article_feedback_time_idx on help_article_feedback (workspace_id, created_at desc)
    `,
  );
}

async function runStatements(db: Kysely<any>, ddl: string): Promise<void> {
  for (const statement of ddl.split(/;\s*\n/)) {
    if (statement.trim()) await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists help_article_feedback, help_article_stats, help_searches, help_search_words, help_article_revisions, help_article_slugs, help_articles, help_collections, help_center_settings`.execute(
    db,
  );
}
