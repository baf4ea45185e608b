import { type KyselyPlugin, type QueryId, type RootOperationNode, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../http/principal.ts";
import { databaseKinds, startTestServer, type TestServer } from "../../test/harness.ts";
import { type ConversationFilter, listConversations } from "./service.ts";
import { type ConversationFixture, conversationWorkspace } from "./test-support.ts";

/*
 * The list must stay fast at a million conversations: every filter has to be answered from an index,
 * walking it in page order where one exists, never by reading the table. The plans are checked on
 * a generated workspace (a million rows were checked by hand; see docs in the report), with the exact
 * SQL the service runs, captured on its way to the database.
 */

const ROWS = 30_000;

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  "Parent Relationship"?: string;
  Plans?: PlanNode[];
}

function flatten(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(flatten)];
}

/** The plan without its per-row subqueries (each row's tags): the part that finds the page. */
function pagePart(node: PlanNode): PlanNode[] {
  const children = (node.Plans ?? []).filter((child) => child["Parent Relationship"] !== "SubPlan");
  return [node, ...children.flatMap(pagePart)];
}

describe.each(databaseKinds)("the conversation list's query plans on %s", (kind) => {
  let server: TestServer;
  let big: ConversationFixture;
  let principal: Principal;
  let contactId: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    big = await conversationWorkspace(server, "Big");
    await conversationWorkspace(server, "Neighbour");
    principal = {
      agentId: big.agents.agent,
      workspaceId: big.workspaceId,
      role: "agent",
      via: "token",
      credentialId: "x",
    };
    const db = server.ctx.db;
    const ws = big.workspaceId;
    const agents = [big.agents.owner, big.agents.admin, big.agents.agent];
    await sql`insert into contacts (workspace_id, id, email)
      select ${ws}::uuid, md5(${ws} || g)::uuid, 'c' || g || '@big.test' from generate_series(1, ${ROWS / 5}::int) g`.execute(
      db,
    );
    // Mostly resolved, some open/pending/snoozed; a fifth unassigned; two inboxes; five per contact.
    await sql`insert into conversations
        (workspace_id, number, inbox_id, contact_id, channel, status, assignee_id, last_activity_at, created_at)
      select ${ws}::uuid, g, (${[big.inboxes.api, big.inboxes.email]}::uuid[])[1 + g % 2],
        md5(${ws} || (1 + g % ${ROWS / 5}::int))::uuid, 'api',
        (array['resolved','resolved','resolved','resolved','resolved','resolved','open','open','pending','snoozed'])[1 + g % 10],
        case when g % 5 = 0 then null else (${agents}::uuid[])[1 + g % 3] end,
        now() - make_interval(secs => g * 7), now() - make_interval(secs => g * 7)
      from generate_series(1, ${ROWS}::int) g`.execute(db);
    await sql`insert into tags (workspace_id, name) values (${ws}, 'common'), (${ws}, 'rare')`.execute(db);
    await sql`insert into conversation_tags (workspace_id, conversation_id, tag_id)
      select c.workspace_id, c.id, t.id from conversations c
        join tags t on t.workspace_id = c.workspace_id
          and t.name = case when c.number % 1000 = 7 then 'rare' else 'common' end
      where c.workspace_id = ${ws} and (c.number % 10 = 3 or c.number % 1000 = 7)`.execute(db);
    await sql`analyze`.execute(db);
    contactId = (
      await db
        .selectFrom("conversations")
        .select("contact_id")
        .where("workspace_id", "=", ws)
        .where("number", "=", "1234")
        .executeTakeFirstOrThrow()
    ).contact_id;
  });
  afterAll(async () => {
    await server?.destroy();
  });

  /** Runs the real list call, captures its main query, and returns that query's plan. */
  async function planOf(filter: ConversationFilter): Promise<{ all: PlanNode[]; page: PlanNode[] }> {
    const captured: { node: RootOperationNode; queryId: QueryId }[] = [];
    const recorder: KyselyPlugin = {
      transformQuery: (args) => {
        captured.push(args);
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    await listConversations({ ...server.ctx, db: server.ctx.db.withPlugin(recorder) }, principal, filter);
    const executor = server.ctx.db.getExecutor();
    const main = captured
      .map(({ node, queryId }) => executor.compileQuery(node, queryId))
      .find((query) => query.sql.includes('from "conversations" as "c"'));
    if (!main) throw new Error("the list query was not captured");
    const result = await server.ctx.database.executeSql(`explain (format json) ${main.sql}`, [
      ...main.parameters,
    ]);
    const row = (Array.isArray(result) ? result[0] : result).rows[0] as Record<string, unknown>;
    const raw = row["QUERY PLAN"];
    const plan = (typeof raw === "string" ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
    return { all: flatten(plan[0].Plan), page: pagePart(plan[0].Plan) };
  }

  const describePlan = (nodes: PlanNode[]) =>
    nodes.map((n) => `${n["Node Type"]} ${n["Relation Name"] ?? ""} ${n["Index Name"] ?? ""}`).join(" / ");

  const secondPageCursor = async (filter: ConversationFilter) =>
    (await listConversations(server.ctx, principal, { ...filter, limit: 25 })).next_cursor ?? undefined;

  const cases: [string, ConversationFilter, string | null][] = [
    ["no filter", {}, "conversations_activity_idx"],
    ["status", { status: "open" }, "conversations_status_idx"],
    ["inbox and status", { inbox_id: "email", status: "pending" }, "conversations_inbox_idx"],
    ["my open conversations", { assignee: "me", status: "open" }, "conversations_assignee_idx"],
    ["unassigned open conversations", { assignee: "none", status: "open" }, "conversations_assignee_idx"],
    ["contact", { contact_id: "contact" }, "conversations_contact_idx"],
    ["inbox", { inbox_id: "api" }, null],
    ["assignee", { assignee: "admin" }, null],
    ["unassigned", { assignee: "none" }, null],
    ["a common tag", { tag: "common" }, null],
    ["a rare tag", { tag: "rare" }, null],
  ];

  it.each(cases)("answers a page filtered by %s from an index, on later pages too", async (_, raw, index) => {
    const filter: ConversationFilter = { ...raw, limit: 25 };
    if (raw.inbox_id) filter.inbox_id = big.inboxes[raw.inbox_id as "api" | "email"];
    if (raw.contact_id) filter.contact_id = contactId;
    if (raw.assignee === "admin") filter.assignee = big.agents.admin;
    for (const cursor of [undefined, await secondPageCursor(filter)]) {
      const { all: nodes, page } = await planOf({ ...filter, cursor });
      const summary = describePlan(nodes);
      // The page's tags are looked up per row; on a workspace with two tags the planner rightly reads
      // the tiny tags table instead of its index, so only scans of the big tables count here.
      expect(
        nodes.some((n) => n["Node Type"] === "Seq Scan" && n["Relation Name"] !== "tags"),
        summary,
      ).toBe(false);
      const scans = nodes.filter((n) => n["Relation Name"] === "conversations");
      expect(scans.length, summary).toBeGreaterThan(0);
      for (const scan of scans) expect(scan["Node Type"], summary).toMatch(/Index/);
      if (index) {
        // Walked in page order: the named index, no sort, and the cursor as a boundary of the walk.
        expect(
          scans.map((s) => s["Index Name"]),
          summary,
        ).toEqual([index]);
        expect(
          page.some((n) => n["Node Type"] === "Sort"),
          summary,
        ).toBe(false);
        if (cursor && !raw.contact_id) expect(scans[0]["Index Cond"], summary).toMatch(/last_activity_at/);
      }
    }
  });
});
