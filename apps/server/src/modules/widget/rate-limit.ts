import { sql } from "kysely";
import type { AppContext } from "../../context.ts";

/**
 * Fixed-window counters kept in memory, for one process. Embedded PGlite is one process by design,
 * so there they are the whole truth; on PostgreSQL they only guard per-socket frame floods.
 */
export class RateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  /** Counts one hit for the key; false once the key is over its limit in the current window. */
  hit(key: string, now = Date.now()): boolean {
    let window = this.#windows.get(key);
    if (!window || now - window.start >= this.#windowMs) {
      if (this.#windows.size > 50_000) this.#sweep(now);
      window = { start: now, count: 0 };
      this.#windows.set(key, window);
    }
    window.count += 1;
    return window.count <= this.#limit;
  }

  /** Seconds until the key's window resets. */
  retryAfter(key: string, now = Date.now()): number {
    const window = this.#windows.get(key);
    return window ? Math.max(1, Math.ceil((window.start + this.#windowMs - now) / 1000)) : 1;
  }

  #sweep(now: number): void {
    for (const [key, window] of this.#windows) {
      if (now - window.start >= this.#windowMs) this.#windows.delete(key);
    }
  }
}

/** A limit on one kind of action: `limit` hits per `windowMs` for each key. */
export interface LimitRule {
  /** The counter's name, shared by every instance (such as "message:visitor"). */
  bucket: string;
  limit: number;
  windowMs: number;
}

export interface LimitVerdict {
  allowed: boolean;
  /** Seconds until the first refusing counter's window resets (1 when allowed). */
  retryAfter: number;
}

/**
 * Limits that hold across every instance of an installation: on PostgreSQL each hit is one atomic
 * upsert of a counter row (several rules in one statement), so two instances behind a load balancer
 * share one budget per visitor and per address. On PGlite (one process) the same rules run in memory.
 */
export class SharedLimits {
  readonly #ctx: AppContext;
  readonly #memory = new Map<string, RateLimiter>();
  #sweptAt = 0;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  /** Counts one hit on every (rule, key) pair; refused when any of them is over its limit. */
  async hit(checks: { rule: LimitRule; key: string }[]): Promise<LimitVerdict> {
    if (checks.length === 0) return { allowed: true, retryAfter: 1 };
    if (this.#ctx.database.kind !== "postgres") return this.#hitInMemory(checks);
    const now = Date.now();
    const rows = checks.map(
      ({ rule, key }) => sql`(${rule.bucket}, ${key.slice(0, 200)}, ${new Date(now)}::timestamptz, 1)`,
    );
    // A window that has run out starts again at this hit; otherwise the hit is counted in it.
    const result = await sql<{ bucket: string; hits: number; window_start: Date }>`
      insert into widget_rate_limits as r (bucket, key, window_start, hits)
      select bucket, key, at, hits from (values ${sql.join(rows)}) as v(bucket, key, at, hits)
      on conflict (bucket, key) do update set
        window_start = case when r.window_start <= excluded.window_start - make_interval(secs => ${windowSecondsSql(checks)})
          then excluded.window_start else r.window_start end,
        hits = case when r.window_start <= excluded.window_start - make_interval(secs => ${windowSecondsSql(checks)})
          then 1 else r.hits + 1 end
      returning r.bucket, r.hits, r.window_start`.execute(this.#ctx.db);
    void this.#sweep(now);
    return verdictOf(checks, result.rows, now);
  }

  #hitInMemory(checks: { rule: LimitRule; key: string }[]): LimitVerdict {
    let verdict: LimitVerdict = { allowed: true, retryAfter: 1 };
    for (const { rule, key } of checks) {
      let limiter = this.#memory.get(rule.bucket);
      if (!limiter) {
        limiter = new RateLimiter(rule.limit, rule.windowMs);
        this.#memory.set(rule.bucket, limiter);
      }
      if (!limiter.hit(key) && verdict.allowed) {
        verdict = { allowed: false, retryAfter: limiter.retryAfter(key) };
      }
    }
    return verdict;
  }

  /** Old counters are deleted now and then by whichever instance gets there first. */
  async #sweep(now: number): Promise<void> {
    if (now - this.#sweptAt < 60_000) return;
    this.#sweptAt = now;
    await this.#ctx.db
      .deleteFrom("widget_rate_limits")
      .where("window_start", "<", new Date(now - 3_600_000))
      .execute()
      .catch((error) => this.#ctx.log.warn({ err: error }, "widget: rate-limit sweep failed"));
  }
}

/**
 * The window of the row being updated, by bucket: each rule keeps its own length in one statement.
 */
function windowSecondsSql(checks: { rule: LimitRule }[]) {
  const cases = checks.map(({ rule }) => sql`when ${rule.bucket} then ${rule.windowMs / 1000}::float8`);
  return sql`(case r.bucket ${sql.join(cases, sql` `)} else 0 end)`;
}

function verdictOf(
  checks: { rule: LimitRule; key: string }[],
  rows: { bucket: string; hits: number; window_start: Date }[],
  now: number,
): LimitVerdict {
  for (const { rule } of checks) {
    const row = rows.find((r) => r.bucket === rule.bucket);
    if (row && Number(row.hits) > rule.limit) {
      const resetsAt = new Date(row.window_start).getTime() + rule.windowMs;
      return { allowed: false, retryAfter: Math.max(1, Math.ceil((resetsAt - now) / 1000)) };
    }
  }
  return { allowed: true, retryAfter: 1 };
}

/** The limits visitors meet, in one place. */
export const VisitorLimits = {
  messagePerVisitor: { bucket: "message:visitor", limit: 20, windowMs: 10_000 },
  messagePerAddress: { bucket: "message:address", limit: 60, windowMs: 10_000 },
  uploadPerVisitor: { bucket: "upload:visitor", limit: 10, windowMs: 600_000 },
  uploadPerAddress: { bucket: "upload:address", limit: 30, windowMs: 600_000 },
  callbackPerAddress: { bucket: "callback:address", limit: 5, windowMs: 600_000 },
  sessionPerAddress: { bucket: "session:address", limit: 30, windowMs: 60_000 },
} satisfies Record<string, LimitRule>;
