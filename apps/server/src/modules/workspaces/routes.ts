import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import {
  errorResponses,
  IdParams,
  Profile,
  TeamMember,
  UpdateProfileBody,
  UpdateTeamMemberBody,
  UpdateWorkspaceBody,
  Workspace,
} from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import { principalOf } from "../access/authenticate.ts";
import { getWorkspace, updateWorkspace } from "./service.ts";
import { changeRole, getProfile, listTeam, removeMember, updateProfile } from "./team.ts";

const conflictResponse = { 409: { $ref: "Problem#" } } as const;

/** The workspace, its team, and the caller's own profile. */
export async function workspaceRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get(
    "/workspace",
    {
      config: { permission: "workspace:read" },
      schema: {
        tags: ["workspace"],
        summary: "The current workspace and its settings",
        response: { 200: Workspace, ...errorResponses },
      },
    },
    async (request) => getWorkspace(ctx, principalOf(request).workspaceId),
  );

  app.patch<{ Body: Static<typeof UpdateWorkspaceBody> }>(
    "/workspace",
    {
      config: { permission: "workspace:manage" },
      schema: {
        tags: ["workspace"],
        summary: "Rename the workspace or change its settings (time zone, business hours, holidays, target)",
        body: UpdateWorkspaceBody,
        response: { 200: Workspace, ...errorResponses },
      },
    },
    async (request) => updateWorkspace(ctx, principalOf(request), request.body),
  );

  app.get(
    "/agents",
    {
      config: { permission: "agents:read" },
      schema: {
        tags: ["agents"],
        summary: "The members of the workspace with their roles",
        response: { 200: Type.Object({ data: Type.Array(TeamMember) }), ...errorResponses },
      },
    },
    async (request) => ({ data: await listTeam(ctx, principalOf(request)) }),
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdateTeamMemberBody> }>(
    "/agents/:id",
    {
      config: { permission: "agents:manage" },
      schema: {
        tags: ["agents"],
        summary: "Change a member's role; admins cannot grant owner or change owners; the last owner stays",
        params: IdParams,
        body: UpdateTeamMemberBody,
        response: { 200: TeamMember, ...errorResponses, ...conflictResponse },
      },
    },
    async (request) => changeRole(ctx, principalOf(request), request.params.id, request.body.role),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    "/agents/:id",
    {
      config: { permission: "agents:manage" },
      schema: {
        tags: ["agents"],
        summary: "Remove a member from the workspace and end their sessions and API tokens there",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses, ...conflictResponse },
      },
    },
    async (request, reply) => {
      await removeMember(ctx, principalOf(request), request.params.id);
      return reply.status(204).send();
    },
  );

  app.get(
    "/me",
    {
      config: { permission: "authenticated" },
      schema: {
        tags: ["agents"],
        summary: "Your own profile",
        response: { 200: Profile, ...errorResponses },
      },
    },
    async (request) => getProfile(ctx, principalOf(request)),
  );

  app.patch<{ Body: Static<typeof UpdateProfileBody> }>(
    "/me",
    {
      config: { permission: "authenticated" },
      schema: {
        tags: ["agents"],
        summary: "Change your name, time zone or password (a new password ends your other sessions)",
        body: UpdateProfileBody,
        response: { 200: Profile, ...errorResponses },
      },
    },
    async (request) => updateProfile(ctx, principalOf(request), request.body),
  );
}
