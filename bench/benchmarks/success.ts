import { randomBytes } from "node:crypto";
import autocannon from "autocannon";
import Stripe from "stripe";
import type { AppContext } from "../../apps/server/src/context.ts";
import { type Database, openPostgres } from "../../apps/server/src/db/database.ts";
import { migrateToLatest } from "../../apps/server/src/db/migrate.ts";
import { recomputeCompanies, recomputeWorkspace } from "../../apps/server/src/modules/health/recompute.ts";
import { createDemoToken, expectOk } from "../lib/api.ts";
import type { BenchContext, Benchmark } from "../lib/context.ts";
import { temporaryDataDir, throwawayPostgres } from "../lib/databases.ts";
import { spawnKeepwell, waitForReady } from "../lib/processes.ts";
import { type FactRow, median, type Section } from "../lib/report.ts";

/** The aims: a full recompute of 100,000 companies under 60 s, one company under 10 ms. */
const COMPANIES = Number(process.env.BENCH_HEALTH_COMPANIES ?? 100_000);
const FULL_AIM_SECONDS = 60;
const SINGLE_AIM_MS = 10;
const SINGLE_RUNS = 200;
const WS = "00000000-0000-4000-8000-00000000c0de";

export const successBenchmarks: Benchmark[] = [
  {
    name: "health-postgres",
    summary: `customer health: full recompute of ${COMPANIES.toLocaleString("en-US")} companies and of one company vs reading the same rows (BENCH_HEALTH_COMPANIES)`,
    run: (ctx) => health(ctx),
  },
  {
    name: "stripe-webhooks-postgres",
    summary: "Stripe webhooks: signed subscription events accepted per second vs the hello-world baseline",
    run: (ctx) => webhooks(ctx),
  },
];

function rows(result: unknown): Record<string, unknown>[] {
  const r = result as { rows?: Record<string, unknown>[] } | { rows: Record<string, unknown>[] }[];
  return Array.isArray(r) ? (r.at(-1)?.rows ?? []) : (r.rows ?? []);
}

/**
 * One workspace of `companies` companies, as a real one looks: two contacts each, a conversation
 * for half of them (some slow to answer), survey answers for a fifth, usage on a few days, and an
 * open dunning case for one in a hundred. Bulk SQL, so seeding takes seconds, not hours.
 */
export async function seedHealthWorkspace(database: Database, companies: number): Promise<void> {
  const sql = (text: string) => database.executeSql(text, []);
  await sql(`insert into workspaces (id, name, slug) values ('${WS}', 'Bench', 'bench-health')`);
  await sql(
    `insert into inboxes (workspace_id, id, name, channel) values ('${WS}', '00000000-0000-4000-8000-00000000beef', 'API', 'api')`,
  );
  await sql(
    `insert into companies (workspace_id, id, name, seats, seats_used)
     select '${WS}', gen_random_uuid(), 'Company ' || i, s, floor(s * random() * 1.05)::int from generate_series(1, ${companies}) i, lateral (select 10 + (i % 40) as s) seats`,
  );
  await sql(
    `insert into contacts (workspace_id, id, email, company_id)
     select '${WS}', gen_random_uuid(), 'p' || n || '-' || c.id || '@bench.test', c.id from companies c, generate_series(1, 2) n
     where c.workspace_id = '${WS}'`,
  );
  await sql(
    `insert into conversations (workspace_id, id, number, inbox_id, contact_id, channel, status, first_customer_message_at, first_human_response_at, created_at, last_activity_at)
     select '${WS}', gen_random_uuid(), row_number() over (), '00000000-0000-4000-8000-00000000beef', x.id, 'api',
       case when random() < 0.7 then 'resolved' else 'open' end,
       x.at, x.at + (random() * interval '40 hours'), x.at, x.at + interval '1 hour'
     from (select id, now() - random() * interval '60 days' as at from contacts where workspace_id = '${WS}' and email like 'p1-%' and random() < 0.5) x`,
  );
  await sql(
    `insert into surveys (workspace_id, id, conversation_id, contact_id, inbox_id, channel, resolved_at, state, scheduled_for, sent_at)
     select workspace_id, gen_random_uuid(), id, contact_id, inbox_id, channel, created_at, 'sent', created_at, created_at
     from conversations where workspace_id = '${WS}' and random() < 0.4`,
  );
  await sql(
    `insert into survey_responses (workspace_id, survey_id, rating, comment, responded_at, updated_at)
     select workspace_id, id, (array['great','good','okay','bad'])[1 + floor(random() * 4)::int], case when random() < 0.3 then 'Thanks' end, sent_at, sent_at
     from surveys where workspace_id = '${WS}'`,
  );
  await sql(
    `insert into usage_daily (workspace_id, company_id, day, quantity)
     select '${WS}', c.id, (now() - (d * 10 || ' days')::interval)::date, 1 + floor(random() * 20)::int
     from companies c, generate_series(0, 5) d where c.workspace_id = '${WS}' on conflict do nothing`,
  );
  await sql(
    `insert into dunning_cases (workspace_id, company_id, reason, state, opened_at, grace_ends_at, next_step_at)
     select '${WS}', id, 'payment_failed', 'open', now() - interval '2 days', now() + interval '12 days', now() + interval '1 day'
     from companies where workspace_id = '${WS}' and random() < 0.01`,
  );
  await sql("analyze");
}

