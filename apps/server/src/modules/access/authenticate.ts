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

/** Resolves the caller from the Bearer token or the session cookie. A bad credential is never ignored. */
export async function resolvePrincipal(ctx: AppContext, request: FastifyRequest): Promise<Principal | null> {
  const now = ctx.now();
  const authorization = request.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) throw unauthorized("Authorization must be 'Bearer <token>'");
    const row = await findApiToken(ctx.db, sha256(match[1]), now);
    if (!row) throw unauthorized("The API token is unknown, revoked or expired");
    if (!row.last_used_at || now.getTime() - new Date(row.last_used_at).getTime() > 60_000) {
      await touchApiToken(ctx.db, row.workspace_id, row.credential_id, now);
    }
    return {
      agentId: row.agent_id,
      workspaceId: row.workspace_id,
      role: row.role,
      via: "token",
      credentialId: row.credential_id,
    };
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
