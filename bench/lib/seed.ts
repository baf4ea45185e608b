import { randomUUID } from "node:crypto";
import type { Database } from "../../apps/server/src/db/database.ts";
import { migrateToLatest } from "../../apps/server/src/db/migrate.ts";
import { addMember, createWorkspace, upsertAgent } from "../../apps/server/src/modules/workspaces/service.ts";

export interface SeedPlan {
  conversations: number;
  contacts: number;
  /** Open chat conversations given a short message history; message creation rotates over them. */
  targets: number;
  ownerPassword: string;
  /** Rows per INSERT … SELECT; smaller for the embedded engine, which holds a batch in WebAssembly memory. */
  batchSize: number;
  /** maintenance_work_mem for rebuilding indexes, e.g. "256MB". */
  indexMemory: string;
}

export interface SeededWorkspace {
  workspaceId: string;
  ownerEmail: string;
  ownerPassword: string;
  /** A tag carried by about 6% of the conversations, for the tag filter. */
  tagName: string;
  targetConversationIds: string[];
}

const OWNER_EMAIL = "owner@bench.keepwell.test";
const CHANNELS = ["email", "chat", "callback", "api"];
const TAGS = ["billing", "bug", "feature-request", "onboarding", "refund", "urgent", "vip", "churn-risk"];
const AGENTS = 6;

/**
 * Seeds one workspace with the project's own migrations and services, then bulk data with
 * `insert … select … from generate_series`, which runs entirely inside the database.
 * Ids are derived from the row number (md5 → uuid), so conversations reference contacts, inboxes
 * and agents without joins, and the same plan always gives the same data.
 */
export async function seedWorkspace(
  database: Database,
  plan: SeedPlan,
  progress: (message: string) => void,
): Promise<SeededWorkspace> {
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  await migrateToLatest(database.db);
  const { workspaceId, ownerId } = await createWorkspace(database.db, {
    name: "Bench",
    slug: "bench",
    owner: { email: OWNER_EMAIL, name: "Bench Owner", password: plan.ownerPassword },
  });
  const agentIds = [ownerId];
  for (let i = 1; i < AGENTS; i++) {
    const id = await upsertAgent(database.db, `agent${i}@bench.keepwell.test`, `Agent ${i}`, null);
    await addMember(database.db, workspaceId, id, "agent");
    agentIds.push(id);
  }
  const w = `'${workspaceId}'::uuid`;
  const uuids = (ids: string[]) => `array[${ids.map((id) => `'${id}'`).join(",")}]::uuid[]`;
  const inboxIds = CHANNELS.map(() => randomUUID());
  const tagIds = TAGS.map(() => randomUUID());
  // Foreign-key checks cost more than the inserts; the generated rows are consistent by construction.
  const relaxed = await canSkipTriggers(database);
  const batch = (sql: string) =>
    run(database, relaxed ? `begin; set local session_replication_role = replica; ${sql}; commit` : sql);

  await batch(`
    insert into inboxes (workspace_id, id, name, channel, address)
    select ${w}, (${uuids(inboxIds)})[i], initcap(c) || ' inbox', c,
           case when c = 'email' then 'support@bench.keepwell.test' end
    from unnest(array['${CHANNELS.join("','")}']) with ordinality as t(c, i);
    insert into tags (workspace_id, id, name)
    select ${w}, (${uuids(tagIds)})[i], n from unnest(array['${TAGS.join("','")}']) with ordinality as t(n, i);
    insert into contacts (workspace_id, id, name, email, created_at, updated_at)
    select ${w}, ${uuidExpr("contact", "g")}, 'Customer ' || g, 'customer' || g || '@example.com',
           now() - g * interval '37 minutes', now() - g * interval '37 minutes'
    from generate_series(1, ${plan.contacts}) g`);
  progress(`seeded ${plan.contacts.toLocaleString("en-US")} contacts, ${AGENTS} agents (${elapsed()})`);

  // Secondary indexes are built once at the end: sorting a million keys beats a million random inserts.
  const deferred = await dropSecondaryIndexes(database, ["conversations", "conversation_tags"]);
  for (let from = 1; from <= plan.conversations; from += plan.batchSize) {
    const to = Math.min(plan.conversations, from + plan.batchSize - 1);
    await batch(
      conversationBatch(w, from, to, plan.contacts, uuids(inboxIds), uuids(agentIds), uuids(tagIds)),
    );
    progress(
      `seeded ${to.toLocaleString("en-US")} / ${plan.conversations.toLocaleString("en-US")} conversations (${elapsed()})`,
    );
  }

  for (const index of deferred)
    await run(database, `begin; set local maintenance_work_mem = '${plan.indexMemory}'; ${index}; commit`);
  progress(`rebuilt ${deferred.length} indexes (${elapsed()})`);

  // New conversations must continue the numbering (conversations/queries.ts keeps it in this counter).
  await run(
    database,
    `insert into workspace_counters (workspace_id, name, value) values (${w}, 'conversation', ${plan.conversations})`,
  );
  // Chat replies are delivered live; email replies would add the outbox's work, which is not measured here.
  const targets = rowsOf(
    await database.executeSql(
      `select id from conversations where workspace_id = ${w} and status = 'open' and channel = 'chat'
       order by last_activity_at desc limit ${plan.targets}`,
    ),
  ).map((row) => (row as { id: string }).id);
  await batch(`
    insert into messages (workspace_id, conversation_id, kind, author_agent_id, author_contact_id, body_text,
                          sent_by_human, created_at)
    select c.workspace_id, c.id, m.kind, case when m.kind = 'outgoing' then '${ownerId}'::uuid end,
           case when m.kind = 'incoming' then c.contact_id end, m.body, m.kind = 'outgoing',
           c.created_at + m.after
    from conversations c
    cross join (values ('incoming', 'Hi, I was charged twice this month. Can you help?', interval '0'),
                       ('outgoing', 'Sorry about that! Let me look into it right away.', interval '1 hour')) m(kind, body, after)
    where c.workspace_id = ${w} and c.id in (${targets.map((id) => `'${id}'`).join(",") || "null"})`);
  progress(`seeded messages for ${targets.length.toLocaleString("en-US")} conversations (${elapsed()})`);

  // Fresh bulk data has no statistics and no visibility map; a long-running database would have both.
  for (const table of ["conversations", "conversation_tags", "contacts", "messages", "tags", "inboxes"])
    await run(database, `vacuum analyze ${table}`);
  progress(`analyzed (${elapsed()})`);
  return {
    workspaceId,
    ownerEmail: OWNER_EMAIL,
    ownerPassword: plan.ownerPassword,
    tagName: TAGS[0],
    targetConversationIds: targets,
  };
}

