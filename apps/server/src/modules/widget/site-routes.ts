import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type Static, Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { Problem, tooManyRequests } from "../../lib/errors.ts";
import { contentDisposition } from "../attachments/filename.ts";
import { suggestArticles } from "../help-center/search.ts";
import { widgetAsset } from "./assets.ts";
import { visitorAttachment } from "./chat.ts";
import { availabilityOf } from "./availability.ts";
import { demoWidgetPage, framePage, frameCsp } from "./pages.ts";
import { RateLimiter } from "./rate-limit.ts";
import { type PublicWidget, widgetByKey } from "./settings.ts";
import { VisitorHub } from "./visitor-hub.ts";
import { visitorOfToken, startSession } from "./visitors.ts";
import { callbackInboxOf, createCallback } from "../callbacks/service.ts";
import { CallbackWindowFields } from "../callbacks/routes.ts";

type KeyRequest = FastifyRequest<{ Params: { key: string } }>;

const hubs = new WeakMap<AppContext, VisitorHub>();

/** The visitor hub of a running web instance (the benchmark and tests read its size). */
export function visitorHubOf(ctx: AppContext): VisitorHub | undefined {
  return hubs.get(ctx);
}

const KeyParams = Type.Object({ key: Type.String({ pattern: "^kwc_[A-Za-z0-9_-]{10,40}$" }) });
const Identity = Type.Object(
  {
    user_id: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.Optional(Type.String({ maxLength: 320 })),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    user_hash: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
const SessionBody = Type.Object(
  {
    token: Type.Optional(Type.String({ maxLength: 200 })),
    identity: Type.Optional(Identity),
    name: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

/**
 * The widget's public side, outside /api/v1 (visitors have no account): the loader script, the
 * widget frame and its bundle, the visitor session endpoint and the visitor socket, the demo page.
 * Every call names the widget by its public key; the browser's Origin must be one the inbox allows.
 */
export async function widgetSiteRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const hub = new VisitorHub(ctx);
  hubs.set(ctx, hub);
  hub.start();
  app.addHook("onClose", async () => hub.stop());
  const ownOrigin = new URL(ctx.config.baseUrl).origin;
  const sessionsPerAddress = new RateLimiter(30, 60_000);
  const socketWidgets = new WeakMap<FastifyRequest, PublicWidget>();

  /** The widget of the key, refusing unknown keys and origins the inbox does not allow. */
  async function widgetFor(request: KeyRequest, reply: FastifyReply): Promise<PublicWidget> {
    const widget = await widgetByKey(ctx.db, request.params.key);
    if (!widget) throw new Problem(404, "not_found", "No widget has this key");
    const origin = request.headers.origin;
    if (origin) {
      const allowed = widget.allowed_origins as string[];
      if (origin !== ownOrigin && allowed.length > 0 && !allowed.includes(origin)) {
        throw new Problem(403, "origin_refused", `This widget is not allowed on ${origin}`, {
          field: "Origin",
        });
      }
      reply.header("access-control-allow-origin", origin).header("vary", "Origin");
    }
    return widget;
  }

  app.options("/widget/v1/:key/*", { schema: { hide: true } }, async (request, reply) =>
    reply
      .status(204)
      .header("access-control-allow-origin", request.headers.origin ?? "*")
      .header("access-control-allow-methods", "GET, POST")
      .header("access-control-allow-headers", "content-type")
      .header("access-control-max-age", "600")
      .header("vary", "Origin")
      .send(),
  );

  app.get(
    "/widget/v1/:key/config",
    { schema: { hide: true, params: KeyParams } },
    async (request: KeyRequest, reply) => {
      const widget = await widgetFor(request, reply);
      return {
        color: widget.color,
        greeting: widget.greeting,
        languages: widget.languages,
        require_verified: widget.require_verified,
        offline_behaviour: widget.offline_behaviour,
        callbacks: (await callbackInboxOf(ctx, widget.workspace_id)) !== null,
        availability: await availabilityOf(ctx, widget),
      };
    },
  );

  app.post<{ Params: { key: string }; Body: Static<typeof SessionBody> }>(
    "/widget/v1/:key/session",
    { schema: { hide: true, params: KeyParams, body: SessionBody }, bodyLimit: 16 * 1024 },
    async (request, reply) => {
      const widget = await widgetFor(request, reply);
      if (!request.body.token && !sessionsPerAddress.hit(request.ip)) {
        throw tooManyRequests(
          "Too many new chats from this address",
          sessionsPerAddress.retryAfter(request.ip),
        );
      }
      const session = await startSession(ctx, widget, request.body);
      return {
        token: session.token ?? request.body.token,
        visitor: {
          id: session.visitor.id,
          name: session.visitor.name,
          email: session.visitor.email,
          verified: session.verified,
        },
        identity_verified: session.verified,
      };
    },
  );

  const callbacksPerAddress = new RateLimiter(5, 600_000);
  const VisitorCallbackBody = Type.Object(
    {
      ...CallbackWindowFields,
      token: Type.Optional(Type.String({ maxLength: 200 })),
      name: Type.Optional(Type.String({ maxLength: 200 })),
    },
    { additionalProperties: false },
  );

  /** "Call me back" from the widget or the callback page: into the workspace's callback inbox. */
  app.post<{ Params: { key: string }; Body: Static<typeof VisitorCallbackBody> }>(
    "/widget/v1/:key/callbacks",
    { schema: { hide: true, params: KeyParams, body: VisitorCallbackBody }, bodyLimit: 16 * 1024 },
    async (request, reply) => {
      const widget = await widgetFor(request, reply);
      const inboxId = await callbackInboxOf(ctx, widget.workspace_id);
      if (!inboxId)
        throw new Problem(409, "callbacks_unavailable", "This team does not take callback requests");
      if (!callbacksPerAddress.hit(request.ip)) {
        throw tooManyRequests(
          "Too many callback requests from this address",
          callbacksPerAddress.retryAfter(request.ip),
        );
      }
      const { token, name, ...input } = request.body;
      const visitor = await visitorOfToken(ctx.db, widget, token);
      if (!visitor && widget.require_verified)
        throw new Problem(403, "identity_required", "Sign in to request a call");
      const callback = await createCallback(
        ctx,
        widget.workspace_id,
        inboxId,
        visitor ? { id: visitor.contactId } : { name: name ?? null },
        input,
        null,
      );
      return reply.status(201).send({
        phone: callback.phone,
        window_start: callback.window_start,
        window_end: callback.window_end,
        time_zone: callback.time_zone,
      });
    },
  );

  const suggestionsPerAddress = new RateLimiter(120, 60_000);

  /** Help articles that may answer what the visitor is typing: offered beside the chat, never instead. */
  app.get(
    "/widget/v1/:key/articles",
    {
      schema: {
        hide: true,
        params: KeyParams,
        querystring: Type.Object({
          q: Type.String({ maxLength: 200 }),
          lang: Type.Optional(Type.String({ pattern: "^[A-Za-z]{2,3}$" })),
        }),
      },
    },
    async (request, reply) => {
      const widget = await widgetFor(request as KeyRequest, reply);
      if (!suggestionsPerAddress.hit(request.ip)) return { data: [] };
      const { q, lang } = request.query as { q: string; lang?: string };
      return { data: await suggestArticles(ctx, widget.workspace_id, q, lang ?? "en", 3) };
    },
  );

  /**
   * An attachment of the visitor's own conversation (sent by an agent or by them). The token comes in
   * the Authorization header (`Visitor <token>`), so links cannot be shared or logged with it.
   */
  app.get(
    "/widget/v1/:key/attachments/:id",
    {
      schema: {
        hide: true,
        params: Type.Object({ key: KeyParams.properties.key, id: Type.String({ format: "uuid" }) }),
      },
    },
    async (request, reply) => {
      const params = request.params as { key: string; id: string };
      const widget = await widgetFor(request as KeyRequest, reply);
      const token = /^Visitor\s+(\S+)$/.exec(String(request.headers.authorization ?? ""))?.[1];
      const visitor = await visitorOfToken(ctx.db, widget, token);
      if (!visitor)
        throw new Problem(401, "unauthorized", "Send the visitor token as 'Authorization: Visitor <token>'");
      const file = await visitorAttachment(ctx, visitor, params.id);
      if (!file) throw new Problem(404, "not_found", "Attachment not found");
      return reply
        .header("content-type", file.attachment.content_type)
        .header("content-length", file.attachment.size_bytes)
        .header("content-disposition", contentDisposition(file.attachment.filename))
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "default-src 'none'; sandbox")
        .header("cache-control", "private, no-store")
        .send(file.stream);
    },
  );

  app.get(
    "/callback/:key",
    { schema: { hide: true, params: KeyParams } },
    async (request: KeyRequest, reply) => {
      const widget = await widgetByKey(ctx.db, request.params.key);
      if (!widget) return reply.status(404).type("text/plain").send("No widget has this key");
      return reply
        .header("content-security-policy", frameCsp(ownOrigin, []))
        .header("x-content-type-options", "nosniff")
        .header("referrer-policy", "no-referrer")
        .header("cache-control", "no-cache")
        .type("text/html; charset=utf-8")
        .send(framePage(widget, "callback"));
    },
  );

  app.get(
    "/widget/v1/:key/socket",
    {
      websocket: true,
      schema: { hide: true, params: KeyParams },
      preHandler: async (request, reply) => {
        socketWidgets.set(request, await widgetFor(request as KeyRequest, reply));
      },
    },
    // Synchronous: frames sent right after the upgrade must find the hub's listeners in place.
    (socket, request) => {
      const widget = socketWidgets.get(request);
      if (!widget) return socket.close(4404, "unknown widget");
      hub.attach(socket, widget, request.ip);
    },
  );

  app.get("/widget.js", { schema: { hide: true } }, async (request, reply) =>
    sendAsset(request, reply, "loader.js"),
  );
  app.get("/widget/assets/:file", { schema: { hide: true } }, async (request, reply) =>
    sendAsset(request, reply, (request.params as { file: string }).file),
  );

  app.get(
    "/widget/frame/:key",
    { schema: { hide: true, params: KeyParams } },
    async (request: KeyRequest, reply) => {
      const widget = await widgetByKey(ctx.db, request.params.key);
      if (!widget) return reply.status(404).type("text/plain").send("No widget has this key");
      return reply
        .header("content-security-policy", frameCsp(ownOrigin, widget.allowed_origins as string[]))
        .header("x-content-type-options", "nosniff")
        .header("referrer-policy", "no-referrer")
        .header("cache-control", "no-cache")
        .type("text/html; charset=utf-8")
        .send(framePage(widget));
    },
  );

  app.get("/demo/widget", { schema: { hide: true } }, async (_request, reply) => {
    const { demoWidgetKey } = await import("./demo.ts");
    const key = await demoWidgetKey(ctx);
    if (!key) return reply.status(404).type("text/plain").send("The demo workspace has no widget inbox");
    return reply
      .header("cache-control", "no-cache")
      .header("x-content-type-options", "nosniff")
      .type("text/html; charset=utf-8")
      .send(demoWidgetPage(key));
  });
}

async function sendAsset(request: FastifyRequest, reply: FastifyReply, file: string) {
  const asset = await widgetAsset(file);
  if (!asset)
    return reply.status(404).type("text/plain").send("Not found: build the widget (npm start does)");
  const gzip = /\bgzip\b/.test(String(request.headers["accept-encoding"] ?? ""));
  reply
    .type(asset.type)
    .header("cache-control", "public, max-age=300")
    .header("etag", asset.etag)
    .header("x-content-type-options", "nosniff")
    .header("access-control-allow-origin", "*")
    .header("cross-origin-resource-policy", "cross-origin")
    .header("vary", "Accept-Encoding");
  if (request.headers["if-none-match"] === asset.etag) return reply.status(304).send();
  if (gzip) return reply.header("content-encoding", "gzip").send(asset.gzip);
  return reply.send(asset.body);
}
