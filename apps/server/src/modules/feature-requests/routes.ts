import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import { errorResponses, IdParams, Page } from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import { principalOf } from "../access/authenticate.ts";
import { listNotices, sendNotices, updateNotice } from "./notices.ts";
import {
  AskParams,
  ConversationFeatureRequests,
  CreateFeatureRequestBody,
  FeatureRequest,
  FeatureRequestDetail,
  FeatureRequestListQuery,
  LinkAskBody,
  NoticeParams,
  SendNoticesBody,
  SendNoticesResult,
  ShipNotice,
  UpdateFeatureRequestBody,
  UpdateNoticeBody,
} from "./schemas.ts";
import {
  createRequest,
  deleteRequest,
  linkAsk,
  listRequests,
  requestsOfConversation,
  showRequest,
  unlinkAsk,
  updateRequest,
} from "./service.ts";

type Params = { Params: Static<typeof IdParams> };
const tags = ["feature requests"];
const conflictResponse = { 409: { $ref: "Problem#" } } as const;

/** Feature requests: every agent links what customers ask for; viewers read the list. */
export async function featureRequestRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get<{ Querystring: Static<typeof FeatureRequestListQuery> }>(
    "/feature-requests",
    {
      config: { permission: "features:read" },
      schema: {
        tags,
        summary:
          "The prioritised list: by total MRR behind each request (default), by how many asked, or by latest ask",
        querystring: FeatureRequestListQuery,
        response: { 200: Page(FeatureRequest), ...errorResponses },
      },
    },
    async (request) => listRequests(ctx, principalOf(request), request.query),
  );

  app.post<{ Body: Static<typeof CreateFeatureRequestBody> }>(
    "/feature-requests",
    {
      config: { permission: "features:write" },
      schema: {
        tags,
        summary: "Create a feature request (titles are unique in a workspace, ignoring case)",
        body: CreateFeatureRequestBody,
        response: { 201: FeatureRequest, ...errorResponses, ...conflictResponse },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createRequest(ctx, principalOf(request), request.body)),
  );

  app.get<Params>(
    "/feature-requests/:id",
    {
      config: { permission: "features:read" },
      schema: {
        tags,
        summary: "One request with each ask: who, their company and its MRR, when, from which conversation",
        params: IdParams,
        response: { 200: FeatureRequestDetail, ...errorResponses },
      },
    },
    async (request) => showRequest(ctx, principalOf(request), request.params.id),
  );

  app.patch<Params & { Body: Static<typeof UpdateFeatureRequestBody> }>(
    "/feature-requests/:id",
    {
      config: { permission: "features:write" },
      schema: {
        tags,
        summary:
          "Change a request; status shipped records the time from first ask and drafts a notice to everyone who asked",
        params: IdParams,
        body: UpdateFeatureRequestBody,
        response: { 200: FeatureRequest, ...errorResponses, ...conflictResponse },
      },
    },
    async (request) => updateRequest(ctx, principalOf(request), request.params.id, request.body),
  );

  app.delete<Params>(
    "/feature-requests/:id",
    {
      config: { permission: "features:manage" },
      schema: { tags, summary: "Delete a request and its asks", params: IdParams, response: errorResponses },
    },
    async (request, reply) => {
      await deleteRequest(ctx, principalOf(request), request.params.id);
      return reply.status(204).send();
    },
  );

  app.post<Params & { Body: Static<typeof LinkAskBody> }>(
    "/feature-requests/:id/asks",
    {
      config: { permission: "features:write" },
      schema: {
        tags,
        summary: "Link a conversation (or a contact) to the request: that customer asked for it",
        params: IdParams,
        body: LinkAskBody,
        response: {
          200: Type.Object({ ask_id: Type.String(), created: Type.Boolean(), request: FeatureRequestDetail }),
          201: Type.Object({ ask_id: Type.String(), created: Type.Boolean(), request: FeatureRequestDetail }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const result = await linkAsk(ctx, principalOf(request), request.params.id, request.body);
      return reply
        .status(result.created ? 201 : 200)
        .send({ ask_id: result.askId, created: result.created, request: result.request });
    },
  );

  app.delete<{ Params: Static<typeof AskParams> }>(
    "/feature-requests/:id/asks/:askId",
    {
      config: { permission: "features:write" },
      schema: {
        tags,
        summary: "Remove one ask from the request",
        params: AskParams,
        response: errorResponses,
      },
    },
    async (request, reply) => {
      await unlinkAsk(ctx, principalOf(request), request.params.id, request.params.askId);
      return reply.status(204).send();
    },
  );

  app.get<Params>(
    "/conversations/:id/feature-requests",
    {
      config: { permission: "features:read" },
      schema: {
        tags,
        summary: "The requests this conversation is linked to",
        params: IdParams,
        response: { 200: ConversationFeatureRequests, ...errorResponses },
      },
    },
    async (request) => requestsOfConversation(ctx, principalOf(request), request.params.id),
  );

  app.get<Params>(
    "/feature-requests/:id/notices",
    {
      config: { permission: "features:read" },
      schema: {
        tags,
        summary: "The personal emails drafted (and sent) to everyone who asked, once the request shipped",
        params: IdParams,
        response: { 200: Type.Object({ data: Type.Array(ShipNotice) }), ...errorResponses },
      },
    },
    async (request) => listNotices(ctx, principalOf(request), request.params.id),
  );

  app.patch<{ Params: Static<typeof NoticeParams>; Body: Static<typeof UpdateNoticeBody> }>(
    "/feature-requests/:id/notices/:noticeId",
    {
      config: { permission: "features:write" },
      schema: {
        tags,
        summary: "Edit a draft's subject or text, or leave its contact out",
        params: NoticeParams,
        body: UpdateNoticeBody,
        response: { 200: ShipNotice, ...errorResponses, ...conflictResponse },
      },
    },
    async (request) =>
      updateNotice(ctx, principalOf(request), request.params.id, request.params.noticeId, request.body),
  );

  app.post<Params & { Body: Static<typeof SendNoticesBody> }>(
    "/feature-requests/:id/notices/send",
    {
      config: { permission: "features:write" },
      schema: {
        tags,
        summary: "Send the drafts: each opens an email conversation from the agent who linked that customer",
        params: IdParams,
        body: SendNoticesBody,
        response: { 200: SendNoticesResult, ...errorResponses, ...conflictResponse },
      },
    },
    async (request) => sendNotices(ctx, principalOf(request), request.params.id, request.body),
  );
}
