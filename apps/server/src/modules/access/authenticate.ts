import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AppContext } from "../../context.ts";
import { forbidden, Problem, unauthorized } from "../../lib/errors.ts";
import { constantTimeEqual, sha256 } from "../../lib/tokens.ts";
import { can } from "../../http/permissions.ts";
import type { Principal } from "../../http/principal.ts";
import { findApiToken, findSession, touchApiToken } from "./queries.ts";

export const SESSION_COOKIE = "kw_session";

export interface DeclaredRoute {
  method: string;
  url: string;
  permission: string;
}

const routesByContext = new WeakMap<AppContext, DeclaredRoute[]>();

/** Every /api/v1 route with the permission it declared: the authorization tests walk this list. */
export function declaredRoutes(ctx: AppContext): DeclaredRoute[] {
  return routesByContext.get(ctx) ?? [];
}
export const CSRF_HEADER = "x-csrf-token";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/*
 * Resolved API tokens are kept in memory for a few seconds, so that a burst of API calls does not
 * look the same token up for every request. A revocation, a role change or a removal from the
 * workspace forgets every cached token at once: here at once (revokeApiToken, the event sink below),
 * on the other instances through a NOTIFY. A load that was already running when something was
 * forgotten does not put its (possibly outdated) answer in the cache. The lifetime bounds how long
 * an instance that missed a notification can answer from an outdated entry; expiry is checked on
 * every request.
 */
const TOKEN_CACHE_MS = 5_000;
const TOKEN_CACHE_MAX = 10_000;
const CREDENTIALS_CHANNEL = "keepwell_credentials";
/** Events after which a cached principal may have the wrong role or should not exist any more. */
const CREDENTIAL_EVENTS = new Set(["agent.updated", "agent.removed"]);

interface CachedToken {
  principal: Principal;
  /** The token's own expiry (ms since the epoch, against ctx.now()), or null. */
  expiresAt: number | null;
  /** performance.now() after which the entry is looked up again. */
  freshUntil: number;
  lastUsedAt: number | null;
}

class TokenCache {
  readonly #entries = new Map<string, CachedToken>();
  #generation = 0;

  get generation(): number {
    return this.#generation;
  }

  get(hash: string): CachedToken | undefined {
    const entry = this.#entries.get(hash);
    if (entry && entry.freshUntil <= performance.now()) {
      this.#entries.delete(hash);
      return undefined;
    }
    return entry;
  }

