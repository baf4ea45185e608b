import type { AppContext } from "../../apps/server/src/context.ts";
import { type Database, openPostgres } from "../../apps/server/src/db/database.ts";
import { migrateToLatest } from "../../apps/server/src/db/migrate.ts";
import { Jobs } from "../../apps/server/src/jobs/jobs.ts";
import { STEP_QUEUE, tick } from "../../apps/server/src/modules/sequences/scheduler.ts";
import type { BenchContext, Benchmark } from "../lib/context.ts";
import { throwawayPostgres } from "../lib/databases.ts";
import { type FactRow, median, type Section } from "../lib/report.ts";

/** The aim: the due steps of 100,000 contacts queued in under 30 s on PostgreSQL. */
const CONTACTS = Number(process.env.BENCH_SEQUENCE_CONTACTS ?? 100_000);
const AIM_SECONDS = 30;
const BASELINE_RUNS = 5;

export const sequenceBenchmarks: Benchmark[] = [
  {
    name: "sequences-postgres",
    summary: `sequence scheduler: find and queue the due step of ${CONTACTS.toLocaleString("en-US")} contacts vs a plain indexed scan (BENCH_SEQUENCE_CONTACTS)`,
    run: (ctx) => sequences(ctx),
  },
];

function rows(result: unknown): Record<string, unknown>[] {
  const r = result as { rows?: Record<string, unknown>[] } | { rows: Record<string, unknown>[] }[];
  return Array.isArray(r) ? (r.at(-1)?.rows ?? []) : (r.rows ?? []);
}

/** One workspace, one email sequence, CONTACTS contacts each due for their first step (bulk SQL). */
async function seed(database: Database, contacts: number): Promise<void> {
  const sql = (text: string) => database.executeSql(text, []);
  await sql(
    `insert into workspaces (id, name, slug) values ('00000000-0000-4000-8000-000000000001', 'Bench', 'bench-seq')`,
  );
  await sql(
    `insert into inboxes (workspace_id, id, name, channel, address) values ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', 'Mail', 'email', 'hello@bench.test')`,
  );
  await sql(
    `insert into sequences (workspace_id, id, name, inbox_id, state) values ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000003', 'Onboarding', '00000000-0000-4000-8000-000000000002', 'active')`,
  );
  await sql(
    `insert into sequence_steps (workspace_id, sequence_id, position, delay_amount, delay_unit, subject, body) values ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000003', 0, 0, 'days', 'Welcome', 'Hello')`,
  );
  await sql(
    `insert into contacts (workspace_id, id, email) select '00000000-0000-4000-8000-000000000001', gen_random_uuid(), 'c' || i || '@bench.test' from generate_series(1, ${contacts}) i`,
  );
  // Due times spread over the last day; a tenth more are not yet due, as in a real workspace.
  await sql(
    `insert into sequence_enrollments (workspace_id, sequence_id, contact_id, state, next_position, due_at, entered_via, entered_at)
     select workspace_id, '00000000-0000-4000-8000-000000000003', id, 'active', 0, now() - (random() * interval '1 day'), 'manual', now() - interval '1 day'
     from contacts where workspace_id = '00000000-0000-4000-8000-000000000001'`,
  );
  await sql(
    `insert into contacts (workspace_id, id, email) select '00000000-0000-4000-8000-000000000001', gen_random_uuid(), 'later' || i || '@bench.test' from generate_series(1, ${Math.ceil(contacts / 10)}) i`,
  );
  await sql(
    `insert into sequence_enrollments (workspace_id, sequence_id, contact_id, state, next_position, due_at, entered_via, entered_at)
     select c.workspace_id, '00000000-0000-4000-8000-000000000003', c.id, 'active', 0, now() + interval '3 days', 'manual', now()
     from contacts c where c.email like 'later%'`,
  );
  await sql("analyze sequence_enrollments");
}

async function sequences(ctx: BenchContext): Promise<Section[]> {
  const { settings, cleanup, progress } = ctx;
  const created = await throwawayPostgres(cleanup, settings.adminDatabaseUrl);
  progress(`created database ${created.name}`);
  const database = await openPostgres(created.url, 4);
  const closeDatabase = cleanup.add("close the sequences database", () => database.close());
  await migrateToLatest(database.db);
  progress(`seeding ${CONTACTS.toLocaleString("en-US")} contacts due for a sequence step`);
  let t = performance.now();
  await seed(database, CONTACTS);
  const seedSeconds = (performance.now() - t) / 1000;

  // The baseline: the same rows read straight off the partial index, nothing claimed or queued.
  const scan = async () =>
    rows(
      await database.executeSql(
        "select workspace_id, id, next_position from sequence_enrollments where state = 'active' and due_at <= now() order by due_at",
        [],
      ),
    ).length;
  const found = await scan();
  const scanTimes: number[] = [];
  for (let i = 0; i < BASELINE_RUNS; i++) {
    t = performance.now();
    await scan();
    scanTimes.push(performance.now() - t);
  }

  const jobs = new Jobs(database, { databaseUrl: created.url });
  jobs.define(STEP_QUEUE, { retryLimit: 6 }, async () => {});
  await jobs.start(false);
  const stopJobs = cleanup.add("stop pg-boss", () => jobs.stop());
  const app = { db: database.db, jobs, now: () => new Date() } as unknown as AppContext;
  progress("running one scheduler tick (claim in batches of 1,000, queue one pg-boss job each)");
  t = performance.now();
  const stats = { claimMs: 0, queueMs: 0 };
  const queued = await tick(app, stats);
  const tickSeconds = (performance.now() - t) / 1000;
  const jobCount = Number(
    rows(
      await database.executeSql(`select count(*)::int as n from pgboss.job where name = '${STEP_QUEUE}'`, []),
    )[0]?.n ?? 0,
  );
  await stopJobs();
  await closeDatabase();

  const scanMs = median(scanTimes);
  const facts: FactRow[] = [
    {
      label: "seed",
      value: seedSeconds,
      unit: "s",
      detail: `${CONTACTS.toLocaleString("en-US")} due + ${Math.ceil(CONTACTS / 10).toLocaleString("en-US")} not yet due`,
    },
    {
      label: "scheduler tick: find, claim and queue every due step",
      value: tickSeconds,
      unit: "s",
      detail: `${tickSeconds < AIM_SECONDS ? "✓" : "✗"} < ${AIM_SECONDS} s · ${queued.toLocaleString("en-US")} queued, ${jobCount.toLocaleString("en-US")} jobs in pg-boss`,
    },
    { label: "  of which claiming due rows", value: stats.claimMs / 1000, unit: "s" },
    { label: "  of which queueing pg-boss jobs", value: stats.queueMs / 1000, unit: "s" },
    {
      label: "baseline: plain indexed scan of the due rows",
      value: scanMs,
      unit: "ms",
      detail: `${found.toLocaleString("en-US")} rows · median of ${BASELINE_RUNS}`,
    },
    { label: "tick / scan", value: (tickSeconds * 1000) / scanMs, unit: "×" },
  ];
  return [
    {
      title: `Sequence scheduling on PostgreSQL: ${CONTACTS.toLocaleString("en-US")} contacts due`,
      context:
        "one tick of the scheduler's own code against reading the same rows, in-process on the same database",
      loads: [],
      facts,
    },
  ];
}
