import { readFileSync } from "node:fs";
import pg from "pg";

/*
 * CPU time spent per request. On a shared machine throughput moves with the neighbours' load, but
 * the CPU a request costs barely does; it also tells whether the time goes to Node or to PostgreSQL.
 */

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux the project runs on

/** User + system CPU milliseconds a process has used so far (all threads), or undefined if unknown. */
export function cpuMsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may contain spaces; fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** A set of processes whose CPU time is measured over a load run. */
export type CpuWatch = () => Promise<number[]>;

export async function cpuSnapshot(watch: CpuWatch): Promise<Map<number, number>> {
  const snapshot = new Map<number, number>();
  for (const pid of await watch()) {
    const ms = cpuMsOf(pid);
    if (ms !== undefined) snapshot.set(pid, ms);
  }
  return snapshot;
}

/** CPU milliseconds used between two snapshots; processes that appeared in between count from zero. */
export function cpuBetween(before: Map<number, number>, after: Map<number, number>): number | undefined {
  if (after.size === 0) return undefined;
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

/**
 * The PostgreSQL backends serving one database, when PostgreSQL runs on this machine (otherwise
 * their /proc entries do not exist and the figure is reported as unknown). With `application`, only
 * the sessions with that application_name (`include`), or only the others; two servers sharing one
 * database in a run are told apart this way.
 */
export function postgresBackends(
  adminUrl: string,
  database: string,
  application?: { name: string; include: boolean },
): CpuWatch {
  return async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ pid: number }>(
        `select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()
         and ($2::text is null or (application_name = $2) = $3)`,
        [database, application?.name ?? null, application?.include ?? true],
      );
      return rows.map((row) => row.pid);
    } finally {
      await client.end();
    }
  };
}
