import { sql } from "kysely";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { Principal } from "../../http/principal.ts";
import { invalid } from "../../lib/errors.ts";

/*
 * What the help center reports: views and votes per article and day, searches that found nothing
 * (the content gaps) and the comments readers left. Page views are counted in memory and written
 * every few seconds in one statement, so that a cached page costs no database write; a crash
 * loses at most those seconds of view counts, never a vote or a comment.
 */

const FLUSH_EVERY_MS = 5_000;

class ViewCounter {
  #counts = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;

  add(workspaceId: string, articleId: string, day: string): void {
    const key = `${workspaceId}|${articleId}|${day}`;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  async flush(db: Db): Promise<void> {
    if (this.#counts.size === 0) return;
    const counts = this.#counts;
    this.#counts = new Map();
    const rows = [...counts].map(([key, views]) => {
      const [workspace_id, article_id, day] = key.split("|");
      return { workspace_id, article_id, day, views };
    });
    try {
      await sql`
        insert into help_article_stats (workspace_id, article_id, day, views)
        select v.workspace_id, v.article_id, v.day, v.views
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          as v(workspace_id uuid, article_id uuid, day date, views integer)
        where exists (select 1 from help_articles a where a.workspace_id = v.workspace_id and a.id = v.article_id)
        on conflict (workspace_id, article_id, day)
        do update set views = help_article_stats.views + excluded.views`.execute(db);
    } catch (error) {
      // Keep the counts for the next try rather than losing them to a passing database error.
      for (const [key, views] of counts) this.#counts.set(key, (this.#counts.get(key) ?? 0) + views);
      throw error;
    }
  }

  start(ctx: AppContext): void {
    this.#timer ??= setInterval(() => {
      this.flush(ctx.db).catch((error) =>
        ctx.log.warn({ err: error }, "help center view counts not written yet"),
      );
    }, FLUSH_EVERY_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

const counters = new WeakMap<AppContext, ViewCounter>();

function counterOf(ctx: AppContext): ViewCounter {
  let counter = counters.get(ctx);
  if (!counter) {
    counter = new ViewCounter();
    counters.set(ctx, counter);
  }
  return counter;
}

const dayOf = (date: Date) => date.toISOString().slice(0, 10);

export function countView(ctx: AppContext, workspaceId: string, articleId: string): void {
  counterOf(ctx).add(workspaceId, articleId, dayOf(ctx.now()));
}

export async function flushViews(ctx: AppContext): Promise<void> {
  await counterOf(ctx).flush(ctx.db);
}

export function startViewCounting(ctx: AppContext): void {
  counterOf(ctx).start(ctx);
}

export async function stopViewCounting(ctx: AppContext): Promise<void> {
  const counter = counterOf(ctx);
  counter.stop();
  await counter.flush(ctx.db).catch((error) => ctx.log.warn({ err: error }, "help center view counts lost"));
}

/** A reader's "Did this answer your question?": the vote and its optional comment, in one transaction. */
export async function recordFeedback(
  ctx: AppContext,
  entry: {
    workspaceId: string;
    articleId: string;
    helpful: boolean;
    comment: string | null;
    language: string;
  },
): Promise<void> {
  const comment = entry.comment?.normalize("NFC").trim().slice(0, 2000) || null;
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto("help_article_feedback")
      .values({
        workspace_id: entry.workspaceId,
        article_id: entry.articleId,
        helpful: entry.helpful,
        comment,
        language: entry.language,
      })
      .execute();
    await trx
      .insertInto("help_article_stats")
      .values({
        workspace_id: entry.workspaceId,
        article_id: entry.articleId,
        day: dayOf(ctx.now()),
        helpful: entry.helpful ? 1 : 0,
        unhelpful: entry.helpful ? 0 : 1,
      })
      .onConflict((oc) =>
        oc.columns(["workspace_id", "article_id", "day"]).doUpdateSet((eb) => ({
          helpful: eb("help_article_stats.helpful", "+", entry.helpful ? 1 : 0),
          unhelpful: eb("help_article_stats.unhelpful", "+", entry.helpful ? 0 : 1),
        })),
      )
      .execute();
  });
}

/** Adds a comment to a vote already counted (the page's second step after a "no"). */
export async function addFeedbackComment(
  ctx: AppContext,
  entry: { workspaceId: string; articleId: string; comment: string; language: string },
): Promise<void> {
  const comment = entry.comment.normalize("NFC").trim().slice(0, 2000);
  if (!comment) return;
  await ctx.db
    .insertInto("help_article_feedback")
    .values({
      workspace_id: entry.workspaceId,
      article_id: entry.articleId,
      helpful: false,
      comment,
      language: entry.language,
    })
    .execute();
}

/** Views, votes, content gaps and comments between two days (inclusive, UTC). */
export async function helpReport(ctx: AppContext, principal: Principal, range: { from: string; to: string }) {
  if (range.from > range.to) throw invalid("from", "from must not be after to");
  const days = (Date.parse(range.to) - Date.parse(range.from)) / 86_400_000;
  if (days > 366) throw invalid("to", "A report covers at most a year");
  await flushViews(ctx);
  const workspaceId = principal.workspaceId;
  const until = new Date(Date.parse(range.to) + 86_400_000);
  const articles = await ctx.db
    .selectFrom("help_article_stats as s")
    .innerJoin("help_articles as a", (join) =>
      join.onRef("a.workspace_id", "=", "s.workspace_id").onRef("a.id", "=", "s.article_id"),
    )
    .select([
      "a.id",
      "a.title",
      "a.language",
      sql<number>`sum(s.views)::int`.as("views"),
      sql<number>`sum(s.helpful)::int`.as("helpful"),
      sql<number>`sum(s.unhelpful)::int`.as("unhelpful"),
    ])
    .where("s.workspace_id", "=", workspaceId)
    .where("s.day", ">=", range.from)
    .where("s.day", "<=", range.to)
    .groupBy(["a.id", "a.title", "a.language"])
    .orderBy(sql`sum(s.views)`, "desc")
    .orderBy("a.id")
    .limit(200)
    .execute();
  const gaps = await ctx.db
    .selectFrom("help_searches")
    .select([
      "query",
      "language",
      sql<number>`count(*)::int`.as("count"),
      sql<Date>`max(created_at)`.as("last_at"),
    ])
    .where("workspace_id", "=", workspaceId)
    .where("created_at", ">=", new Date(range.from))
    .where("created_at", "<", until)
    .where("results", "=", 0)
    .groupBy(["query", "language"])
    .orderBy(sql`count(*)`, "desc")
    .orderBy("query")
    .limit(100)
    .execute();
  const searchTotals = await ctx.db
    .selectFrom("help_searches")
    .select([
      sql<number>`count(*)::int`.as("searches"),
      sql<number>`count(*) filter (where results = 0)::int`.as("searches_without_results"),
    ])
    .where("workspace_id", "=", workspaceId)
    .where("created_at", ">=", new Date(range.from))
    .where("created_at", "<", until)
    .executeTakeFirstOrThrow();
  const feedback = await ctx.db
    .selectFrom("help_article_feedback as f")
    .innerJoin("help_articles as a", (join) =>
      join.onRef("a.workspace_id", "=", "f.workspace_id").onRef("a.id", "=", "f.article_id"),
    )
    .select(["f.article_id", "a.title", "f.helpful", "f.comment", "f.created_at"])
    .where("f.workspace_id", "=", workspaceId)
    .where("f.comment", "is not", null)
    .where("f.created_at", ">=", new Date(range.from))
    .where("f.created_at", "<", until)
    .orderBy("f.created_at", "desc")
    .limit(50)
    .execute();
  const sum = (key: "views" | "helpful" | "unhelpful") =>
    articles.reduce((total, row) => total + row[key], 0);
  return {
    from: range.from,
    to: range.to,
    totals: { views: sum("views"), helpful: sum("helpful"), unhelpful: sum("unhelpful"), ...searchTotals },
    articles,
    searches_without_results: gaps,
    recent_feedback: feedback,
  };
}