async function health(ctx: BenchContext): Promise<Section[]> {
  const { settings, cleanup, progress } = ctx;
  const created = await throwawayPostgres(cleanup, settings.adminDatabaseUrl);
  progress(`created database ${created.name}`);
  const database = await openPostgres(created.url, 4);
  const closeDatabase = cleanup.add("close the health database", () => database.close());
  await migrateToLatest(database.db);
  progress(
    `seeding ${COMPANIES.toLocaleString("en-US")} companies with contacts, conversations, ratings, usage`,
  );
  let t = performance.now();
  await seedHealthWorkspace(database, COMPANIES);
  const seedSeconds = (performance.now() - t) / 1000;

  const app = {
    db: database.db,
    events: { publish: async () => {} },
    now: () => new Date(),
  } as unknown as AppContext;
  const ids = rows(
    await database.executeSql(
      `select id from companies where workspace_id = '${WS}' order by random() limit ${SINGLE_RUNS}`,
      [],
    ),
  ).map((r) => String(r.id));

  // Baselines: the same companies read in the same batches, and one company read by its key.
  progress("baseline: reading every company row in batches of 1,000");
  t = performance.now();
  let after = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    const batch = rows(
      await database.executeSql(
        `select id, name, seats, seats_used from companies where workspace_id = $1 and id > $2 order by id limit 1000`,
        [WS, after],
      ),
    );
    if (batch.length === 0) break;
    after = String(batch.at(-1)!.id);
  }
  const scanSeconds = (performance.now() - t) / 1000;
  const lookups: number[] = [];
  for (const id of ids) {
    t = performance.now();
    await database.executeSql("select * from companies where workspace_id = $1 and id = $2", [WS, id]);
    lookups.push(performance.now() - t);
  }

  progress("full recompute of the workspace");
  t = performance.now();
  const count = await recomputeWorkspace(app, WS);
  const fullSeconds = (performance.now() - t) / 1000;
  progress(
    `incremental recompute of ${SINGLE_RUNS} single companies (as the job does, with change detection)`,
  );
  const singles: number[] = [];
  for (const id of ids) {
    t = performance.now();
    await recomputeCompanies(app, WS, [id], { publish: true });
    singles.push(performance.now() - t);
  }
  const flagged = rows(
    await database.executeSql(
      `select count(*) filter (where at_risk)::int as at_risk, count(*) filter (where upsell)::int as upsell, count(*) filter (where advocate)::int as advocate from company_health where workspace_id = '${WS}'`,
      [],
    ),
  )[0];
  await closeDatabase();

  const singleMs = median(singles);
  const lookupMs = median(lookups);
  const facts: FactRow[] = [
    {
      label: "seed",
      value: seedSeconds,
      unit: "s",
      detail: `${COMPANIES.toLocaleString("en-US")} companies`,
    },
    {
      label: "full recompute: every company of the workspace",
      value: fullSeconds,
      unit: "s",
      detail: `${fullSeconds < FULL_AIM_SECONDS ? "✓" : "✗"} < ${FULL_AIM_SECONDS} s · ${count.toLocaleString("en-US")} companies · flags: ${flagged?.at_risk} at risk, ${flagged?.upsell} upsell, ${flagged?.advocate} advocates`,
    },
    { label: "baseline: read every company row in the same batches", value: scanSeconds, unit: "s" },
    { label: "full recompute / read", value: fullSeconds / scanSeconds, unit: "×" },
    {
      label: "incremental recompute of one company",
      value: singleMs,
      unit: "ms",
      detail: `${singleMs < SINGLE_AIM_MS ? "✓" : "✗"} < ${SINGLE_AIM_MS} ms · median of ${SINGLE_RUNS}, p99 ${singles.sort((a, b) => a - b)[Math.floor(SINGLE_RUNS * 0.99)]?.toFixed(1)} ms`,
    },
    {
      label: "baseline: read one company by its key",
      value: lookupMs,
      unit: "ms",
      detail: `median of ${SINGLE_RUNS}`,
    },
    { label: "one recompute / one read", value: singleMs / lookupMs, unit: "×" },
  ];
  return [
    {
      title: `Customer health on PostgreSQL: ${COMPANIES.toLocaleString("en-US")} companies`,
      context: "the health module's own code in-process against reading the same rows, on the same database",
      loads: [],
      facts,
    },
  ];
}

