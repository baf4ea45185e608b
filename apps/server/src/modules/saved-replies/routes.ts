import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import { errorResponses, IdParams } from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import { principalOf } from "../access/authenticate.ts";
import { CreateSavedReplyBody, SavedReply, UpdateSavedReplyBody } from "./schemas.ts";
import {
  createSavedReply,
  deleteSavedReply,
  getSavedReply,
  listSavedReplies,
  updateSavedReply,
} from "./service.ts";

const tags = ["saved replies"];
const conflictResponse = { 409: { $ref: "Problem#" } } as const;
type Params = { Params: Static<typeof IdParams> };

/** Saved replies: every role reads them (the composer's picker); owners and admins manage them. */
export async function savedReplyRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get(
    "/saved-replies",
    {
      config: { permission: "saved_replies:read" },
      schema: {
        tags,
        summary: "List the workspace's saved replies by name",
        response: { 200: Type.Object({ data: Type.Array(SavedReply) }), ...errorResponses },
      },
    },
    async (request) => ({ data: await listSavedReplies(ctx.db, principalOf(request).workspaceId) }),
  );

  app.get<Params>(
    "/saved-replies/:id",
    {
      config: { permission: "saved_replies:read" },
      schema: {
        tags,
        summary: "One saved reply, its variables not filled in",
        params: IdParams,
        response: { 200: SavedReply, ...errorResponses },
      },
    },
    async (request) => getSavedReply(ctx.db, principalOf(request).workspaceId, request.params.id),
  );

  app.post<{ Body: Static<typeof CreateSavedReplyBody> }>(
    "/saved-replies",
    {
      config: { permission: "saved_replies:manage" },
      schema: {
        tags,
        summary:
          "Create a saved reply; the body may use {{contact.first_name}}, {{contact.name}}, {{contact.email}}, {{agent.name}}, {{company.name}}, each with an optional fallback: {{contact.first_name | there}}",
        body: CreateSavedReplyBody,
        response: { 201: SavedReply, ...conflictResponse, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createSavedReply(ctx, principalOf(request), request.body)),
  );

  app.patch<Params & { Body: Static<typeof UpdateSavedReplyBody> }>(
    "/saved-replies/:id",
    {
      config: { permission: "saved_replies:manage" },
      schema: {
        tags,
        summary: "Rename a saved reply or change its text",
        params: IdParams,
        body: UpdateSavedReplyBody,
        response: { 200: SavedReply, ...conflictResponse, ...errorResponses },
      },
    },
    async (request) => updateSavedReply(ctx, principalOf(request), request.params.id, request.body),
  );

  app.delete<Params>(
    "/saved-replies/:id",
    {
      config: { permission: "saved_replies:manage" },
      schema: {
        tags,
        summary: "Delete a saved reply",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await deleteSavedReply(ctx, principalOf(request), request.params.id);
      return reply.status(204).send();
    },
  );
}
