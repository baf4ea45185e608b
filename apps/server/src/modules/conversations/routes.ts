import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import {
  AddConversationTagBody,
  Conversation,
  ConversationListQuery,
  ConversationTagParams,
  CreateConversationBody,
  CreatedConversation,
  errorResponses,
  IdParams,
  Page,
  UpdateConversationBody,
} from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import { principalOf } from "../access/authenticate.ts";
import { type ConversationPatch, updateConversation } from "./conversation-update.ts";
import {
  type ConversationFilter,
  type CreateConversationInput,
  createConversation,
  getConversation,
  listConversationsBody,
  tagConversation,
  untagConversation,
} from "./service.ts";

type Id = { Params: { id: string } };

export async function conversationRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post<{ Body: CreateConversationInput }>(
    "/conversations",
    {
      config: { permission: "conversations:write" },
      schema: {
        tags: ["conversations"],
        summary:
          "Start a conversation with a contact: a customer's request (incoming) or an agent's outreach",
        body: CreateConversationBody,
        response: { 201: CreatedConversation, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createConversation(ctx, principalOf(request), request.body)),
  );

  app.get<{ Querystring: ConversationFilter }>(
    "/conversations",
    {
      config: { permission: "conversations:read" },
      schema: {
        tags: ["conversations"],
        summary:
          "List conversations by last activity, newest first; filter by status, inbox, assignee, tag, contact",
        querystring: ConversationListQuery,
        response: { 200: Page(Conversation), ...errorResponses },
      },
    },
    // The body comes serialized from the database (see listConversationsBody); the schema above
    // still documents it, and the list test holds the two to the same shape.
    async (request, reply) =>
      reply
        .type("application/json; charset=utf-8")
        .send(await listConversationsBody(ctx, principalOf(request), request.query)),
  );

  app.get<Id>(
    "/conversations/:id",
    {
      config: { permission: "conversations:read" },
      schema: {
        tags: ["conversations"],
        summary: "Get a conversation",
        params: IdParams,
        response: { 200: Conversation, ...errorResponses },
      },
    },
    async (request) => getConversation(ctx.db, principalOf(request).workspaceId, request.params.id),
  );

  app.patch<Id & { Body: ConversationPatch }>(
    "/conversations/:id",
    {
      config: { permission: "conversations:write" },
      schema: {
        tags: ["conversations"],
        summary: "Change status (snoozing needs snoozed_until), assignee, priority or subject",
        params: IdParams,
        body: UpdateConversationBody,
        response: { 200: Conversation, ...errorResponses },
      },
    },
    async (request) => updateConversation(ctx, principalOf(request), request.params.id, request.body),
  );

  app.post<Id & { Body: { tag?: string; tag_id?: string } }>(
    "/conversations/:id/tags",
    {
      config: { permission: "conversations:write" },
      schema: {
        tags: ["conversations", "tags"],
        summary: "Tag a conversation by tag name (created if new) or tag_id",
        params: IdParams,
        body: AddConversationTagBody,
        response: { 200: Conversation, ...errorResponses },
      },
    },
    async (request) => tagConversation(ctx, principalOf(request), request.params.id, request.body),
  );

  app.delete<{ Params: { id: string; tagId: string } }>(
    "/conversations/:id/tags/:tagId",
    {
      config: { permission: "conversations:write" },
      schema: {
        tags: ["conversations", "tags"],
        summary: "Remove a tag from a conversation",
        params: ConversationTagParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await untagConversation(ctx, principalOf(request), request.params.id, request.params.tagId);
      return reply.status(204).send();
    },
  );
}
