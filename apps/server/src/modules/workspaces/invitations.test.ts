import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "../../lib/tokens.ts";
import {
  apiClient,
  createTestWorkspace,
  databaseKinds,
  type TestServer,
  type TestWorkspace,
  startTestServer,
  eventLog,
} from "../../test/harness.ts";

const DAY = 24 * 60 * 60 * 1000;

describe.each(databaseKinds)("invitations on %s", (kind) => {
  let server: TestServer;
  let acme: TestWorkspace;
  let globex: TestWorkspace;
  let clock = new Date();
  let events: ReturnType<typeof eventLog>;

  beforeAll(async () => {
    server = await startTestServer(kind, {}, { now: () => clock });
    acme = await createTestWorkspace(server, "Acme");
    globex = await createTestWorkspace(server, "Globex");
    events = eventLog(server);
  });
  afterAll(async () => {
    await server?.destroy();
  });

  const as = (workspace: TestWorkspace, role: keyof TestWorkspace["tokens"]) =>
    apiClient(server.url, workspace.tokens[role]);
  const anonymous = () => apiClient(server.url);
  const uniqueEmail = (who: string) => `${who}-${crypto.randomUUID().slice(0, 8)}@example.test`;

  /** Invites someone and returns the invitation with the token read from the mail. */
  async function invite(
    workspace: TestWorkspace,
    email: string,
    role = "agent",
    by: "owner" | "admin" = "owner",
  ) {
    const response = await as(workspace, by).post("/api/v1/invitations", { email, role });
    expect(response.status).toBe(201);
    const mail = server.ctx.notify.sent.findLast((m) => m.to === email && m.kind === "invitation")!;
    const token = /token=([\w-]+)/.exec(mail.text)![1];
    return { invitation: response.body, token, mail };
  }

  it("invites by email: the link is mailed, the token stored only as its hash, valid for 7 days", async () => {
    const email = uniqueEmail("nina");
    const { invitation, token, mail } = await invite(acme, email, "agent", "admin");
    expect(invitation).toMatchObject({
      email,
      role: "agent",
      invited_by: acme.agents.admin,
      accepted_at: null,
    });
    expect(invitation).not.toHaveProperty("token");
    expect(new Date(invitation.expires_at).getTime()).toBe(clock.getTime() + 7 * DAY);
    expect(mail.subject).toContain("Acme");
    const stored = await server.ctx.db
      .selectFrom("invitations")
      .select("token_hash")
      .where("id", "=", invitation.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).toBe(sha256(token));
    const pending = await as(acme, "owner").get("/api/v1/invitations");
    expect(pending.body.data.map((i: { id: string }) => i.id)).toContain(invitation.id);
    expect(JSON.stringify(pending.body)).not.toContain(token);
    const audit = await as(acme, "owner").get("/api/v1/audit-log");
    expect(audit.body.data[0]).toMatchObject({ action: "invitation.created", target_id: invitation.id });
    expect(await events.all()).toContainEqual(
      expect.objectContaining({ type: "invitation.created", data: { id: invitation.id, role: "agent" } }),
    );
  });

  it("creates the account on acceptance, signs the new agent in, and uses the token once", async () => {
    const email = uniqueEmail("omar");
    const { token } = await invite(acme, email, "viewer");
    const noName = await anonymous().post("/api/v1/invitations/accept", {
      token,
      password: "a long enough password",
    });
    expect(noName.status).toBe(400);
    expect(noName.body.field).toBe("name");
    const short = await anonymous().post("/api/v1/invitations/accept", {
      token,
      name: "Omar",
      password: "short",
    });
    expect(short.status).toBe(400);
    expect(short.body.field).toBe("password");

    const accepted = await anonymous().post("/api/v1/invitations/accept", {
      token,
      name: "Omar",
      password: "a long enough password",
    });
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get("set-cookie")).toMatch(/kw_session=.+HttpOnly/i);
    expect(accepted.body.agent).toMatchObject({ email, name: "Omar" });
    expect(accepted.body.workspace).toMatchObject({ id: acme.workspaceId, role: "viewer" });
    const cookie = accepted.headers.get("set-cookie")!.split(";")[0];
    expect((await anonymous().get("/api/v1/workspace", { cookie })).body.id).toBe(acme.workspaceId);

    const team = (await as(acme, "owner").get("/api/v1/agents")).body.data;
    expect(team.find((a: { email: string }) => a.email === email).role).toBe("viewer");
    expect(await events.all()).toContainEqual(
      expect.objectContaining({
        type: "agent.created",
        workspace_id: acme.workspaceId,
        data: { id: accepted.body.agent.id, role: "viewer" },
      }),
    );
    const again = await anonymous().post("/api/v1/invitations/accept", {
      token,
      name: "Omar",
      password: "a long enough password",
    });
    expect(again.status).toBe(400);
    expect(again.body.field).toBe("token");
    const pending = (await as(acme, "owner").get("/api/v1/invitations")).body.data;
    expect(pending.map((i: { email: string }) => i.email)).not.toContain(email);
  });

  it("refuses an expired invitation", async () => {
    const email = uniqueEmail("late");
    const { token, invitation } = await invite(acme, email);
    const start = clock;
    try {
      clock = new Date(start.getTime() + 7 * DAY + 60_000);
      const pending = (await as(acme, "owner").get("/api/v1/invitations")).body.data;
      expect(pending.map((i: { id: string }) => i.id)).not.toContain(invitation.id);
      const response = await anonymous().post("/api/v1/invitations/accept", {
        token,
        name: "Late",
        password: "a long enough password",
      });
      expect(response.status).toBe(400);
      expect(response.body.field).toBe("token");
    } finally {
      clock = start;
    }
  });

  it("refuses a revoked invitation and a made-up token", async () => {
    const email = uniqueEmail("gone");
    const { token, invitation } = await invite(acme, email);
    expect((await as(acme, "admin").delete(`/api/v1/invitations/${invitation.id}`)).status).toBe(204);
    const revoked = await anonymous().post("/api/v1/invitations/accept", {
      token,
      name: "G",
      password: "a long enough password",
    });
    expect(revoked.status).toBe(400);
    expect(revoked.body.field).toBe("token");
    const madeUp = await anonymous().post("/api/v1/invitations/accept", {
      token: "x".repeat(43),
      name: "G",
      password: "a long enough password",
    });
    expect(madeUp.status).toBe(400);
    expect(madeUp.body.field).toBe("token");
    const audit = await as(acme, "owner").get("/api/v1/audit-log");
    expect(audit.body.data.map((e: { action: string }) => e.action)).toContain("invitation.revoked");
  });

  it("replaces a pending invitation when the same address is invited again", async () => {
    const email = uniqueEmail("twice");
    const first = await invite(acme, email);
    const second = await invite(acme, email, "admin");
    const old = await anonymous().post("/api/v1/invitations/accept", {
      token: first.token,
      name: "T",
      password: "a long enough password",
    });
    expect(old.status).toBe(400);
    const current = await anonymous().post("/api/v1/invitations/accept", {
      token: second.token,
      name: "T",
      password: "a long enough password",
    });
    expect(current.body.workspace.role).toBe("admin");
  });

  it("lets an agent of one workspace join a second one with their password, then switch between them", async () => {
    const email = (await as(acme, "owner").get("/api/v1/me")).body.email;
    const { token } = await invite(globex, email, "agent");
    const wrong = await anonymous().post("/api/v1/invitations/accept", {
      token,
      password: "not my password",
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.field).toBe("password");

    const accepted = await anonymous().post("/api/v1/invitations/accept", {
      token,
      password: "correct horse battery staple",
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body.agent.id).toBe(acme.ownerId);
    expect(accepted.body.workspace).toMatchObject({ id: globex.workspaceId, role: "agent" });
    expect(accepted.body.workspaces.map((w: { id: string }) => w.id).sort()).toEqual(
      [acme.workspaceId, globex.workspaceId].sort(),
    );

    const session = {
      cookie: accepted.headers.get("set-cookie")!.split(";")[0],
      "x-csrf-token": accepted.body.csrf_token,
    };
    const switched = await anonymous().post(
      "/api/v1/auth/switch-workspace",
      { workspace_id: acme.workspaceId },
      session,
    );
    expect(switched.status).toBe(200);
    expect(switched.body.workspace).toMatchObject({ id: acme.workspaceId, role: "owner" });
    expect((await anonymous().get("/api/v1/workspace", session)).body.id).toBe(acme.workspaceId);
  });

  it("forbids an admin to invite an owner, and refuses to invite a member", async () => {
    const owner = await as(acme, "admin").post("/api/v1/invitations", {
      email: uniqueEmail("boss"),
      role: "owner",
    });
    expect(owner.status).toBe(403);
    const admin = await as(acme, "admin").post("/api/v1/invitations", {
      email: uniqueEmail("peer"),
      role: "admin",
    });
    expect(admin.status).toBe(201);
    const member = (await as(acme, "owner").get("/api/v1/me")).body.email;
    const existing = await as(acme, "owner").post("/api/v1/invitations", {
      email: member.toUpperCase(),
      role: "agent",
    });
    expect(existing.status).toBe(409);
    expect(existing.body.field).toBe("email");
  });

  it("forbids agents and viewers to invite, list or revoke invitations", async () => {
    const { invitation } = await invite(acme, uniqueEmail("kept"));
    for (const role of ["agent", "viewer"] as const) {
      expect(
        (await as(acme, role).post("/api/v1/invitations", { email: uniqueEmail("x"), role: "viewer" }))
          .status,
      ).toBe(403);
      expect((await as(acme, role).get("/api/v1/invitations")).status).toBe(403);
      expect((await as(acme, role).delete(`/api/v1/invitations/${invitation.id}`)).status).toBe(403);
    }
  });

  it("answers 404 for another workspace's invitation and never lists it", async () => {
    const { invitation } = await invite(acme, uniqueEmail("private"));
    expect((await as(globex, "owner").delete(`/api/v1/invitations/${invitation.id}`)).status).toBe(404);
    const listed = (await as(globex, "owner").get("/api/v1/invitations")).body.data;
    expect(listed.map((i: { id: string }) => i.id)).not.toContain(invitation.id);
    const still = (await as(acme, "owner").get("/api/v1/invitations")).body.data;
    expect(still.map((i: { id: string }) => i.id)).toContain(invitation.id);
  });

  it("refuses workspace_id, role or password_hash where they do not belong", async () => {
    const create = await as(acme, "owner").post("/api/v1/invitations", {
      email: uniqueEmail("mass"),
      role: "agent",
      workspace_id: globex.workspaceId,
    });
    expect(create.status).toBe(400);
    expect(create.body.field).toBe("workspace_id");
    const { token } = await invite(acme, uniqueEmail("mass"), "viewer");
    for (const field of ["role", "password_hash", "workspace_id"]) {
      const response = await anonymous().post("/api/v1/invitations/accept", {
        token,
        name: "M",
        password: "a long enough password",
        [field]: field === "workspace_id" ? globex.workspaceId : "owner",
      });
      expect(response.status).toBe(400);
      expect(response.body.field).toBe(field);
    }
    const accepted = await anonymous().post("/api/v1/invitations/accept", {
      token,
      name: "M",
      password: "a long enough password",
    });
    expect(accepted.body.workspace.role).toBe("viewer");
  });
});
