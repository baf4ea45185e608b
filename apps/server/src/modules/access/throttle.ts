import { sql } from "kysely";
import type { Db } from "../../db/database.ts";

/*
 * Login throttling, kept in the database so that every instance sees the same count.
 * After a number of failures inside WINDOW for one key, the key is locked for LOCK; a success clears
 * the email's count. An IP gets more tries than an email, since one office may share an address.
 */
export const MAX_FAILURES_PER_EMAIL = 5;
export const MAX_FAILURES_PER_IP = 50;
const WINDOW_SECONDS = 15 * 60;
const LOCK_SECONDS = 15 * 60;

/** Seconds until the key may try again, or 0 when it may try now. */
export async function lockedFor(db: Db, key: string, now: Date): Promise<number> {
  const row = await db
    .selectFrom("login_throttle")
    .select("locked_until")
    .where("key", "=", key)
    .executeTakeFirst();
  if (!row?.locked_until) return 0;
  const remaining = Math.ceil((new Date(row.locked_until).getTime() - now.getTime()) / 1000);
  return Math.max(remaining, 0);
}

export async function recordFailure(db: Db, key: string, maxFailures: number, now: Date): Promise<void> {
  await sql`
    insert into login_throttle (key, failures, window_started_at, locked_until)
    values (${key}, 1, ${now}, null)
    on conflict (key) do update set
      failures = case when login_throttle.window_started_at < ${now}::timestamptz - make_interval(secs => ${WINDOW_SECONDS})
                      then 1 else login_throttle.failures + 1 end,
      window_started_at = case when login_throttle.window_started_at < ${now}::timestamptz - make_interval(secs => ${WINDOW_SECONDS})
                      then ${now} else login_throttle.window_started_at end,
      locked_until = case when login_throttle.window_started_at >= ${now}::timestamptz - make_interval(secs => ${WINDOW_SECONDS})
                           and login_throttle.failures + 1 >= ${maxFailures}
                      then ${now}::timestamptz + make_interval(secs => ${LOCK_SECONDS}) else null end
  `.execute(db);
}

export async function clearFailures(db: Db, key: string): Promise<void> {
  await db.deleteFrom("login_throttle").where("key", "=", key).execute();
}