  /** Keeps an entry unless something was forgotten since its lookup began (`generation`). */
  set(hash: string, entry: CachedToken, generation: number): void {
    if (generation !== this.#generation) return;
    if (this.#entries.size >= TOKEN_CACHE_MAX) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(hash, entry);
  }

  forgetAll(): void {
    this.#generation++;
    this.#entries.clear();
  }
}

const tokenCaches = new WeakMap<AppContext, TokenCache>();

function tokenCacheOf(ctx: AppContext): TokenCache {
  let cache = tokenCaches.get(ctx);
  if (!cache) {
    cache = new TokenCache();
    tokenCaches.set(ctx, cache);
  }
  return cache;
}

/**
 * Call after a change to API tokens has committed (revocation): drops the cached tokens here and
 * tells the other instances to do the same.
 */
export async function forgetCachedTokens(ctx: AppContext): Promise<void> {
  tokenCacheOf(ctx).forgetAll();
  try {
    await ctx.database.notify(CREDENTIALS_CHANNEL, "forget");
  } catch (error) {
    // The change is committed; other instances still drop their copy when its lifetime ends.
    ctx.log.error({ err: error }, "could not tell other instances to forget cached API tokens");
  }
}

/** Listens for credential changes made here and on other instances; returns the function that stops it. */
async function watchCredentialChanges(ctx: AppContext): Promise<() => Promise<void>> {
  const cache = tokenCacheOf(ctx);
  const onEvent = (event: { type: string }) => {
    if (CREDENTIAL_EVENTS.has(event.type)) cache.forgetAll();
  };
  // Every instance hears the events at commit; the instance that made a change has already
  // forgotten its cache before answering (forgetCachedTokens).
  const unsubscribe = ctx.events.subscribe(onEvent);
  const unlisten = await ctx.database.listen(CREDENTIALS_CHANNEL, () => cache.forgetAll());
  return async () => {
    unsubscribe();
    await unlisten();
  };
}

async function resolveApiToken(ctx: AppContext, token: string, now: Date): Promise<Principal> {
  const cache = tokenCacheOf(ctx);
  const hash = sha256(token);
  let entry = cache.get(hash);
  if (!entry || (entry.expiresAt !== null && entry.expiresAt <= now.getTime())) {
    const generation = cache.generation;
    const row = await findApiToken(ctx.db, hash, now);
    if (!row) throw unauthorized("The API token is unknown, revoked or expired");
    entry = {
      principal: {
        agentId: row.agent_id,
        workspaceId: row.workspace_id,
        role: row.role,
        via: "token",
        credentialId: row.credential_id,
      },
      expiresAt: row.expires_at ? new Date(row.expires_at).getTime() : null,
      freshUntil: performance.now() + TOKEN_CACHE_MS,
      lastUsedAt: row.last_used_at ? new Date(row.last_used_at).getTime() : null,
    };
    cache.set(hash, entry, generation);
  }
  if (entry.lastUsedAt === null || now.getTime() - entry.lastUsedAt > 60_000) {
    // Claimed before the write, so concurrent requests with this token do not all write it.
    entry.lastUsedAt = now.getTime();
    await touchApiToken(ctx.db, entry.principal.workspaceId, entry.principal.credentialId, now);
  }
  // A copy: request handlers must not be able to change what later requests see.
  return { ...entry.principal };
}

/** Resolves the caller from the Bearer token or the session cookie. A bad credential is never ignored. */
export async function resolvePrincipal(ctx: AppContext, request: FastifyRequest): Promise<Principal | null> {
  const now = ctx.now();
  const authorization = request.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) throw unauthorized("Authorization must be 'Bearer <token>'");
    return resolveApiToken(ctx, match[1], now);
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (cookie) {
    const row = await findSession(ctx.db, sha256(cookie), now);
    if (!row) return null;
    return {
      agentId: row.agent_id,
      workspaceId: row.workspace_id,
      role: row.role,
      via: "session",
      credentialId: row.credential_id,
      csrfToken: row.csrf_token ?? undefined,
    };
  }
  return null;
}

/**
 * Every API route declares the permission it needs in its config; this hook enforces it before the
 * body is even parsed, so an anonymous or under-privileged caller learns nothing from validation.
 */
export function installAuthentication(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest("principal", null);
  let stopWatching: (() => Promise<void>) | undefined;
  app.addHook("onReady", async () => {
    stopWatching = await watchCredentialChanges(ctx);
  });
  app.addHook("onClose", async () => {
    await stopWatching?.();
  });
  const declared: DeclaredRoute[] = [];
  routesByContext.set(ctx, declared);
  app.addHook("onRoute", (route) => {
    const url = route.url ?? route.path;
    if (!url.startsWith("/api/v1") || route.method === "HEAD") return;
    const permission = route.config?.permission;
    if (!permission) throw new Error(`route ${route.method} ${url} declares no permission`);
    for (const method of [route.method].flat()) declared.push({ method, url, permission });
    // Say in the OpenAPI document what each operation needs.
    if (route.schema) {
      const schema = route.schema as Record<string, unknown>;
      if (permission === "public") schema.security = [];
      const needs =
        permission === "public"
          ? "No credential needed."
          : permission === "authenticated"
            ? "Any signed-in agent."
            : `Needs the \`${permission}\` permission.`;
      schema.description = [schema.description, needs].filter(Boolean).join("\n\n");
    }
  });
  app.addHook("onRequest", async (request) => {
    const permission = request.routeOptions.config?.permission;
    if (!permission || permission === "public") return;
    const principal = await resolvePrincipal(ctx, request);
    if (!principal) throw unauthorized();
    if (principal.via === "session" && !SAFE_METHODS.has(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== "string" || !principal.csrfToken || !constantTimeEqual(sent, principal.csrfToken)) {
        throw new Problem(403, "csrf_failed", `Send the session's CSRF token in the ${CSRF_HEADER} header`);
      }
    }
    if (permission !== "authenticated" && !can(principal.role, permission)) throw forbidden();
    request.principal = principal;
  });
}

/** The caller, for handlers of authenticated routes (the hook above has already refused anonymous calls). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}
