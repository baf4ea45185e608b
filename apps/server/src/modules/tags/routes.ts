import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import {
  CreateTagBody,
  errorResponses,
  IdParams,
  Tag,
  UpdateTagBody,
} from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import { principalOf } from "../access/authenticate.ts";
import { createTag, deleteTag, listTags, updateTag } from "./service.ts";

const conflictResponse = { 409: { $ref: "Problem#" } } as const;

export async function tagRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get(
    "/tags",
    {
      config: { permission: "conversations:read" },
      schema: {
        tags: ["tags"],
        summary: "List the workspace's tags by name",
        response: { 200: Type.Object({ data: Type.Array(Tag) }), ...errorResponses },
      },
    },
    async (request) => ({ data: await listTags(ctx.db, principalOf(request).workspaceId) }),
  );

  app.post<{ Body: { name: string; color?: string } }>(
    "/tags",
    {
      config: { permission: "tags:manage" },
      schema: {
        tags: ["tags"],
        summary: "Create a tag; names are unique in the workspace, ignoring case",
        body: CreateTagBody,
        response: { 201: Tag, ...conflictResponse, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createTag(ctx, principalOf(request), request.body)),
  );

  app.patch<{ Params: { id: string }; Body: { name?: string; color?: string } }>(
    "/tags/:id",
    {
      config: { permission: "tags:manage" },
      schema: {
        tags: ["tags"],
        summary: "Rename or recolour a tag",
        params: IdParams,
        body: UpdateTagBody,
        response: { 200: Tag, ...conflictResponse, ...errorResponses },
      },
    },
    async (request) => updateTag(ctx, principalOf(request), request.params.id, request.body),
  );

  app.delete<{ Params: { id: string } }>(
    "/tags/:id",
    {
      config: { permission: "tags:manage" },
      schema: {
        tags: ["tags"],
        summary: "Delete a tag and remove it from every conversation",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await deleteTag(ctx, principalOf(request), request.params.id);
      return reply.status(204).send();
    },
  );
}
