import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import {
  CreateInboxBody,
  errorResponses,
  IdParams,
  Inbox,
  UpdateInboxBody,
} from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import { principalOf } from "../access/authenticate.ts";
import { addInbox, deleteInbox, listInboxes, showInbox, updateInbox } from "./service.ts";

const conflictResponse = { 409: { $ref: "Problem#" } } as const;
type Params = { Params: Static<typeof IdParams> };

export async function inboxRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get(
    "/inboxes",
    {
      config: { permission: "inboxes:read" },
      schema: {
        tags: ["inboxes"],
        summary: "The workspace's inboxes, by name",
        response: { 200: Type.Object({ data: Type.Array(Inbox) }), ...errorResponses },
      },
    },
    async (request) => ({ data: await listInboxes(ctx, principalOf(request)) }),
  );

  app.post<{ Body: Static<typeof CreateInboxBody> }>(
    "/inboxes",
    {
      config: { permission: "inboxes:manage" },
      schema: {
        tags: ["inboxes"],
        summary: "Create an inbox; email inboxes need an address no other inbox uses",
        body: CreateInboxBody,
        response: { 201: Inbox, ...errorResponses, ...conflictResponse },
      },
    },
    async (request, reply) => reply.status(201).send(await addInbox(ctx, principalOf(request), request.body)),
  );

  app.get<Params>(
    "/inboxes/:id",
    {
      config: { permission: "inboxes:read" },
      schema: {
        tags: ["inboxes"],
        summary: "One inbox",
        params: IdParams,
        response: { 200: Inbox, ...errorResponses },
      },
    },
    async (request) => showInbox(ctx, principalOf(request), request.params.id),
  );

  app.patch<Params & { Body: Static<typeof UpdateInboxBody> }>(
    "/inboxes/:id",
    {
      config: { permission: "inboxes:manage" },
      schema: {
        tags: ["inboxes"],
        summary: "Rename an inbox, change its address or its settings (the channel is fixed)",
        params: IdParams,
        body: UpdateInboxBody,
        response: { 200: Inbox, ...errorResponses, ...conflictResponse },
      },
    },
    async (request) => updateInbox(ctx, principalOf(request), request.params.id, request.body),
  );

  app.delete<Params>(
    "/inboxes/:id",
    {
      config: { permission: "inboxes:manage" },
      schema: {
        tags: ["inboxes"],
        summary: "Delete an inbox that has no conversations",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses, ...conflictResponse },
      },
    },
    async (request, reply) => {
      await deleteInbox(ctx, principalOf(request), request.params.id);
      return reply.status(204).send();
    },
  );
}
