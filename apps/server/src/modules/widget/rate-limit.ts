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

type Check = { rule: LimitRule; key: string };

/** Hits accepted on this instance and not yet added to the shared counters. */
interface PendingHits {
  rule: LimitRule;
  key: string;
  hits: number;
  /** When the first of them was made (a counter whose window ran out restarts there). */
  at: number;
}

/** How long hits decided on this instance wait before they are added to the shared counters. */
const FLUSH_MS = 50;

/**
 * Limits that hold across every instance of an installation: on PostgreSQL the counters are rows
 * (one per rule and key), so two instances behind a load balancer share one budget per visitor and
 * per address. On PGlite (one process) the same rules run in memory.
 *
 * Far below the limit a hit does not wait for PostgreSQL: this instance keeps what it knows of each
 * counter (the count PostgreSQL returned at its last write, plus its own hits since) and, while that
 * stays within half the limit, allows the hit itself and adds it to the shared counter in the next
 * batched write (every FLUSH_MS, one statement for every pending counter). From half the limit on,
 * each hit is an atomic upsert whose returned count decides, carrying this instance's pending hits of
 * the same counters with it. So every hit reaches the shared counter within FLUSH_MS; an instance
 * allows hits on its own only in the first half of a budget, and a decision near the limit can miss
 * only the hits other instances allowed in their last FLUSH_MS. A visitor chatting normally costs a
 * share of one batched write, not a round trip per message.
 */
export class SharedLimits {
  readonly #ctx: AppContext;
  readonly #memory = new Map<string, RateLimiter>();
  /** Per counter: the window it is in and the hits this instance knows of in it. */
  readonly #known = new Map<string, { start: number; hits: number }>();
  #pending = new Map<string, PendingHits>();
  #flushTimer: NodeJS.Timeout | undefined;
  #sweptAt = 0;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  /** Counts one hit on every (rule, key) pair; refused when any of them is over its limit. */
  async hit(checks: Check[]): Promise<LimitVerdict> {
    if (checks.length === 0) return { allowed: true, retryAfter: 1 };
    if (this.#ctx.database.kind !== "postgres") return this.#hitInMemory(checks);
    const now = Date.now();
    const known = checks.map((check) => this.#knownOf(check, now));
    if (known.every((counter, i) => counter.hits + 1 <= checks[i].rule.limit / 2)) {
      for (const [i, check] of checks.entries()) {
        known[i].hits += 1;
        this.#addPending(check, now);
      }
      this.#scheduleFlush();
      return { allowed: true, retryAfter: 1 };
    }
    // Near the limit: this hit, with the pending ones of the same counters, is decided by PostgreSQL.
    const batch = checks.map((check) => {
      const id = counterId(check);
      const pending = this.#pending.get(id);
      this.#pending.delete(id);
      return { rule: check.rule, key: check.key, hits: (pending?.hits ?? 0) + 1, at: pending?.at ?? now };
    });
    const rows = await this.#write(batch);
    void this.#sweep(now);
    return verdictOf(checks, rows, now);
  }

  /** What this instance knows of a counter, restarted when its window has run out. */
  #knownOf(check: Check, now: number): { start: number; hits: number } {
    const id = counterId(check);
    let counter = this.#known.get(id);
    if (!counter || now - counter.start >= check.rule.windowMs) {
      if (this.#known.size > 50_000) this.#forgetExpired(now);
      counter = { start: now, hits: 0 };
      this.#known.set(id, counter);
    }
    return counter;
  }

  #addPending(check: Check, now: number): void {
    const id = counterId(check);
    const pending = this.#pending.get(id);
    if (pending) pending.hits += 1;
    else this.#pending.set(id, { rule: check.rule, key: check.key, hits: 1, at: now });
  }

  #scheduleFlush(): void {
    if (this.#flushTimer) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      void this.flush();
    }, FLUSH_MS);
    this.#flushTimer.unref();
  }

  /** Adds the hits decided here to the shared counters (tests call it to settle the counts). */
  async flush(): Promise<void> {
    if (this.#pending.size === 0) return;
    const batch = [...this.#pending.values()];
    this.#pending = new Map();
    await this.#write(batch).catch((error) =>
      this.#ctx.log.warn({ err: error }, "widget: rate-limit counts not written"),
    );
    void this.#sweep(Date.now());
  }

  /**
   * One atomic upsert for many counters: a window that has run out starts again at the batch's first
   * hit; otherwise the hits are added to it. What PostgreSQL returns becomes what this instance knows.
   */
  async #write(batch: PendingHits[]) {
    const rows = batch.map(
      ({ rule, key, hits, at }) =>
        sql`(${rule.bucket}, ${key.slice(0, 200)}, ${new Date(at)}::timestamptz, ${hits}::int)`,
    );
    const expired = sql`r.window_start <= excluded.window_start - make_interval(secs => ${windowSecondsSql(batch)})`;
    const result = await sql<{ bucket: string; key: string; hits: number; window_start: Date }>`
      insert into widget_rate_limits as r (bucket, key, window_start, hits)
      select bucket, key, at, hits from (values ${sql.join(rows)}) as v(bucket, key, at, hits)
      on conflict (bucket, key) do update set
        window_start = case when ${expired} then excluded.window_start else r.window_start end,
        hits = case when ${expired} then excluded.hits else r.hits + excluded.hits end
      returning r.bucket, r.key, r.hits, r.window_start`.execute(this.#ctx.db);
    for (const row of result.rows) {
      const id = `${row.bucket}|${row.key}`;
      const counter = { start: new Date(row.window_start).getTime(), hits: Number(row.hits) };
      // Hits allowed here while the write was on its way stay counted.
      const later = this.#pending.get(id)?.hits ?? 0;
      this.#known.set(id, { start: counter.start, hits: counter.hits + later });
    }
    return result.rows;
  }

  #forgetExpired(now: number): void {
    for (const [id, counter] of this.#known) {
      if (now - counter.start >= 3_600_000) this.#known.delete(id);
    }
    if (this.#known.size > 50_000) this.#known.clear();
  }

  #hitInMemory(checks: Check[]): LimitVerdict {
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

const counterId = (check: Check) => `${check.rule.bucket}|${check.key.slice(0, 200)}`;

/**
 * The window of the row being updated, by bucket: each rule keeps its own length in one statement.
 */
function windowSecondsSql(checks: { rule: LimitRule }[]) {
  const buckets = new Map(checks.map(({ rule }) => [rule.bucket, rule.windowMs / 1000]));
  const cases = [...buckets].map(([bucket, secs]) => sql`when ${bucket} then ${secs}::float8`);
  return sql`(case r.bucket ${sql.join(cases, sql` `)} else 0 end)`;
}

function verdictOf(
  checks: Check[],
  rows: { bucket: string; key: string; hits: number; window_start: Date }[],
  now: number,
): LimitVerdict {
  for (const { rule, key } of checks) {
    const row = rows.find((r) => r.bucket === rule.bucket && r.key === key.slice(0, 200));
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
