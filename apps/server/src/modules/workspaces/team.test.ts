import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiClient,
  createTestWorkspace,
  databaseKinds,
  type TestServer,
  type TestWorkspace,
  startTestServer,
  eventLog,
} from "../../test/harness.ts";
import { hashPassword } from "../access/passwords.ts";
import { createInbox } from "../inboxes/service.ts";
import { addMember, upsertAgent } from "./service.ts";

const PASSWORD = "correct horse battery staple";

describe.each(databaseKinds)("the team and the caller's profile on %s", (kind) => {
  let server: TestServer;
  let acme: TestWorkspace;
  let globex: TestWorkspace;
  let events: ReturnType<typeof eventLog>;

  beforeAll(async () => {
    server = await startTestServer(kind);
    acme = await createTestWorkspace(server, "Acme");
    globex = await createTestWorkspace(server, "Globex");
    events = eventLog(server);
  });
  afterAll(async () => {
    await server?.destroy();
  });

  const as = (workspace: TestWorkspace, role: keyof TestWorkspace["tokens"]) =>
    apiClient(server.url, workspace.tokens[role]);

  /** A fresh member of the workspace with a password and an API token, for tests that change it. */
  async function newMember(workspace: TestWorkspace, role: "owner" | "admin" | "agent" | "viewer") {
    const email = `${role}-${crypto.randomUUID().slice(0, 8)}@example.test`;
    const id = await upsertAgent(server.ctx.db, email, `New ${role}`, await hashPassword(PASSWORD));
    await addMember(server.ctx.db, workspace.workspaceId, id, role);
    return { id, email };
  }

  async function signIn(email: string, password = PASSWORD) {
    const response = await fetch(`${server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
    const body = await response.json();
    const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0];
    return { status: response.status, cookie, csrf: body.csrf_token as string };
  }

  function withSession(session: { cookie: string; csrf: string }) {
    const client = apiClient(server.url);
    const headers = { cookie: session.cookie, "x-csrf-token": session.csrf };
    return {
      get: (url: string) => client.get(url, headers),
      patch: (url: string, body: unknown) => client.patch(url, body, headers),
    };
  }

  it("lists the members with their roles to every role", async () => {
    const response = await as(acme, "viewer").get("/api/v1/agents");
    expect(response.status).toBe(200);
    const roles = Object.fromEntries(
      response.body.data.map((a: { id: string; role: string }) => [a.id, a.role]),
    );
    expect(roles).toMatchObject({
      [acme.agents.owner]: "owner",
      [acme.agents.admin]: "admin",
      [acme.agents.agent]: "agent",
      [acme.agents.viewer]: "viewer",
    });
    expect(roles[globex.agents.owner]).toBeUndefined();
    expect(response.body.data[0]).toHaveProperty("joined_at");
    expect(response.body.data[0]).not.toHaveProperty("password_hash");
  });

  it("lets an admin change an agent's role, audited and published", async () => {
    const member = await newMember(acme, "agent");
    const response = await as(acme, "admin").patch(`/api/v1/agents/${member.id}`, { role: "admin" });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: member.id, role: "admin", email: member.email });
    const audit = await as(acme, "owner").get("/api/v1/audit-log");
    expect(audit.body.data[0]).toMatchObject({
      action: "agent.role_changed",
      target_id: member.id,
      data: { from: "agent", to: "admin" },
    });
    expect(await events.all()).toContainEqual(
      expect.objectContaining({
        type: "agent.updated",
        workspace_id: acme.workspaceId,
        data: { id: member.id, role: "admin" },
      }),
    );
  });

  it("forbids an admin to grant owner or to change an owner", async () => {
    const member = await newMember(acme, "agent");
    const grant = await as(acme, "admin").patch(`/api/v1/agents/${member.id}`, { role: "owner" });
    expect(grant.status).toBe(403);
    const demote = await as(acme, "admin").patch(`/api/v1/agents/${acme.ownerId}`, { role: "agent" });
    expect(demote.status).toBe(403);
    const remove = await as(acme, "admin").delete(`/api/v1/agents/${acme.ownerId}`);
    expect(remove.status).toBe(403);
  });

  it("forbids agents and viewers to change roles or remove members", async () => {
    for (const role of ["agent", "viewer"] as const) {
      expect(
        (await as(acme, role).patch(`/api/v1/agents/${acme.agents.viewer}`, { role: "admin" })).status,
      ).toBe(403);
      expect((await as(acme, role).delete(`/api/v1/agents/${acme.agents.viewer}`)).status).toBe(403);
    }
  });

  it("answers 404 for a member of another workspace", async () => {
    const patch = await as(acme, "owner").patch(`/api/v1/agents/${globex.agents.agent}`, { role: "viewer" });
    expect(patch.status).toBe(404);
    const remove = await as(acme, "owner").delete(`/api/v1/agents/${globex.agents.agent}`);
    expect(remove.status).toBe(404);
    const roles = (await as(globex, "owner").get("/api/v1/agents")).body.data.map(
      (a: { role: string }) => a.role,
    );
    expect(roles).toContain("agent");
  });

  it("keeps the last owner: demoting or removing them answers 409", async () => {
    const solo = await createTestWorkspace(server, "Solo");
    const demote = await as(solo, "owner").patch(`/api/v1/agents/${solo.ownerId}`, { role: "admin" });
    expect(demote.status).toBe(409);
    expect(demote.body.field).toBe("role");
    expect((await as(solo, "owner").delete(`/api/v1/agents/${solo.ownerId}`)).status).toBe(409);

    const second = await newMember(solo, "owner");
    const handOver = await as(solo, "owner").patch(`/api/v1/agents/${solo.ownerId}`, { role: "admin" });
    expect(handOver.status).toBe(200);
    const members = (await apiClient(server.url, solo.tokens.admin).get("/api/v1/agents")).body.data;
    expect(members.find((a: { id: string }) => a.id === second.id).role).toBe("owner");
  });

  it("removes a member with their sessions and API tokens in that workspace only", async () => {
    const member = await newMember(acme, "agent");
    await addMember(server.ctx.db, globex.workspaceId, member.id, "agent");
    const session = await signIn(member.email);
    expect((await withSession(session).get("/api/v1/auth/session")).status).toBe(200);
    const globexSession = await fetch(`${server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: member.email, password: PASSWORD, workspace_id: globex.workspaceId }),
    });
    const globexCookie = (globexSession.headers.get("set-cookie") ?? "").split(";")[0];

    const response = await as(acme, "admin").delete(`/api/v1/agents/${member.id}`);
    expect(response.status).toBe(204);
    expect((await withSession(session).get("/api/v1/auth/session")).status).toBe(401);
    const stillThere = await apiClient(server.url).get("/api/v1/auth/session", { cookie: globexCookie });
    expect(stillThere.status).toBe(200);
    const ids = (await as(acme, "owner").get("/api/v1/agents")).body.data.map((a: { id: string }) => a.id);
    expect(ids).not.toContain(member.id);
    expect(await events.all()).toContainEqual(
      expect.objectContaining({ type: "agent.removed", data: { id: member.id } }),
    );
  });

  it("puts a removed member's open, pending and snoozed conversations back in the unassigned view", async () => {
    const member = await newMember(acme, "agent");
    const inbox = await createInbox(server.ctx.db, acme.workspaceId, { name: "Removal", channel: "api" });
    const owner = as(acme, "owner");
    async function assigned(assignee: string, change: Record<string, unknown> = {}) {
      const created = await owner.post("/api/v1/conversations", {
        inbox_id: inbox.id,
        contact: { email: `removal-${crypto.randomUUID().slice(0, 8)}@example.com` },
        message: { kind: "incoming", body_text: "Hello?" },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const patched = await owner.patch(`/api/v1/conversations/${created.body.id}`, {
        assignee_id: assignee,
        ...change,
      });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      return created.body.id as string;
    }
    const open = await assigned(member.id);
    const pending = await assigned(member.id, { status: "pending" });
    const snoozed = await assigned(member.id, {
      status: "snoozed",
      snoozed_until: new Date(Date.now() + 86_400_000).toISOString(),
    });
    const resolved = await assigned(member.id, { status: "resolved" });
    const colleagues = await assigned(acme.agents.agent);
    await events.clear();

    expect((await owner.delete(`/api/v1/agents/${member.id}`)).status).toBe(204);

    const assignee = async (id: string) => (await owner.get(`/api/v1/conversations/${id}`)).body.assignee_id;
    for (const id of [open, pending, snoozed]) {
      expect(await assignee(id)).toBeNull();
      const thread = (await owner.get(`/api/v1/conversations/${id}/messages`)).body.data;
      expect(thread.at(-1)).toMatchObject({
        kind: "activity",
        metadata: { action: "unassigned", previous_assignee_id: member.id },
      });
      expect(await events.all()).toContainEqual(
        expect.objectContaining({
          type: "conversation.assigned",
          data: { id, assignee_id: null, previous_assignee_id: member.id },
        }),
      );
    }
    // A resolved conversation keeps who answered it; a colleague's queue is untouched.
    expect(await assignee(resolved)).toBe(member.id);
    expect(await assignee(colleagues)).toBe(acme.agents.agent);
    expect((await events.all()).filter((e) => e.type === "conversation.assigned")).toHaveLength(3);
  });

  it("revokes a removed member's API tokens, so re-adding them does not revive the tokens", async () => {
    const team = await createTestWorkspace(server, "Tokens");
    const response = await as(team, "owner").delete(`/api/v1/agents/${team.agents.agent}`);
    expect(response.status).toBe(204);
    await addMember(server.ctx.db, team.workspaceId, team.agents.agent, "agent");
    expect((await as(team, "agent").get("/api/v1/me")).status).toBe(401);
  });

  it("refuses a role change with extra fields as unknown fields", async () => {
    const response = await as(acme, "owner").patch(`/api/v1/agents/${acme.agents.viewer}`, {
      role: "agent",
      workspace_id: globex.workspaceId,
    });
    expect(response.status).toBe(400);
    expect(response.body.field).toBe("workspace_id");
    expect((await as(acme, "owner").patch(`/api/v1/agents/not-a-uuid`, { role: "agent" })).status).toBe(400);
  });

  it("shows and changes the caller's own profile, for any role", async () => {
    const me = await as(acme, "viewer").get("/api/v1/me");
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: acme.agents.viewer, time_zone: "UTC" });
    expect(me.body).not.toHaveProperty("password_hash");
    const changed = await as(acme, "viewer").patch("/api/v1/me", {
      name: "Vera Viewer",
      time_zone: "Asia/Kolkata",
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ name: "Vera Viewer", time_zone: "Asia/Kolkata" });
    const team = (await as(acme, "owner").get("/api/v1/agents")).body.data;
    expect(team.find((a: { id: string }) => a.id === acme.agents.viewer).name).toBe("Vera Viewer");
  });

  it("refuses an unknown time zone and mass assignment on the profile", async () => {
    const zone = await as(acme, "agent").patch("/api/v1/me", { time_zone: "Nowhere/Land" });
    expect(zone.status).toBe(400);
    expect(zone.body.field).toBe("time_zone");
    for (const field of ["role", "password_hash", "email", "workspace_id"]) {
      const response = await as(acme, "agent").patch("/api/v1/me", { [field]: "owner" });
      expect(response.status).toBe(400);
      expect(response.body.field).toBe(field);
    }
    const role = (await as(acme, "owner").get("/api/v1/agents")).body.data.find(
      (a: { id: string }) => a.id === acme.agents.agent,
    ).role;
    expect(role).toBe("agent");
  });

  it("changes the password only with the current one, and ends the other sessions", async () => {
    const member = await newMember(acme, "agent");
    const current = await signIn(member.email);
    const other = await signIn(member.email);
    const me = withSession(current);

    const without = await me.patch("/api/v1/me", { password: "a whole new password" });
    expect(without.status).toBe(400);
    expect(without.body.field).toBe("current_password");
    const wrong = await me.patch("/api/v1/me", {
      password: "a whole new password",
      current_password: "guess",
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.field).toBe("current_password");
    const short = await me.patch("/api/v1/me", { password: "short", current_password: PASSWORD });
    expect(short.status).toBe(400);
    expect(short.body.field).toBe("password");
    expect((await withSession(other).get("/api/v1/me")).status).toBe(200);

    const ok = await me.patch("/api/v1/me", { password: "a whole new password", current_password: PASSWORD });
    expect(ok.status).toBe(200);
    expect((await me.get("/api/v1/me")).status).toBe(200);
    expect((await withSession(other).get("/api/v1/me")).status).toBe(401);
    expect((await signIn(member.email)).status).toBe(401);
    expect((await signIn(member.email, "a whole new password")).status).toBe(200);
    const audit = await as(acme, "owner").get("/api/v1/audit-log?limit=100");
    const entry = audit.body.data.find(
      (e: { action: string; target_id: string }) =>
        e.action === "agent.password_changed" && e.target_id === member.id,
    );
    expect(entry.data).toEqual({ changed: ["password"] });
  });

  it("asks for a credential for the profile", async () => {
    expect((await apiClient(server.url).get("/api/v1/me")).status).toBe(401);
    expect((await apiClient(server.url).get("/api/v1/agents")).status).toBe(401);
  });
});
