/** What a bench run may be tuned with, read once from the environment. */
export interface BenchSettings {
  pgConversations: number;
  pgliteConversations: number;
  contacts: number;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  coldStarts: number;
  adminDatabaseUrl: string;
  timeoutMinutes: number;
  output: string | undefined;
}

export class SettingsError extends Error {}

/** Reads BENCH_* variables; every problem is reported at once so a typo costs one try, not several. */
export function readSettings(env: Record<string, string | undefined> = process.env): BenchSettings {
  const problems: string[] = [];
  const number = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.replaceAll("_", "");
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${env[name]}")`);
      return fallback;
    }
    return value;
  };
  const settings: BenchSettings = {
    pgConversations: number("BENCH_PG_CONVERSATIONS", 1_000_000, 100, 50_000_000),
    pgliteConversations: number("BENCH_PGLITE_CONVERSATIONS", 100_000, 100, 5_000_000),
    contacts: number("BENCH_CONTACTS", 10_000, 10, 1_000_000),
    durationSeconds: number("BENCH_DURATION", 10, 1, 600),
    warmupSeconds: number("BENCH_WARMUP", 2, 0, 60),
    connections: number("BENCH_CONNECTIONS", 50, 1, 1000),
    coldStarts: number("BENCH_COLD_STARTS", 3, 1, 20),
    adminDatabaseUrl: env.BENCH_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres",
    timeoutMinutes: number("BENCH_TIMEOUT_MINUTES", 30, 1, 24 * 60),
    output: env.BENCH_OUTPUT || undefined,
  };
  if (!/^postgres(ql)?:\/\//.test(settings.adminDatabaseUrl))
    problems.push(`BENCH_DATABASE_URL must start with postgres:// (got "${settings.adminDatabaseUrl}")`);
  if (problems.length > 0) throw new SettingsError(problems.map((p) => `  - ${p}`).join("\n"));
  return settings;
}

export const settingsHelp = `Settings (environment variables):
  BENCH_PG_CONVERSATIONS      conversations seeded in PostgreSQL      (default 1000000)
  BENCH_PGLITE_CONVERSATIONS  conversations seeded in embedded PGlite (default 100000)
  BENCH_CONTACTS              contacts the conversations belong to    (default 10000)
  BENCH_DURATION              seconds of load per measurement         (default 10)
  BENCH_WARMUP                seconds of unrecorded load before each  (default 2)
  BENCH_CONNECTIONS           concurrent connections                  (default 50)
  BENCH_COLD_STARTS           starts timed per cold-start case        (default 3)
  BENCH_DATABASE_URL          PostgreSQL where a throwaway database is created and dropped
                              (default postgres://postgres@127.0.0.1:5432/postgres)
  BENCH_TIMEOUT_MINUTES       the whole run stops (and cleans up) after this (default 30)
  BENCH_OUTPUT                also write the results as JSON to this file`;
