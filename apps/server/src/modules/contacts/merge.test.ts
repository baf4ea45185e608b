import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../db/database.ts";
import { databaseKinds, startTestServer, type TestServer } from "../../test/harness.ts";
import {
  type ConversationFixture,
  conversationWorkspace,
  openConversation,
} from "../conversations/test-support.ts";

/*
 * A contact merge keeps everything the duplicate had: every module that keeps rows per contact
 * moves them to the kept contact, and where a person can hold only one (an enrollment per
 * sequence, a suppression, a notice per request) the row that protects the customer survives.
 */
describe.each(databaseKinds)("contact merge keeps per-contact rows on %s", (kind) => {
  let server: TestServer;
  let acme: ConversationFixture;
  let db: Db;

  beforeAll(async () => {
    server = await startTestServer(kind);
    db = server.ctx.db;
    acme = await conversationWorkspace(server, "Acme");
  });
  afterAll(async () => {
    await server?.destroy();
  });

  const at = (iso: string) => new Date(iso);

  async function sequence(name: string) {
    const row = await db
      .insertInto("sequences")
      .values({ workspace_id: acme.workspaceId, name, inbox_id: acme.inboxes.email })
      .returning("id")
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async function enroll(
    sequenceId: string,
    contactId: string,
    state: "active" | "completed" | "unsubscribed",
    sentPositions: number[],
  ) {
    const enrollment = await db
      .insertInto("sequence_enrollments")
      .values({
        workspace_id: acme.workspaceId,
        sequence_id: sequenceId,
        contact_id: contactId,
        state,
        next_position: sentPositions.length,
        entered_via: "manual",
        entered_at: at("2026-11-01T10:00:00Z"),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    for (const position of sentPositions)
      await db
        .insertInto("sequence_sends")
        .values({
          workspace_id: acme.workspaceId,
          enrollment_id: enrollment.id,
          sequence_id: sequenceId,
          contact_id: contactId,
          position,
          state: "sent",
          at: at(`2026-11-0${position + 2}T10:00:00Z`),
        })
        .execute();
    return enrollment.id;
  }

  it("moves chat identities, sequences, suppressions, events, feature requests, surveys and usage", async () => {
    const ws = acme.workspaceId;
    const keep = (await acme.as.agent.post("/api/v1/contacts", { email: "kim@example.com", name: "Kim" }))
      .body;
    const conversation = await openConversation(acme, { email: "kim.other@example.com" });
    const dupId = conversation.contact_id;
    // The new conversation pauses the contact's sequences (a listener): let it pass before arranging them.
    await server.ctx.events.consumers.settled();
    const company = await db
      .insertInto("companies")
      .values({ workspace_id: ws, name: "Kim Co" })
      .returning("id")
      .executeTakeFirstOrThrow();

    // Chat: a visitor and a signed-in identity of the duplicate.
    await db
      .insertInto("widget_visitors")
      .values({ workspace_id: ws, inbox_id: acme.inboxes.api, token_hash: "hash-1", contact_id: dupId })
      .execute();
    await db
      .insertInto("widget_identities")
      .values({ workspace_id: ws, external_id: "user-42", contact_id: dupId })
      .execute();

    // Sequences: both in "onboarding" (the duplicate finished it), only the duplicate in "trial",
    // and the kept contact unsubscribed from "renewal" where the duplicate is still running.
    const onboarding = await sequence("Onboarding");
    const trial = await sequence("Trial");
    const renewal = await sequence("Renewal");
    await enroll(onboarding, keep.id, "active", [0]);
    const dupOnboarding = await enroll(onboarding, dupId, "completed", [0, 1, 2]);
    const dupTrial = await enroll(trial, dupId, "active", [0]);
    const keepRenewal = await enroll(renewal, keep.id, "unsubscribed", [0]);
    await enroll(renewal, dupId, "active", [0, 1]);

    await db
      .insertInto("email_suppressions")
      .values([
        { workspace_id: ws, contact_id: keep.id, reason: "bounced", created_at: at("2026-11-03T00:00:00Z") },
        {
          workspace_id: ws,
          contact_id: dupId,
          reason: "unsubscribed",
          created_at: at("2026-11-04T00:00:00Z"),
        },
      ])
      .execute();
    await db
      .insertInto("contact_events")
      .values([
        {
          workspace_id: ws,
          contact_id: keep.id,
          name: "signed_up",
          first_at: at("2026-10-05T00:00:00Z"),
          last_at: at("2026-10-06T00:00:00Z"),
          count: 2,
        },
        {
          workspace_id: ws,
          contact_id: dupId,
          name: "signed_up",
          first_at: at("2026-10-01T00:00:00Z"),
          last_at: at("2026-10-03T00:00:00Z"),
          count: 3,
        },
        {
          workspace_id: ws,
          contact_id: dupId,
          name: "upgraded",
          first_at: at("2026-10-09T00:00:00Z"),
          last_at: at("2026-10-09T00:00:00Z"),
          count: 1,
        },
      ])
      .execute();

    // Feature requests: both asked for "Dark mode" (two asks), and both have an "Exports" notice.
    const darkMode = (await acme.as.agent.post("/api/v1/feature-requests", { title: "Dark mode" })).body;
    const exports = (await acme.as.agent.post("/api/v1/feature-requests", { title: "Exports" })).body;
    for (const contactId of [keep.id, dupId])
      expect(
        (await acme.as.agent.post(`/api/v1/feature-requests/${darkMode.id}/asks`, { contact_id: contactId }))
          .status,
      ).toBe(201);
    await db
      .insertInto("feature_request_notices")
      .values([
        {
          workspace_id: ws,
          request_id: exports.id,
          contact_id: keep.id,
          subject: "Shipped",
          body: "Draft",
          state: "draft",
        },
        {
          workspace_id: ws,
          request_id: exports.id,
          contact_id: dupId,
          subject: "Shipped",
          body: "Sent",
          state: "sent",
        },
      ])
      .execute();

    await db
      .insertInto("surveys")
      .values({
        workspace_id: ws,
        conversation_id: conversation.id,
        contact_id: dupId,
        inbox_id: acme.inboxes.api,
        channel: "api",
        resolved_at: at("2026-11-05T00:00:00Z"),
        state: "sent",
        scheduled_for: at("2026-11-05T01:00:00Z"),
      })
      .execute();
    await db
      .insertInto("usage_events")
      .values({
        workspace_id: ws,
        company_id: company.id,
        contact_id: dupId,
        name: "export",
        quantity: 2,
        occurred_at: at("2026-11-05T00:00:00Z"),
      })
      .execute();

    const merged = await acme.as.agent.post(`/api/v1/contacts/${keep.id}/merge`, { source_id: dupId });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);

    const rowsOf = async (
      table:
        | "widget_visitors"
        | "widget_identities"
        | "surveys"
        | "usage_events"
        | "feature_request_asks"
        | "sequence_sends"
        | "sequence_enrollments"
        | "email_suppressions"
        | "contact_events"
        | "feature_request_notices",
      contactId: string,
    ) =>
      db
        .selectFrom(table)
        .selectAll()
        .where("workspace_id", "=", ws)
        .where("contact_id", "=", contactId)
        .execute();

    // Nothing stays on the duplicate, and nothing went with its deletion.
    for (const table of [
      "widget_visitors",
      "widget_identities",
      "surveys",
      "usage_events",
      "feature_request_asks",
      "sequence_sends",
      "sequence_enrollments",
      "email_suppressions",
      "contact_events",
      "feature_request_notices",
    ] as const)
      expect(await rowsOf(table, dupId), table).toEqual([]);

    expect(await rowsOf("widget_visitors", keep.id)).toHaveLength(1);
    expect((await rowsOf("widget_identities", keep.id)).map((r) => r.external_id)).toEqual(["user-42"]);
    expect(await rowsOf("surveys", keep.id)).toHaveLength(1);
    expect(await rowsOf("usage_events", keep.id)).toHaveLength(1);
    expect(await rowsOf("feature_request_asks", keep.id)).toHaveLength(2);

    const enrollments = await rowsOf("sequence_enrollments", keep.id);
    const bySequence = Object.fromEntries(enrollments.map((e) => [e.sequence_id, e]));
    expect(enrollments).toHaveLength(3);
    // The finished run wins over the running one, so its steps are not sent again.
    expect(bySequence[onboarding]).toMatchObject({ id: dupOnboarding, state: "completed" });
    expect(bySequence[trial]).toMatchObject({ id: dupTrial, state: "active" });
    // The unsubscribe survives; the running duplicate's extra step stays in the history.
    expect(bySequence[renewal]).toMatchObject({ id: keepRenewal, state: "unsubscribed" });
    const sends = await rowsOf("sequence_sends", keep.id);
    const positions = (enrollmentId: string) =>
      sends
        .filter((s) => s.enrollment_id === enrollmentId)
        .map((s) => s.position)
        .sort();
    expect(positions(dupOnboarding)).toEqual([0, 1, 2]);
    expect(positions(dupTrial)).toEqual([0]);
    expect(positions(keepRenewal)).toEqual([0, 1]);

    expect((await rowsOf("email_suppressions", keep.id)).map((s) => s.reason)).toEqual(["unsubscribed"]);
    const events = Object.fromEntries((await rowsOf("contact_events", keep.id)).map((e) => [e.name, e]));
    expect(events.signed_up.count).toBe(5);
    expect(new Date(events.signed_up.first_at).toISOString()).toBe("2026-10-01T00:00:00.000Z");
    expect(new Date(events.signed_up.last_at).toISOString()).toBe("2026-10-06T00:00:00.000Z");
    expect(events.upgraded.count).toBe(1);
    expect((await rowsOf("feature_request_notices", keep.id)).map((n) => n.state)).toEqual(["sent"]);

    // What the agent app shows for the kept contact.
    const sidebar = (await acme.as.viewer.get(`/api/v1/contacts/${keep.id}/sequences`)).body;
    expect(sidebar.suppressed).toBe("unsubscribed");
    expect(sidebar.data).toHaveLength(3);
    const asks = (await acme.as.viewer.get(`/api/v1/feature-requests/${darkMode.id}`)).body;
    expect(JSON.stringify(asks)).not.toContain(dupId);
  });
});
