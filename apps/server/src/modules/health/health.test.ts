import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SurveyRating } from "../../db/schema.ts";
import {
  apiClient,
  createTestWorkspace,
  databaseKinds,
  eventually,
  startTestServer,
  type TestServer,
  type TestWorkspace,
  looseEvents,
} from "../../test/harness.ts";

const DAY = 86_400_000;

describe.each(databaseKinds)("customer health on %s", (kind) => {
  let server: TestServer;
  let acme: TestWorkspace;
  let globex: TestWorkspace;
  let inboxId: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    [acme, globex] = [await createTestWorkspace(server, "Acme"), await createTestWorkspace(server, "Globex")];
    const inbox = await as(acme, "owner").post("/api/v1/inboxes", { name: "API", channel: "api" });
    inboxId = inbox.body.id;
  });
  afterAll(async () => {
    await server?.destroy();
  });

  const as = (workspace: TestWorkspace, role: keyof TestWorkspace["tokens"]) =>
    apiClient(server.url, workspace.tokens[role]);

  /** A company with one contact who wrote to us once. */
  async function customer(name: string, fields: Record<string, unknown> = {}) {
    const company = await as(acme, "agent").post("/api/v1/companies", { name, ...fields });
    expect(company.status).toBe(201);
    const email = `someone@${name.toLowerCase().replace(/\W/g, "")}.test`;
    const contact = await as(acme, "agent").post("/api/v1/contacts", { email, company_id: company.body.id });
    const conversation = await as(acme, "agent").post("/api/v1/conversations", {
      inbox_id: inboxId,
      contact: { id: contact.body.id },
      subject: "A question",
      message: { kind: "incoming", body_text: "Hello" },
    });
    return {
      id: company.body.id as string,
      contactId: contact.body.id,
      conversationId: conversation.body.id,
    };
  }

  /** Survey answers as the surveys module stores them (the survey flow itself is tested there). */
  async function rate(
    who: { contactId: string; conversationId: string },
    rating: SurveyRating,
    comment: string | null,
    daysAgo: number,
  ) {
    const at = new Date(Date.now() - daysAgo * DAY);
    const survey = await server.ctx.db
      .insertInto("surveys")
      .values({
        workspace_id: acme.workspaceId,
        conversation_id: who.conversationId,
        contact_id: who.contactId,
        inbox_id: inboxId,
        channel: "api",
        resolved_at: at,
        state: "sent",
        scheduled_for: at,
        sent_at: at,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await server.ctx.db
      .insertInto("survey_responses")
      .values({
        workspace_id: acme.workspaceId,
        survey_id: survey.id,
        rating,
        comment,
        responded_at: at,
        updated_at: at,
      })
      .execute();
  }

  const recompute = (id: string) => as(acme, "agent").post(`/api/v1/companies/${id}/health/recompute`);

  it("flags an upsell prospect from seats and usage events, recomputed by the job as events arrive", async () => {
    const initech = await customer("Initech", { seats: 20, seats_used: 19 });
    for (const [daysAgo, quantity] of [
      [45, 10],
      [3, 15],
      [1, 15],
    ]) {
      const occurred_at = new Date(Date.now() - daysAgo * DAY).toISOString();
      const event = await as(acme, "agent").post("/api/v1/events", {
        name: "report.exported",
        contact_email: "someone@initech.test",
        quantity,
        occurred_at,
      });
      expect(event.status).toBe(201);
      expect(event.body).toMatchObject({ company_id: initech.id, name: "report.exported", quantity });
    }
    const health = await eventually(async () => {
      const response = await as(acme, "viewer").get(`/api/v1/companies/${initech.id}/health`);
      // Recomputes follow the events as they arrive: wait for the one that has seen all three.
      const complete = response.body.reasons?.some((reason: { text: string }) =>
        reason.text.includes("30 in 30 days"),
      );
      return response.body.score === 90 && complete ? response.body : undefined;
    });
    expect(health).toMatchObject({ company_id: initech.id, score: 90, at_risk: false, advocate: false });
    expect(health.reasons).toEqual([
      { factor: "usage_trend", impact: 10, text: "Usage up 200%: 30 in 30 days, 10 before", flag: "upsell" },
      { factor: "seats", impact: 5, text: "Using 19 of 20 seats", flag: "upsell" },
    ]);
    const list = await as(acme, "viewer").get("/api/v1/health/companies?flag=upsell");
    expect(list.body.data).toEqual([
      expect.objectContaining({ id: initech.id, name: "Initech", score: 90, mrr_cents: 0 }),
    ]);
    // Fewer seats used is news too: the company update alone brings the recompute.
    await as(acme, "agent").patch(`/api/v1/companies/${initech.id}`, { seats_used: 5 });
    await eventually(async () => {
      const response = await as(acme, "viewer").get(`/api/v1/companies/${initech.id}/health`);
      return response.body.upsell === true && response.body.score === 75 ? response.body : undefined;
    });
  });

  it("puts a company with unanswered bad ratings at risk, weakest first, with its reasons", async () => {
    const umbrella = await customer("Umbrella");
    await rate(umbrella, "bad", "Nobody answers", 2);
    await rate(umbrella, "bad", null, 5);
    const soylent = await customer("Soylent");
    await rate(soylent, "bad", null, 1);
    await rate(soylent, "okay", null, 1);
    await rate(soylent, "good", null, 20);
    const [u, s] = [(await recompute(umbrella.id)).body, (await recompute(soylent.id)).body];
    expect(u).toMatchObject({ at_risk: true, score: 75 - 25 - 16 - 20 });
    expect(u.reasons.map((r: { text: string }) => r.text)).toEqual([
      "CSAT 0%: 0 of 2 ratings good or great in 90 days",
      "2 bad ratings not answered by anyone yet",
      "2 bad ratings in 30 days",
    ]);
    expect(s).toMatchObject({ at_risk: true });
    const list = await as(acme, "viewer").get("/api/v1/health/companies?flag=at_risk&limit=1");
    expect(list.body.data.map((c: { name: string }) => c.name)).toEqual(["Umbrella"]);
    const next = await as(acme, "viewer").get(
      `/api/v1/health/companies?flag=at_risk&limit=1&cursor=${list.body.next_cursor}`,
    );
    expect(next.body.data.map((c: { name: string }) => c.name)).toEqual(["Soylent"]);
    expect(next.body.next_cursor).toBeNull();
    expect((await as(globex, "viewer").get("/api/v1/health/companies?flag=at_risk")).body.data).toEqual([]);
  });

  it("finds advocates: consistently great ratings with a kind word", async () => {
    const hooli = await customer("Hooli");
    await rate(hooli, "great", "You are the best support team we know", 3);
    await rate(hooli, "great", null, 40);
    await rate(hooli, "good", null, 100);
    // As the surveys module announces an answer: the job finds the company through the conversation.
    await looseEvents(server).publish(acme.workspaceId, "survey.responded", {
      conversation_id: hooli.conversationId,
      rating: "good",
    });
    const health = await eventually(async () => {
      const response = await as(acme, "viewer").get(`/api/v1/companies/${hooli.id}/health`);
      return response.body.advocate ? response.body : undefined;
    });
    expect(health).toMatchObject({ advocate: true, at_risk: false });
    expect(health.reasons).toContainEqual({
      factor: "advocate",
      impact: 0,
      text: "2 great ratings in 6 months, none bad, with kind comments",
      flag: "advocate",
    });
    const list = await as(acme, "viewer").get("/api/v1/health/companies?flag=advocate");
    expect(list.body.data.map((c: { name: string }) => c.name)).toEqual(["Hooli"]);
  });

  it("takes weights from the workspace settings, which only admins change", async () => {
    const before = await as(acme, "viewer").get("/api/v1/health/settings");
    expect(before.body).toMatchObject({ at_risk_below: 50, weights: { bad_ratings: 1 } });
    expect((await as(acme, "agent").patch("/api/v1/health/settings", { at_risk_below: 10 })).status).toBe(
      403,
    );
    const bad = await as(acme, "admin").patch("/api/v1/health/settings", { weights: { bad_ratings: 9 } });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("weights.bad_ratings");
    const saved = await as(acme, "admin").patch("/api/v1/health/settings", {
      weights: { bad_ratings: 0, csat: 0 },
    });
    expect(saved.status).toBe(200);
    expect(saved.body.weights).toMatchObject({ bad_ratings: 0, csat: 0, seats: 1 });
    const umbrella = (await as(acme, "viewer").get("/api/v1/companies?q=umbrella")).body.data[0];
    const health = await eventually(async () => {
      const response = await as(acme, "viewer").get(`/api/v1/companies/${umbrella.id}/health`);
      return response.body.score === 55 ? response.body : undefined;
    });
    expect(health.reasons.map((r: { factor: string }) => r.factor)).toEqual(["unanswered_bad_ratings"]);
    expect((await as(globex, "viewer").get("/api/v1/health/settings")).body.weights.bad_ratings).toBe(1);
  });

  it.each([
    [{ name: "x" }, 400, "company_id"],
    [{ name: "x", company_id: "00000000-0000-4000-8000-000000000000" }, 422, "company_id"],
    [{ name: "x", contact_email: "nobody@nowhere.test" }, 422, "contact_email"],
    [{ name: "", contact_email: "someone@initech.test" }, 400, "name"],
    [{ name: "x", contact_email: "someone@initech.test", quantity: 0 }, 400, "quantity"],
    [
      { name: "x", contact_email: "someone@initech.test", occurred_at: "2999-01-01T00:00:00Z" },
      422,
      "occurred_at",
    ],
    [{ name: "x", contact_email: "someone@initech.test", workspace_id: "x" }, 400, "workspace_id"],
  ])("refuses the usage event %j with %i naming the field", async (body, status, field) => {
    const response = await as(acme, "agent").post("/api/v1/events", body);
    expect(response.status).toBe(status);
    expect(response.body.field).toBe(field);
  });

  it("keeps usage events and health inside their workspace", async () => {
    const initech = (await as(acme, "viewer").get("/api/v1/companies?q=initech")).body.data[0];
    const foreign = await as(globex, "agent").post("/api/v1/events", { name: "x", company_id: initech.id });
    expect(foreign.status).toBe(422);
    expect((await as(globex, "owner").get(`/api/v1/companies/${initech.id}/health`)).status).toBe(404);
    expect((await as(globex, "owner").post(`/api/v1/companies/${initech.id}/health/recompute`)).status).toBe(
      404,
    );
    expect(
      (await as(acme, "viewer").post("/api/v1/events", { name: "x", company_id: initech.id })).status,
    ).toBe(403);
  });

  it("flags a company that asks for a higher plan's features as an upsell prospect", async () => {
    const company = await as(acme, "agent").post("/api/v1/companies", { name: "Soylent", plan: "Team" });
    expect(company.status).toBe(201);
    const contact = await as(acme, "agent").post("/api/v1/contacts", {
      email: "buyer@soylent.test",
      company_id: company.body.id,
    });
    expect(contact.status, JSON.stringify(contact.body)).toBe(201);
    const soylent = { id: company.body.id as string, contactId: contact.body.id as string };
    const features = [];
    for (const title of ["Audit log export", "Single sign-on", "Dark mode"]) {
      const created = await as(acme, "agent").post("/api/v1/feature-requests", { title });
      expect(created.status).toBe(201);
      features.push(created.body.id as string);
      const asked = await as(acme, "agent").post(`/api/v1/feature-requests/${created.body.id}/asks`, {
        contact_id: soylent.contactId,
      });
      expect(asked.status, JSON.stringify(asked.body)).toBeLessThan(300);
    }
    const bad = await as(acme, "admin").patch("/api/v1/health/settings", {
      plans: ["Team", "Business"],
      feature_plans: { [features[0]]: "Enterprise" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe(`feature_plans.${features[0]}`);
    expect(
      (await as(acme, "agent").patch("/api/v1/health/settings", { plans: ["Team", "Business"] })).status,
    ).toBe(403);
    const saved = await as(acme, "admin").patch("/api/v1/health/settings", {
      plans: ["Team", "Business"],
      // Two Business features and one of the company's own plan, which is no reason to upgrade.
      feature_plans: { [features[0]]: "Business", [features[1]]: "business", [features[2]]: "Team" },
    });
    expect(saved.status).toBe(200);
    const health = await as(acme, "agent").post(`/api/v1/companies/${soylent.id}/health/recompute`);
    expect(health.body.upsell).toBe(true);
    expect(health.body.reasons).toContainEqual(
      expect.objectContaining({
        factor: "higher_plan_asks",
        text: "Asked for 2 Business-plan features in 30 days",
      }),
    );
    const list = await as(acme, "viewer").get("/api/v1/health/companies?flag=upsell");
    expect(list.body.data.map((c: { name: string }) => c.name)).toContain("Soylent");
    // Another workspace's settings map nothing: the same kind of asks there are no signal.
    expect((await as(globex, "viewer").get("/api/v1/health/settings")).body.feature_plans).toEqual({});
  });
});
