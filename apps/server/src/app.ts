import cookie from "@fastify/cookie";
import multipart from "@fastify/multipart";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import websocket from "@fastify/websocket";
import Fastify, { type FastifyInstance } from "fastify";
import {
  DurableEventTypes,
  EventCatalogue,
  Problem as ProblemSchema,
  WebhookEnvelope,
} from "../../../packages/contracts/src/index.ts";
import type { AppContext } from "./context.ts";
import { installErrorHandler } from "./http/error-handler.ts";
import { installIdempotency } from "./http/idempotency.ts";
import { installValidators } from "./http/validation.ts";
import { installAuthentication } from "./modules/access/authenticate.ts";
import { apiModules, siteModules } from "./modules/index.ts";

export const BODY_LIMIT = 1024 * 1024;

/** Builds the HTTP app: infrastructure plugins first, then every module's routes under /api/v1. */
export async function buildApp(
  ctx: AppContext,
  options: { logger?: boolean } = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger === false ? false : { level: ctx.config.logLevel },
    bodyLimit: BODY_LIMIT,
    trustProxy: ctx.config.trustProxy.length > 0 ? ctx.config.trustProxy : false,
    // Our own routes carry ids; keep URLs strict and predictable.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    genReqId: () => crypto.randomUUID(),
  });

  installValidators(app);
  installErrorHandler(app);
  // Every response names its own type; no browser may guess another (a route may still set more).
  app.addHook("onRequest", async (_request, reply) => {
    reply.header("x-content-type-options", "nosniff");
  });
  app.addSchema(ProblemSchema);
  await app.register(cookie);
  await app.register(multipart, { limits: { fileSize: 25 * 1024 * 1024, files: 10, fields: 20 } });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Keepwell API",
        version: "1",
        description: "Customer support and success desk. Errors are RFC 9457 problem+json.",
      },
      servers: [{ url: ctx.config.baseUrl }],
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer", description: "API token from POST /api/v1/tokens" },
          session: { type: "apiKey", in: "cookie", name: "kw_session" },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
      webhooks: webhookOperations(),
    },
  });
  await app.register(swaggerUi, { routePrefix: "/api/docs" });

  app.get("/api/v1/openapi.json", { config: { permission: "public" }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
  app.get("/healthz", { schema: { hide: true } }, async () => ({ status: "ok" }));
  app.get("/readyz", { schema: { hide: true } }, async (_request, reply) => {
    try {
      await ctx.database.executeSql("select 1");
      return { status: "ready" };
    } catch {
      return reply.status(503).send({ status: "database unavailable" });
    }
  });

  await app.register(
    async (api) => {
      installAuthentication(api, ctx);
      installIdempotency(api, ctx);
      for (const register of apiModules) await register(api, ctx);
    },
    { prefix: "/api/v1" },
  );
  for (const register of siteModules) await register(app, ctx);

  return app;
}

/** Headers every webhook delivery carries besides the JSON body. */
const webhookHeaders = [
  {
    name: "keepwell-signature",
    in: "header" as const,
    required: true,
    description:
      't=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body"> with the webhook\'s secret; refuse an old t to refuse replays',
    schema: { type: "string" as const },
  },
  {
    name: "keepwell-event",
    in: "header" as const,
    required: true,
    description: "The event type",
    schema: { type: "string" as const },
  },
  {
    name: "keepwell-delivery",
    in: "header" as const,
    required: true,
    description: "This webhook's delivery of the event, kept across retries (the body's id names the event)",
    schema: { type: "string" as const, format: "uuid" },
  },
];

/**
 * OpenAPI 3.1 `webhooks`: what a subscribed URL receives, one entry per durable event type (plus the
 * test ping), generated from the event catalogue so the document cannot drift from it.
 */
function webhookOperations() {
  const operation = (type: (typeof DurableEventTypes)[number] | "ping", description: string) => ({
    post: {
      summary: type,
      description,
      parameters: webhookHeaders,
      requestBody: { required: true, content: { "application/json": { schema: WebhookEnvelope(type) } } },
      responses: {
        "2XX": { description: "Received. Any other answer, a redirect or no answer within 10 s is retried" },
      },
    },
  });
  const webhooks: Record<string, ReturnType<typeof operation>> = {};
  for (const type of DurableEventTypes) {
    webhooks[type] = operation(type, (EventCatalogue[type] as { description?: string }).description ?? type);
  }
  webhooks.ping = operation(
    "ping",
    "Sent only by POST /api/v1/webhooks/{id}/test, whatever the webhook's events",
  );
  return webhooks;
}