/**
 * A running Keepwell on PostgreSQL receives subscription events signed with Stripe's SDK, each with
 * its own event id (so each one is applied, not skipped as a duplicate), from the same number of
 * connections as the baseline load.
 */
async function webhooks(ctx: BenchContext): Promise<Section[]> {
  const { settings, cleanup, progress } = ctx;
  const baseline = await ctx.baseline();
  const created = await throwawayPostgres(cleanup, settings.adminDatabaseUrl);
  const data = temporaryDataDir(cleanup, "webhooks");
  const password = randomBytes(12).toString("base64url");
  const server = await spawnKeepwell(cleanup, {
    dataDir: data.dir,
    databaseUrl: created.url,
    demoPassword: password,
  });
  await waitForReady(server);
  const token = await createDemoToken(server.url, "owner@demo.keepwell.test", password);
  const headers = { authorization: `Bearer ${token}` };
  const secret = `whsec_bench${randomBytes(16).toString("hex")}`;
  const billing = await expectOk<{ webhook_url: string }>(
    "billing settings",
    `${server.url}/api/v1/billing/settings`,
    {
      method: "PUT",
      headers,
      body: { stripe_webhook_secret: secret },
    },
  );
  const path = new URL(billing.webhook_url).pathname;
  const signer = new Stripe("sk_test_bench").webhooks;
  let n = 0;
  const nextEvent = () => {
    n += 1;
    const created = Math.floor(Date.now() / 1000);
    const payload = JSON.stringify({
      id: `evt_bench_${n}`,
      object: "event",
      type: "customer.subscription.updated",
      created,
      data: {
        object: {
          id: `sub_bench_${n % 1000}`,
          object: "subscription",
          customer: `cus_bench_${n % 1000}`,
          status: "active",
          items: {
            data: [
              { id: `si_${n % 1000}`, quantity: 1 + (n % 9), price: { nickname: "Team", unit_amount: 2900 } },
            ],
          },
        },
      },
    });
    return { payload, signature: signer.generateTestHeaderString({ payload, secret, timestamp: created }) };
  };
  progress(`measuring signed webhooks (${settings.connections} connections, ${settings.durationSeconds} s)`);
  const latencies: number[] = [];
  const runFor = (seconds: number, record: boolean) =>
    autocannon({
      url: server.url,
      connections: settings.connections,
      duration: seconds,
      timeout: 10,
      requests: [
        {
          method: "POST",
          path,
          setupRequest: (request) => {
            const event = nextEvent();
            return {
              ...request,
              body: event.payload,
              headers: { "content-type": "application/json", "stripe-signature": event.signature },
            };
          },
        },
      ],
    }).on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (record && status === 200) latencies.push(ms);
    });
  if (settings.warmupSeconds > 0) await runFor(settings.warmupSeconds, false);
  const result = await runFor(settings.durationSeconds, true);
  const accepted = latencies.length / result.duration;
  latencies.sort((a, b) => a - b);
  const applied = await expectOk<{ data: unknown[] }>("companies", `${server.url}/api/v1/companies?limit=5`, {
    headers,
  });
  const facts: FactRow[] = [
    {
      label: "signed events accepted per second",
      value: accepted,
      unit: "/s",
      detail: `${result.non2xx + result.errors} failed · p50 ${latencies[Math.floor(latencies.length / 2)]?.toFixed(1)} ms · p99 ${latencies[Math.floor(latencies.length * 0.99)]?.toFixed(1)} ms · ${applied.data.length > 0 ? "companies mirrored" : "nothing mirrored!"}`,
    },
    {
      label: "baseline: hello-world requests per second",
      value: baseline.result.requestsPerSecond,
      unit: "/s",
    },
    { label: "webhooks / baseline", value: accepted / baseline.result.requestsPerSecond, unit: "×" },
  ];
  return [
    {
      title: "Stripe webhooks on PostgreSQL: signed, verified, applied once each",
      context:
        "keepwell start as a user runs it; each event verified with the SDK, recorded by id and applied in one transaction",
      loads: [],
      facts,
    },
  ];
}
