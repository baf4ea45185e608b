import { createServer } from "node:net";
import type { Page } from "playwright-core";
import type { Principal } from "../apps/server/src/http/principal.ts";
import { hashPassword } from "../apps/server/src/modules/access/passwords.ts";
import { createConversation } from "../apps/server/src/modules/conversations/service.ts";
import { addMember, upsertAgent } from "../apps/server/src/modules/workspaces/service.ts";
import {
  apiClient,
  createTestWorkspace,
  startTestServer,
  type TestServer,
  type TestWorkspace,
} from "../apps/server/src/test/harness.ts";
import { ensureWebBuilt } from "../scripts/build-web.js";

export const PASSWORD = "a long and known password";

/** Opens `url` signed out and signs in on the form it shows, as a person would. */
export async function signIn(page: Page, app: AppFixture, email: string, url: string, password = PASSWORD) {
  await page.goto(`${app.server.url}${url}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export interface AppFixture {
  server: TestServer;
  workspace: TestWorkspace;
  /** The agent who signs in through the browser. */
  agent: { id: string; email: string; name: string };
  /** A second agent with the same password, for two-browser journeys. */
  colleague: { id: string; email: string; name: string };
  inboxId: string;
  api: ReturnType<typeof apiClient>;
  /** Starts a conversation the way an API integration records a customer's request. */
  customerWrites(input: { name: string; email: string; subject: string; body: string }): Promise<string>;
  /** Seeds a customer's conversation as if it had arrived `minutesAgo`, straight through the service. */
  seed(input: {
    name: string;
    email: string;
    subject: string;
    body: string;
    minutesAgo: number;
  }): Promise<string>;
  destroy(): Promise<void>;
}

/** A free port, so that the server's BASE_URL (and the WebSocket origin check) match the browser's origin. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** A built app, a running server on PGlite, a workspace with a support inbox and an agent who can sign in. */
export async function startApp(name = "Acme"): Promise<AppFixture> {
  await ensureWebBuilt({ log: () => {} });
  const port = await freePort();
  const server = await startTestServer("pglite", {
    PORT: String(port),
    BASE_URL: `http://127.0.0.1:${port}`,
  });
  const workspace = await createTestWorkspace(server, name);
  const email = `dana@${name.toLowerCase()}-${port}.test`;
  const agentId = await upsertAgent(server.ctx.db, email, "Dana Reyes", await hashPassword(PASSWORD));
  await addMember(server.ctx.db, workspace.workspaceId, agentId, "agent");
  const colleagueEmail = `sam@${name.toLowerCase()}-${port}.test`;
  const colleagueId = await upsertAgent(
    server.ctx.db,
    colleagueEmail,
    "Sam Rivera",
    await hashPassword(PASSWORD),
  );
  await addMember(server.ctx.db, workspace.workspaceId, colleagueId, "agent");
  const api = apiClient(server.url, workspace.tokens.admin);
  const inbox = await api.post("/api/v1/inboxes", { name: "Support", channel: "api" });
  if (inbox.status !== 201) throw new Error(`inbox: ${JSON.stringify(inbox.body)}`);

  return {
    server,
    workspace,
    agent: { id: agentId, email, name: "Dana Reyes" },
    colleague: { id: colleagueId, email: colleagueEmail, name: "Sam Rivera" },
    inboxId: inbox.body.id,
    api,
    async customerWrites(input) {
      const created = await api.post("/api/v1/conversations", {
        inbox_id: inbox.body.id,
        subject: input.subject,
        contact: { email: input.email, name: input.name },
        message: { kind: "incoming", body_text: input.body },
      });
      if (created.status !== 201) throw new Error(`conversation: ${JSON.stringify(created.body)}`);
      return created.body.id as string;
    },
    async seed(input) {
      const principal: Principal = {
        agentId: workspace.agents.admin,
        workspaceId: workspace.workspaceId,
        role: "admin",
        via: "token",
        credentialId: "e2e-seed",
      };
      const created = await createConversation(
        server.ctx,
        principal,
        {
          inbox_id: inbox.body.id,
          subject: input.subject,
          contact: { email: input.email, name: input.name },
          message: { kind: "incoming", body_text: input.body },
        },
        { at: new Date(Date.now() - input.minutesAgo * 60_000) },
      );
      return created.id;
    },
    destroy: () => server.destroy(),
  };
}
