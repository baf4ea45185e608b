import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import {
  CreatedWebhook,
  CreateWebhookBody,
  errorResponses,
  IdParams,
  Page,
  PageQuery,
  StrictObject,
  UpdateWebhookBody,
  Webhook,
  WebhookDelivery,
} from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import { principalOf } from "../access/authenticate.ts";
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listDeliveries,
  listWebhooks,
  sendTestPing,
  updateWebhook,
  type WebhookInput,
} from "./service.ts";

type ById = { Params: { id: string } };
const tags = ["webhooks"];
const config = { permission: "webhooks:manage" } as const;
const conflictResponse = { 409: { $ref: "Problem#" } } as const;

export async function webhookRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get(
    "/webhooks",
    {
      config,
      schema: {
        tags,
        summary: "List the workspace's webhooks (never their secrets)",
        response: { 200: Type.Object({ data: Type.Array(Webhook) }), ...errorResponses },
      },
    },
    async (request) => ({ data: await listWebhooks(ctx, principalOf(request)) }),
  );

  app.post<{ Body: WebhookInput }>(
    "/webhooks",
    {
      config,
      schema: {
        tags,
        summary: "Create a webhook; its signing secret is shown only in this response",
        body: CreateWebhookBody,
        response: { 201: CreatedWebhook, ...errorResponses, ...conflictResponse },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createWebhook(ctx, principalOf(request), request.body)),
  );

  app.get<ById>(
    "/webhooks/:id",
    {
      config,
      schema: {
        tags,
        summary: "Get a webhook",
        params: IdParams,
        response: { 200: Webhook, ...errorResponses },
      },
    },
    async (request) => getWebhook(ctx, principalOf(request), request.params.id),
  );

  app.patch<ById & { Body: Partial<WebhookInput> }>(
    "/webhooks/:id",
    {
      config,
      schema: {
        tags,
        summary: "Change a webhook's URL, events or active flag",
        params: IdParams,
        body: UpdateWebhookBody,
        response: { 200: Webhook, ...errorResponses },
      },
    },
    async (request) => updateWebhook(ctx, principalOf(request), request.params.id, request.body),
  );

  app.delete<ById>(
    "/webhooks/:id",
    {
      config,
      schema: {
        tags,
        summary: "Delete a webhook and its delivery log",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await deleteWebhook(ctx, principalOf(request), request.params.id);
      return reply.status(204).send();
    },
  );

  app.get<ById & { Querystring: { cursor?: string; limit?: number } }>(
    "/webhooks/:id/deliveries",
    {
      config,
      schema: {
        tags,
        summary: "The webhook's delivery log, newest first",
        params: IdParams,
        querystring: StrictObject(PageQuery),
        response: { 200: Page(WebhookDelivery), ...errorResponses },
      },
    },
    async (request) => listDeliveries(ctx, principalOf(request), request.params.id, request.query),
  );

  app.post<ById>(
    "/webhooks/:id/test",
    {
      config,
      schema: {
        tags,
        summary: "Send a ping now and answer with its logged delivery",
        params: IdParams,
        response: { 200: WebhookDelivery, ...errorResponses },
      },
    },
    async (request) => sendTestPing(ctx, principalOf(request), request.params.id),
  );
}
