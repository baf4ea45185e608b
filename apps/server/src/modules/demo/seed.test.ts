import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, databaseKinds, startTestServer, type TestServer } from "../../test/harness.ts";
import {
  DEMO_AGENTS,
  DEMO_COMPANIES,
  DEMO_CONTACTS,
  DEMO_CONVERSATIONS,
  DEMO_INBOX,
  DEMO_TAGS,
} from "./content.ts";
import { DEMO_OWNER_EMAIL, DEMO_SLUG, seedDemo } from "./seed.ts";

const PASSWORD = "a demo password for tests";

describe.each(databaseKinds)("the demo workspace on %s", (kind) => {
  let server: TestServer;
  let workspaceId: string;
  const progress: string[] = [];

  beforeAll(async () => {
    server = await startTestServer(kind, { KEEPWELL_DEMO_PASSWORD: PASSWORD });
    const result = await seedDemo(server.ctx, (line) => progress.push(line));
    expect(result).toEqual({ created: true, password: PASSWORD });
    workspaceId = (
      await server.ctx.db
        .selectFrom("workspaces")
        .select("id")
        .where("slug", "=", DEMO_SLUG)
        .executeTakeFirstOrThrow()
    ).id;
  });
  afterAll(async () => {
    await server?.destroy();
  });

  /** Row counts of everything the seed creates, to compare runs. */
  async function census() {
    const count = async (
      table:
        | "memberships"
        | "inboxes"
        | "companies"
        | "contacts"
        | "conversations"
        | "messages"
        | "tags"
        | "conversation_tags",
    ) =>
      Number(
        (
          await sql<{
            n: string;
          }>`select count(*) as n from ${sql.table(table)} where workspace_id = ${workspaceId}`.execute(
            server.ctx.db,
          )
        ).rows[0].n,
      );
    const tables = [
      "memberships",
      "inboxes",
      "companies",
      "contacts",
      "conversations",
      "messages",
      "tags",
      "conversation_tags",
    ] as const;
    return Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await count(t)])));
  }

  it("reports its progress and lets the owner sign in", async () => {
    expect(progress[0]).toBe("creating the demo workspace");
    expect(progress).toContain(`adding the Support inbox (${DEMO_INBOX.address})`);
    expect(progress.filter((line) => line.startsWith("adding conversation"))).toHaveLength(
      DEMO_CONVERSATIONS.length,
    );
    const login = await apiClient(server.url).post("/api/v1/auth/login", {
      email: DEMO_OWNER_EMAIL,
      password: PASSWORD,
    });
    expect(login.status).toBe(200);
    expect(login.body.workspace).toMatchObject({ slug: DEMO_SLUG, role: "owner" });
  });

  it("has the documented team, inbox, companies and contacts", async () => {
    const db = server.ctx.db;
    const team = await db
      .selectFrom("memberships as m")
      .innerJoin("agents as a", "a.id", "m.agent_id")
      .select(["a.email", "a.name", "m.role", "a.password_hash"])
      .where("m.workspace_id", "=", workspaceId)
      .orderBy("a.email")
      .execute();
    expect(team.map(({ email, name, role }) => ({ email, name, role }))).toEqual(
      [
        { email: DEMO_OWNER_EMAIL, name: "Dana Owner", role: "owner" },
        ...DEMO_AGENTS.map(({ key: _, ...a }) => a),
      ].sort((a, b) => a.email.localeCompare(b.email)),
    );
    expect(team.filter((a) => a.password_hash !== null).map((a) => a.email)).toEqual([DEMO_OWNER_EMAIL]);

    const inboxes = await db
      .selectFrom("inboxes")
      .select(["name", "channel", "address"])
      .where("workspace_id", "=", workspaceId)
      // The chat and callback inboxes of modules/widget/demo.ts are checked by the widget's tests.
      .where("channel", "=", "email")
      .execute();
    expect(inboxes).toEqual([DEMO_INBOX]);

    const companies = await db
      .selectFrom("companies")
      .select(["id", "name", "domain", "plan", "mrr_cents"])
      .where("workspace_id", "=", workspaceId)
      .execute();
    expect(companies.map(({ id: _, mrr_cents, ...c }) => ({ ...c, mrr_cents: Number(mrr_cents) }))).toEqual(
      expect.arrayContaining(DEMO_COMPANIES.map((c) => ({ ...c }))),
    );
    expect(companies).toHaveLength(DEMO_COMPANIES.length);

    const contacts = await db
      .selectFrom("contacts as c")
      .leftJoin("companies as co", (join) =>
        join.onRef("co.workspace_id", "=", "c.workspace_id").onRef("co.id", "=", "c.company_id"),
      )
      .select(["c.name", "c.email", "co.name as company"])
      .where("c.workspace_id", "=", workspaceId)
      .execute();
    expect(contacts).toHaveLength(DEMO_CONTACTS.length);
    expect(contacts).toEqual(expect.arrayContaining(DEMO_CONTACTS));
  });

  it("has the documented conversations, replayed so that their history and metrics are real", async () => {
    const rows = await server.ctx.db
      .selectFrom("conversations as c")
      .innerJoin("contacts as ct", (join) =>
        join.onRef("ct.workspace_id", "=", "c.workspace_id").onRef("ct.id", "=", "c.contact_id"),
      )
      .leftJoin("agents as a", "a.id", "c.assignee_id")
      .select([
        "c.id",
        "c.subject",
        "c.status",
        "c.priority",
        "c.message_count",
        "c.snoozed_until",
        "c.resolved_at",
        "c.channel",
        "ct.email",
        "a.email as assignee",
      ])
      .select(["c.first_customer_message_at", "c.first_human_response_at", "c.waiting_since"])
      .where("c.workspace_id", "=", workspaceId)
      .execute();
    expect(rows).toHaveLength(DEMO_CONVERSATIONS.length);
    const emailOf = (key: string | null) =>
      key === null ? null : key === "dana" ? DEMO_OWNER_EMAIL : DEMO_AGENTS.find((a) => a.key === key)!.email;
    for (const demo of DEMO_CONVERSATIONS) {
      const row = rows.find((r) => r.subject === demo.subject && r.email === demo.contact)!;
      expect(row, demo.subject).toBeDefined();
      expect(row, demo.subject).toMatchObject({
        status: demo.status,
        priority: demo.priority ?? "normal",
        channel: "email",
        message_count: demo.messages.length,
        assignee: emailOf(demo.assignee),
      });
      expect(row.resolved_at !== null, demo.subject).toBe(demo.status === "resolved");
      expect(row.snoozed_until !== null, demo.subject).toBe(demo.status === "snoozed");
      const tags = await server.ctx.db
        .selectFrom("conversation_tags as ct")
        .innerJoin("tags as t", (join) =>
          join.onRef("t.workspace_id", "=", "ct.workspace_id").onRef("t.id", "=", "ct.tag_id"),
        )
        .select("t.name")
        .where("ct.workspace_id", "=", workspaceId)
        .where("ct.conversation_id", "=", row.id)
        .execute();
      expect(tags.map((t) => t.name).sort(), demo.subject).toEqual([...demo.tags].sort());
    }
    // The first response clock counts the reply twenty minutes after the question, not the note before it.
    const csv = rows.find((r) => r.subject === "CSV export times out for large reports")!;
    expect(
      new Date(csv.first_human_response_at!).getTime() - new Date(csv.first_customer_message_at!).getTime(),
    ).toBe(20 * 60_000);
    const sso = rows.find((r) => r.subject === "SSO login fails for new hires")!;
    expect(sso).toMatchObject({ assignee: null, first_human_response_at: null });
    expect(sso.waiting_since).not.toBeNull();
    const tagNames = await server.ctx.db
      .selectFrom("tags")
      .select(["name", "color"])
      .where("workspace_id", "=", workspaceId)
      .execute();
    expect(tagNames).toEqual(expect.arrayContaining(DEMO_TAGS.map((t) => ({ ...t }))));
  });

  it("gives the retention report a year with an expansion, a contraction and a pause that came back", async () => {
    const login = await apiClient(server.url).post("/api/v1/auth/login", {
      email: DEMO_OWNER_EMAIL,
      password: PASSWORD,
    });
    const cookie = login.headers.get("set-cookie")!.split(";")[0];
    const response = await fetch(`${server.url}/api/v1/billing/retention`, { headers: { cookie } });
    expect(response.status).toBe(200);
    const report = (await response.json()) as { rows: Record<string, number | string | null>[] };
    expect(report.rows).toHaveLength(12);
    const paused = report.rows.filter((row) => Number(row.paused_mrr_cents) > 0);
    expect(paused.map((row) => row.paused_mrr_cents)).toEqual([240_000]);
    // Nobody is ever lost: a pause counts as kept.
    expect(report.rows.every((row) => Number(row.churned_companies) === 0)).toBe(true);
    expect(report.rows.every((row) => row.retained_companies === row.start_companies)).toBe(true);
    expect(Math.max(...report.rows.map((row) => Number(row.start_companies)))).toBe(3);
    const revenue = report.rows.map((row) => row.net_revenue_retention).filter((v) => v !== null);
    expect(revenue.some((v) => Number(v) > 1)).toBe(true); // Northwind's upgrade
    expect(revenue.some((v) => Number(v) < 1)).toBe(true); // Bluebird's downgrade and Halcyon's pause
  });

  it("changes nothing when run again, and fills in only what an interrupted run left out", async () => {
    const before = await census();
    const lines: string[] = [];
    expect(await seedDemo(server.ctx, (line) => lines.push(line))).toEqual({ created: false });
    expect(await census()).toEqual(before);
    expect(lines.some((line) => line.startsWith("adding conversation"))).toBe(false);

    await server.ctx.db
      .deleteFrom("conversations")
      .where("workspace_id", "=", workspaceId)
      .where("subject", "=", "Dark mode for the dashboard?")
      .execute();
    await seedDemo(server.ctx);
    expect(await census()).toEqual(before);
  });
});
