import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { loadConfig } from "../config.ts";
import { type RunningServer, startServer } from "../server.ts";
import { createApiToken } from "../modules/access/service.ts";
import { addMember, createWorkspace, upsertAgent } from "../modules/workspaces/service.ts";
import type { Role } from "../db/schema.ts";
import type { WorkspaceEvent } from "../events/types.ts";
import { randomUUID } from "node:crypto";
import { postgresTemplate, seedPgliteDataDir, templatesEnabled } from "./db-template.ts";

/** The databases every integration test runs against: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const databaseKinds: ("pglite" | "postgres")[] = process.env.TEST_DATABASE_URL
  ? ["pglite", "postgres"]
  : ["pglite"];

/** Creates a throwaway PostgreSQL database, already migrated (see db-template.ts); the returned function drops it. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `keepwell_test_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const template = templatesEnabled ? ` template ${await postgresTemplate(adminUrl)}` : "";
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}${template}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

export interface TestServer extends RunningServer {
  url: string;
  kind: "pglite" | "postgres";
  /** Stops the server and removes its database and data directory. */
  destroy(): Promise<void>;
}

/** Starts a real Keepwell server on a free port with its own fresh database. */
export async function startTestServer(
  kind: "pglite" | "postgres",
  env: Record<string, string> = {},
  options: { now?: () => Date; databaseUrl?: string } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "keepwell-test-"));
  const pgDb = kind === "postgres" && !options.databaseUrl ? await createPostgresDatabase() : undefined;
  const databaseUrl = options.databaseUrl ?? pgDb?.url;
  const config = loadConfig({
    KEEPWELL_DATA_DIR: kind === "pglite" && !databaseUrl ? dataDir : dataDir,
    PORT: "0",
    HOST: "127.0.0.1",
    KEEPWELL_SECRET: "test-secret-test-secret-test-secret-0123456789",
    LOG_LEVEL: "silent",
    SMTP_PORT: "0", // servers run in parallel: a test that wants the SMTP listener passes a free port
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...env,
  });
  if (kind === "pglite" && !databaseUrl) {
    config.dataDir = dataDir;
    await seedPgliteDataDir(dataDir);
  }
  const server = await startServer(config, { logger: false, now: options.now });
  return {
    ...server,
    url: server.url!,
    kind,
    async destroy() {
      await server.close();
      await pgDb?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestWorkspace {
  workspaceId: string;
  ownerId: string;
  /** API tokens by role: an owner, an admin, an agent and a viewer of this workspace. */
  tokens: Record<Role, string>;
  agents: Record<Role, string>;
}

let counter = 0;

/** A workspace with one agent of each role, each holding an API token. */
export async function createTestWorkspace(server: RunningServer, name = "Acme"): Promise<TestWorkspace> {
  counter += 1;
  const slug = `${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${counter}-${randomUUID().slice(0, 6)}`;
  const ctx = server.ctx;
  const { workspaceId, ownerId } = await createWorkspace(ctx.db, {
    name,
    slug,
    owner: { email: `owner@${slug}.test`, name: `${name} Owner`, password: "correct horse battery staple" },
  });
  const agents = { owner: ownerId } as Record<Role, string>;
  const tokens = {} as Record<Role, string>;
  for (const role of ["admin", "agent", "viewer"] as Role[]) {
    const id = await upsertAgent(ctx.db, `${role}@${slug}.test`, `${name} ${role}`, null);
    await addMember(ctx.db, workspaceId, id, role);
    agents[role] = id;
  }
  for (const role of ["owner", "admin", "agent", "viewer"] as Role[]) {
    const created = await createApiToken(
      ctx,
      { agentId: agents[role], workspaceId, role, via: "token", credentialId: "setup" },
      { name: `${role} token` },
    );
    tokens[role] = created.token;
  }
  return { workspaceId, ownerId, tokens, agents };
}

/** Polls `check` until it returns a value (not undefined or false): for work done by background jobs. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 40_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting for a background job");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A small HTTP client for tests: real requests over a socket to the running server. */
export function apiClient(baseUrl: string, token?: string) {
  async function request<T = any>(
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const init: RequestInit = { method, headers: { ...headers } };
    if (token) (init.headers as Record<string, string>).authorization = `Bearer ${token}`;
    if (body !== undefined) {
      (init.headers as Record<string, string>)["content-type"] ??= "application/json";
      init.body = typeof body === "string" ? body : JSON.stringify(body);
    }
    const response = await fetch(`${baseUrl}${url}`, init);
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }
  return {
    request,
    get: <T = any>(url: string, headers?: Record<string, string>) =>
      request<T>("GET", url, undefined, headers),
    post: <T = any>(url: string, body?: unknown, headers?: Record<string, string>) =>
      request<T>("POST", url, body ?? {}, headers),
    patch: <T = any>(url: string, body?: unknown, headers?: Record<string, string>) =>
      request<T>("PATCH", url, body ?? {}, headers),
    put: <T = any>(url: string, body?: unknown, headers?: Record<string, string>) =>
      request<T>("PUT", url, body ?? {}, headers),
    delete: <T = any>(url: string, headers?: Record<string, string>) =>
      request<T>("DELETE", url, undefined, headers),
  };
}

/**
 * The events a server recorded (its outbox), oldest first: what sockets, listeners and webhooks get.
 * `clear()` forgets those recorded so far.
 */
export function eventLog(server: RunningServer) {
  let after = "0";
  const read = async () => {
    const rows = await server.ctx.db
      .selectFrom("event_outbox")
      .select(["id", "workspace_id", "type", "data", "created_at", "seq"])
      .where("seq", ">", after)
      .orderBy("seq")
      .execute();
    return rows;
  };
  return {
    async all(): Promise<WorkspaceEvent[]> {
      return (await read()).map((row) => ({
        id: row.id,
        type: row.type,
        workspace_id: row.workspace_id,
        data: row.data,
        at: new Date(row.created_at).toISOString(),
      }));
    },
    async clear(): Promise<void> {
      const rows = await read();
      if (rows.length > 0) after = String(rows[rows.length - 1]!.seq);
    },
  };
}

/** The event bus without the catalogue's types, for tests that publish made-up payloads on purpose. */
export function looseEvents(server: RunningServer) {
  return server.ctx.events as unknown as {
    publish(workspaceId: string, type: string, data: Record<string, unknown>): Promise<void>;
    broadcast(workspaceId: string, type: string, data: Record<string, unknown>): Promise<void>;
  };
}
