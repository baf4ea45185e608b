import type { FastifyInstance } from "fastify";
import { errorResponses, IdParams } from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import { principalOf } from "../access/authenticate.ts";
import { notFound } from "../../lib/errors.ts";
import { IdentitySecret, VisitorInfo, WidgetSettings, WidgetSettingsBody } from "./schemas.ts";
import { visitorOfConversation } from "./visitors.ts";
import {
  rotateIdentitySecret,
  saveWidgetSettings,
  showWidgetSettings,
  type WidgetSettingsInput,
} from "./settings.ts";

type Params = { Params: { id: string } };
const conflictResponse = { 409: { $ref: "Problem#" } } as const;

/** The chat widget of a chat inbox: its look, where it may be embedded, and identity verification. */
export async function widgetRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get<Params>(
    "/inboxes/:id/widget",
    {
      config: { permission: "inboxes:read" },
      schema: {
        tags: ["widget"],
        summary: "The chat inbox's widget settings and embed snippet (created with defaults on first read)",
        params: IdParams,
        response: { 200: WidgetSettings, ...errorResponses, ...conflictResponse },
      },
    },
    async (request) => showWidgetSettings(ctx, principalOf(request), request.params.id),
  );

  app.put<Params & { Body: WidgetSettingsInput }>(
    "/inboxes/:id/widget",
    {
      config: { permission: "inboxes:manage" },
      schema: {
        tags: ["widget"],
        summary: "Change the widget's colour, greeting, reply time, allowed origins, languages and rules",
        params: IdParams,
        body: WidgetSettingsBody,
        response: { 200: WidgetSettings, ...errorResponses, ...conflictResponse },
      },
    },
    async (request) => saveWidgetSettings(ctx, principalOf(request), request.params.id, request.body),
  );

  app.post<Params>(
    "/inboxes/:id/widget/identity-secret",
    {
      config: { permission: "inboxes:manage" },
      schema: {
        tags: ["widget"],
        summary: "Make a new identity-verification secret (shown once; the previous one stops working)",
        params: IdParams,
        response: { 200: IdentitySecret, ...errorResponses, ...conflictResponse },
      },
    },
    async (request) => rotateIdentitySecret(ctx, principalOf(request), request.params.id),
  );

  app.get<Params>(
    "/conversations/:id/visitor",
    {
      config: { permission: "conversations:read" },
      schema: {
        tags: ["widget"],
        summary: "The chat visitor behind a conversation: name, email left, verified user id, attributes",
        params: IdParams,
        response: { 200: VisitorInfo, ...errorResponses },
      },
    },
    async (request) => {
      const visitor = await visitorOfConversation(
        ctx.db,
        principalOf(request).workspaceId,
        request.params.id,
      );
      if (!visitor) throw notFound("Chat visitor");
      return visitor;
    },
  );
}
