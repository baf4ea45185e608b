import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import {
  AcceptInvitationBody,
  CreateInvitationBody,
  errorResponses,
  IdParams,
  Invitation,
  SessionInfo,
} from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import { principalOf, SESSION_COOKIE } from "../access/authenticate.ts";
import { sessionInfo } from "../access/service.ts";
import { acceptInvitation, inviteAgent, listPendingInvitations, revokeInvitation } from "./invitations.ts";

const conflictResponse = { 409: { $ref: "Problem#" } } as const;

export async function invitationRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const secureCookies = ctx.config.baseUrl.startsWith("https:");

  app.post<{ Body: Static<typeof CreateInvitationBody> }>(
    "/invitations",
    {
      config: { permission: "agents:manage" },
      schema: {
        tags: ["agents"],
        summary: "Invite someone by email, with a role no higher than yours; the link is valid 7 days",
        body: CreateInvitationBody,
        response: { 201: Invitation, ...errorResponses, ...conflictResponse },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await inviteAgent(ctx, principalOf(request), request.body)),
  );

  app.get(
    "/invitations",
    {
      config: { permission: "agents:manage" },
      schema: {
        tags: ["agents"],
        summary: "Invitations still pending",
        response: { 200: Type.Object({ data: Type.Array(Invitation) }), ...errorResponses },
      },
    },
    async (request) => ({ data: await listPendingInvitations(ctx, principalOf(request)) }),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    "/invitations/:id",
    {
      config: { permission: "agents:manage" },
      schema: {
        tags: ["agents"],
        summary: "Revoke a pending invitation",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses, ...conflictResponse },
      },
    },
    async (request, reply) => {
      await revokeInvitation(ctx, principalOf(request), request.params.id);
      return reply.status(204).send();
    },
  );

  app.post<{ Body: Static<typeof AcceptInvitationBody> }>(
    "/invitations/accept",
    {
      config: { permission: "public" },
      schema: {
        tags: ["agents"],
        summary:
          "Accept an invitation (new account: name and password; existing account: its password); signs in",
        body: AcceptInvitationBody,
        response: { 200: SessionInfo, ...errorResponses, ...conflictResponse },
      },
    },
    async (request, reply) => {
      const result = await acceptInvitation(ctx, request.body, request.ip);
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
}