/**
 * One batch of conversations with varied status (20% open, 10% pending, 5% snoozed, 65% resolved),
 * priority, assignee (30% unassigned) and last activity spread over the past year; 40% carry a tag
 * and 10% a second one.
 */
function conversationBatch(
  w: string,
  from: number,
  to: number,
  contacts: number,
  inboxes: string,
  agents: string,
  tags: string,
): string {
  const hash = (seed: number) => `abs(hashint4extended(g, ${seed}))`;
  return `
    insert into conversations (workspace_id, id, number, inbox_id, contact_id, channel, subject, status, priority,
      assignee_id, snoozed_until, preview, message_count, first_customer_message_at, first_human_response_at,
      waiting_since, resolved_at, last_activity_at, created_at, updated_at)
    select ${w}, ${uuidExpr("conversation", "g")}, g, (${inboxes})[1 + g % 4],
           ${uuidExpr("contact", `1 + g % ${contacts}`)}, (array['${CHANNELS.join("','")}'])[1 + g % 4],
           'Question ' || g || ' about my account', status,
           case when p < 5 then 'urgent' when p < 15 then 'high' when p < 90 then 'normal' else 'low' end,
           case when a < 30 then null else (${agents})[1 + a % ${AGENTS}] end,
           case when status = 'snoozed' then now() + (1 + g % 14) * interval '1 day' end,
           'Hi, I was charged twice this month for order ' || g || '. Could you have a look, please?',
           1 + g % 6, created, case when status <> 'open' then created + interval '2 hours' end,
           case when status in ('open', 'pending') then active end,
           case when status = 'resolved' then active end, active, created, active
    from (
      select g, ${hash(2)} % 100 as p, ${hash(3)} % 100 as a, active, active - (${hash(5)} % 72) * interval '1 hour' as created,
             case when ${hash(1)} % 100 < 20 then 'open' when ${hash(1)} % 100 < 30 then 'pending'
                  when ${hash(1)} % 100 < 35 then 'snoozed' else 'resolved' end as status
      from (select g, now() - (${hash(4)} % 31536000) * interval '1 second' as active
            from generate_series(${from}, ${to}) g) spread
    ) r;
    insert into conversation_tags (workspace_id, conversation_id, tag_id)
    select ${w}, ${uuidExpr("conversation", "g")}, (${tags})[1 + first]
    from (select g, ${hash(6)} % 8 as first from generate_series(${from}, ${to}) g) t where ${hash(7)} % 100 < 40
    union all
    select ${w}, ${uuidExpr("conversation", "g")}, (${tags})[1 + (first + 1 + g % 7) % 8]
    from (select g, ${hash(6)} % 8 as first from generate_series(${from}, ${to}) g) t where ${hash(7)} % 100 < 10`;
}

/** A uuid derived from a row number: md5 of a name, marked as version 4 like the ids the app makes. */
function uuidExpr(kind: string, number: string): string {
  return `overlay(overlay(md5('kw-bench-${kind}-' || (${number})) placing '4' from 13) placing '8' from 17)::uuid`;
}

/** Drops the indexes of these tables that no constraint owns, returning the statements that rebuild them. */
async function dropSecondaryIndexes(database: Database, tables: string[]): Promise<string[]> {
  const rows = rowsOf(
    await database.executeSql(`
      select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition
      from pg_index i
      where i.indrelid in (${tables.map((t) => `'${t}'::regclass`).join(",")})
        and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`),
  ) as { name: string; definition: string }[];
  for (const row of rows) await run(database, `drop index ${row.name}`);
  return rows.map((row) => row.definition);
}

/** Only a superuser may switch off triggers (which also carry the foreign-key checks). */
async function canSkipTriggers(database: Database): Promise<boolean> {
  const [row] = rowsOf(await database.executeSql("select current_setting('is_superuser') as superuser"));
  return (row as { superuser: string } | undefined)?.superuser === "on";
}

async function run(database: Database, sql: string): Promise<void> {
  await database.executeSql(sql);
}

function rowsOf(result: { rows: unknown[] }[] | { rows: unknown[] }): unknown[] {
  return Array.isArray(result) ? (result.at(-1)?.rows ?? []) : result.rows;
}
