import type { FastifyInstance } from "fastify";
import {
  CreateMessageBody,
  errorResponses,
  IdParams,
  Message,
  MessageListQuery,
  Page,
} from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import { principalOf } from "../access/authenticate.ts";
import { listMessages, type MessageInput, postMessage } from "./message-service.ts";

type Id = { Params: { id: string } };

export async function messageRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get<Id & { Querystring: { cursor?: string; limit?: number } }>(
    "/conversations/:id/messages",
    {
      config: { permission: "conversations:read" },
      schema: {
        tags: ["messages"],
        summary: "A conversation's messages, oldest first, with attachment metadata",
        params: IdParams,
        querystring: MessageListQuery,
        response: { 200: Page(Message), ...errorResponses },
      },
    },
    async (request) => listMessages(ctx, principalOf(request).workspaceId, request.params.id, request.query),
  );

  app.post<Id & { Body: MessageInput }>(
    "/conversations/:id/messages",
    {
      config: { permission: "conversations:write" },
      schema: {
        tags: ["messages"],
        summary: "Add a customer message (incoming), an agent reply (outgoing) or an internal note",
        params: IdParams,
        body: CreateMessageBody,
        response: { 201: Message, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await postMessage(ctx, principalOf(request), request.params.id, request.body)),
  );
}
