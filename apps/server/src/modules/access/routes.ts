import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import {
  ApiToken,
  CreatedToken,
  CreateTokenBody,
  errorResponses,
  IdParams,
  LoginBody,
  PasswordResetConfirmBody,
  PasswordResetRequestBody,
  SessionInfo,
  SwitchWorkspaceBody,
} from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import { principalOf, SESSION_COOKIE } from "./authenticate.ts";
import {
  confirmPasswordReset,
  createApiToken,
  listApiTokens,
  login,
  logout,
  requestPasswordReset,
  revokeApiToken,
  sessionInfo,
  switchWorkspace,
} from "./service.ts";

type Body<T> = { Body: T };

export async function accessRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const secureCookies = ctx.config.baseUrl.startsWith("https:");

  app.post<Body<{ email: string; password: string; workspace_id?: string }>>(
    "/auth/login",
    {
      config: { permission: "public" },
      schema: {
        tags: ["auth"],
        summary: "Sign in with email and password; sets the session cookie",
        body: LoginBody,
        response: { 200: SessionInfo, ...errorResponses },
      },
    },
    async (request, reply) => {
      const result = await login(ctx, request.body, request.ip);
      reply.setCookie(SESSION_COOKIE, result.sessionToken, {
        path: "/",
        httpOnly: true,
        sameSite: "lax",
        secure: secureCookies,
        expires: result.expiresAt,
      });
      return sessionInfo(ctx, result.principal);
    },
  );

  app.post(
    "/auth/logout",
    {
      config: { permission: "authenticated" },
      schema: {
        tags: ["auth"],
        summary: "End the current session",
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await logout(ctx, principalOf(request));
      reply.clearCookie(SESSION_COOKIE, { path: "/" });
      return reply.status(204).send();
    },
  );

  app.get(
    "/auth/session",
    {
      config: { permission: "authenticated" },
      schema: {
        tags: ["auth"],
        summary: "The signed-in agent, the current workspace and the CSRF token",
        response: { 200: SessionInfo, ...errorResponses },
      },
    },
    async (request) => sessionInfo(ctx, principalOf(request)),
  );

  app.post<Body<{ workspace_id: string }>>(
    "/auth/switch-workspace",
    {
      config: { permission: "authenticated" },
      schema: {
        tags: ["auth"],
        summary: "Make another of the agent's workspaces the session's current one",
        body: SwitchWorkspaceBody,
        response: { 200: SessionInfo, ...errorResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      await switchWorkspace(ctx, principal, request.body.workspace_id);
      const refreshed = await ctx.db
        .selectFrom("memberships")
        .select("role")
        .where("agent_id", "=", principal.agentId)
        .where("workspace_id", "=", request.body.workspace_id)
        .executeTakeFirstOrThrow();
      return sessionInfo(ctx, { ...principal, workspaceId: request.body.workspace_id, role: refreshed.role });
    },
  );

  app.post<Body<{ email: string }>>(
    "/auth/password-reset",
    {
      config: { permission: "public" },
      schema: {
        tags: ["auth"],
        summary: "Email a reset link; answers the same whether or not the email is known",
        body: PasswordResetRequestBody,
        response: { 202: Type.Object({ status: Type.String() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      await requestPasswordReset(ctx, request.body.email);
      return reply
        .status(202)
        .send({ status: "If this email belongs to an account, a reset link is on its way." });
    },
  );

  app.post<Body<{ token: string; password: string }>>(
    "/auth/password-reset/confirm",
    {
      config: { permission: "public" },
      schema: {
        tags: ["auth"],
        summary: "Set a new password with a reset token",
        body: PasswordResetConfirmBody,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await confirmPasswordReset(ctx, request.body.token, request.body.password);
      return reply.status(204).send();
    },
  );

  app.post<Body<{ name: string; expires_in_days?: number }>>(
    "/tokens",
    {
      config: { permission: "tokens:manage" },
      schema: {
        tags: ["tokens"],
        summary: "Create an API token; the token is shown only in this response",
        body: CreateTokenBody,
        response: { 201: CreatedToken, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createApiToken(ctx, principalOf(request), request.body)),
  );

  app.get(
    "/tokens",
    {
      config: { permission: "tokens:manage" },
      schema: {
        tags: ["tokens"],
        summary: "List API tokens (never their secrets)",
        response: { 200: Type.Object({ data: Type.Array(ApiToken) }), ...errorResponses },
      },
    },
    async (request) => ({ data: await listApiTokens(ctx, principalOf(request)) }),
  );

  app.delete<{ Params: { id: string } }>(
    "/tokens/:id",
    {
      config: { permission: "tokens:manage" },
      schema: {
        tags: ["tokens"],
        summary: "Revoke an API token",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await revokeApiToken(ctx, principalOf(request), request.params.id);
      return reply.status(204).send();
    },
  );
}
