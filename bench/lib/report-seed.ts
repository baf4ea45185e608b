import type { Database } from "../../apps/server/src/db/database.ts";
import { migrateToLatest } from "../../apps/server/src/db/migrate.ts";
import { addMember, createWorkspace, upsertAgent } from "../../apps/server/src/modules/workspaces/service.ts";

export interface ReportSeedPlan {
  conversations: number;
  /** First and last local date of the year of data (the report's range). */
  from: string;
  to: string;
  timeZone: string;
  batchSize: number;
}

export interface ReportWorkspace {
  workspaceId: string;
  ownerId: string;
  messages: number;
  responses: number;
}

const CHANNELS = ["email", "chat", "callback", "api"];
const AGENTS = 10;

/**
 * A year of support history, written straight into the tables with `insert … select … from
 * generate_series` (row numbers hashed into varied, repeatable values): per conversation a
 * customer's request, for 92% a human answer between 10 seconds and 2 days later (log-uniform),
 * for 85% of those a resolve, for a fifth an internal note, and for 30% of resolved ones a survey
 * answer (55% great, 25% good, 12% okay, 8% bad; a fifth with a comment). The conversations'
 * own metric columns agree with their messages, so the plain-SQL baseline and the rollups describe
 * the same conversations.
 */
export async function seedReportWorkspace(
  database: Database,
  plan: ReportSeedPlan,
  progress: (message: string) => void,
): Promise<ReportWorkspace> {
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  await migrateToLatest(database.db);
  const { workspaceId, ownerId } = await createWorkspace(database.db, {
    name: "Reports bench",
    slug: "reports-bench",
    owner: { email: "owner@reports.bench.test", name: "Owner", password: "a password nobody uses" },
  });
  await database.db
    .updateTable("workspaces")
    .set({ settings: JSON.stringify({ time_zone: plan.timeZone }) })
    .where("id", "=", workspaceId)
    .execute();
  const agents = [ownerId];
  for (let i = 1; i < AGENTS; i++) {
    const id = await upsertAgent(database.db, `agent${i}@reports.bench.test`, `Agent ${i}`, null);
    await addMember(database.db, workspaceId, id, "agent");
    agents.push(id);
  }
  const w = `'${workspaceId}'::uuid`;
  const agentArray = `array[${agents.map((a) => `'${a}'`).join(",")}]::uuid[]`;
  await run(
    database,
    `insert into inboxes (workspace_id, id, name, channel, address)
     select ${w}, ${uuid("inbox", "i")}, initcap(c) || ' inbox', c,
            case when c = 'email' then 'support@reports.bench.test' end
     from unnest(array['${CHANNELS.join("','")}']) with ordinality as t(c, i);
     insert into contacts (workspace_id, id, name, email)
     select ${w}, ${uuid("contact", "g")}, 'Customer ' || g, 'customer' || g || '@example.com'
     from generate_series(1, 5000) g`,
  );
  const start = `(timestamp '${plan.from} 00:00' at time zone '${plan.timeZone}')`;
  const end = `(timestamp '${plan.to} 00:00' at time zone '${plan.timeZone}' + interval '1 day')`;
  const h = (seed: number) => `abs(hashint4extended(g, ${seed}))`;
  for (let from = 1; from <= plan.conversations; from += plan.batchSize) {
    const to = Math.min(plan.conversations, from + plan.batchSize - 1);
    await run(
      database,
      `create temporary table seed as
       select g, ${uuid("conversation", "g")} as id, ${uuid("inbox", "1 + g % 4")} as inbox_id,
              (array['${CHANNELS.join("','")}'])[1 + g % 4] as channel, ${uuid("contact", "1 + g % 5000")} as contact_id,
              (${agentArray})[1 + ${h(1)} % ${AGENTS}] as agent_id, t0,
              case when ${h(3)} % 100 < 92 then t0 + round(exp(ln(10) + (${h(4)} % 10000) / 10000.0 * (ln(172800) - ln(10)))) * interval '1 second' end as answered,
              ${h(5)} % 100 < 85 as resolves, ${h(6)} % 86400 as resolve_after, ${h(7)} % 100 < 20 as noted,
              ${h(8)} % 100 < 30 as surveyed, ${h(9)} % 100 as mood, ${h(10)} % 100 < 20 as commented, ${h(11)} % 7200 as answer_after
       from (select g, ${start} + (${h(2)} % (extract(epoch from ${end} - ${start}))::bigint) * interval '1 second' as t0
             from generate_series(${from}, ${to}) g) s;
       insert into conversations (workspace_id, id, number, inbox_id, contact_id, channel, subject, status, assignee_id,
         preview, message_count, first_customer_message_at, first_human_response_at, waiting_since, resolved_at,
         last_activity_at, created_at, updated_at)
       select ${w}, id, g, inbox_id, contact_id, channel, 'Question ' || g,
              case when answered is null then 'open' when resolves then 'resolved' else 'pending' end,
              case when answered is not null then agent_id end, 'Hello, about my invoice',
              case when answered is null then 1 else 2 end + case when noted then 1 else 0 end,
              t0, answered, case when answered is null then t0 end,
              case when answered is not null and resolves then answered + resolve_after * interval '1 second' end,
              coalesce(answered, t0), t0, coalesce(answered, t0)
       from seed;
       insert into messages (workspace_id, conversation_id, kind, author_agent_id, author_contact_id, body_text, sent_by_human, created_at)
       select ${w}, id, 'incoming', null, contact_id, 'Hello, about my invoice', false, t0 from seed
       union all
       select ${w}, id, 'outgoing', agent_id, null, 'Here is what happened', true, answered from seed where answered is not null
       union all
       select ${w}, id, 'note', agent_id, null, 'Checked billing', false, t0 + interval '1 minute' from seed where noted;
       insert into surveys (workspace_id, id, conversation_id, contact_id, inbox_id, channel, agent_id, resolved_at, state, scheduled_for, sent_at)
       select ${w}, ${uuid("survey", "g")}, id, contact_id, inbox_id, channel, agent_id, r, 'sent', r, r + interval '1 hour'
       from (select *, answered + resolve_after * interval '1 second' as r from seed where answered is not null and resolves and surveyed) x;
       insert into survey_responses (workspace_id, survey_id, rating, comment, responded_at, updated_at)
       select ${w}, ${uuid("survey", "g")},
              case when mood < 55 then 'great' when mood < 80 then 'good' when mood < 92 then 'okay' else 'bad' end,
              case when commented then 'It took a while, but thanks' end, a, a
       from (select *, answered + resolve_after * interval '1 second' + interval '1 hour' + answer_after * interval '1 second' as a
             from seed where answered is not null and resolves and surveyed) x;
       drop table seed`,
    );
    progress(
      `seeded ${to.toLocaleString("en-US")} / ${plan.conversations.toLocaleString("en-US")} conversations (${elapsed()})`,
    );
  }
  await run(
    database,
    `insert into workspace_counters (workspace_id, name, value) values (${w}, 'conversation', ${plan.conversations})`,
  );
  for (const table of ["conversations", "messages", "surveys", "survey_responses"])
    await run(database, `vacuum analyze ${table}`);
  const count = async (table: string) =>
    Number(
      (
        (await database.executeSql(`select count(*)::int as n from ${table} where workspace_id = ${w}`)) as {
          rows: { n: number }[];
        }
      ).rows[0].n,
    );
  return {
    workspaceId,
    ownerId,
    messages: await count("messages"),
    responses: await count("survey_responses"),
  };
}

/** A uuid derived from a row number (md5, marked version 4 like the app's own ids). */
function uuid(kind: string, number: string): string {
  return `overlay(overlay(md5('kw-reports-${kind}-' || (${number})) placing '4' from 13) placing '8' from 17)::uuid`;
}

async function run(database: Database, sql: string): Promise<void> {
  // The embedded engine takes one statement per extended-protocol query; exec (no values) takes many.
  await database.executeSql(sql);
}
