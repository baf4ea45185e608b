import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type Static, Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { Problem, tooManyRequests } from "../../lib/errors.ts";
import { contentDisposition } from "../attachments/filename.ts";
import { uploadVisitorAttachment } from "../attachments/service.ts";
import { suggestArticles } from "../help-center/search.ts";
import { founderOnDuty } from "../office-hours/service.ts";
import { readAvatar } from "../workspaces/avatars.ts";
import { widgetAsset } from "./assets.ts";
import { visitorAttachment } from "./chat.ts";
import { availabilityOf } from "./availability.ts";
import { demoWidgetPage, framePage, frameCsp } from "./pages.ts";
import { RateLimiter, VisitorLimits } from "./rate-limit.ts";
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

/** A visitor's file: smaller than an agent's, and only types agents can open without risk. */
export const VISITOR_UPLOAD_MAX_BYTES = 10 * 1024 * 1024;
const VISITOR_UPLOAD_TYPES = new Set([
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "application/pdf",
  "text/plain",
  "text/csv",
]);

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
      if (!request.body.token) {
        const verdict = await hub.limits.hit([{ rule: VisitorLimits.sessionPerAddress, key: request.ip }]);
        if (!verdict.allowed)
          throw tooManyRequests("Too many new chats from this address", verdict.retryAfter);
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
      const verdict = await hub.limits.hit([{ rule: VisitorLimits.callbackPerAddress, key: request.ip }]);
      if (!verdict.allowed) {
        throw tooManyRequests("Too many callback requests from this address", verdict.retryAfter);
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
   * A file the visitor attaches: kept unattached until their next message names it in
   * `attachment_ids`. Types are limited to what agents can open safely; size and count are limited
   * per visitor and per address.
   */
  app.post(
    "/widget/v1/:key/uploads",
    { schema: { hide: true, params: KeyParams } },
    async (request: KeyRequest, reply) => {
      const widget = await widgetFor(request, reply);
      const visitor = await visitorOfToken(ctx.db, widget, visitorTokenOf(request));
      if (!visitor)
        throw new Problem(401, "unauthorized", "Send the visitor token as 'Authorization: Visitor <token>'");
      const verdict = await hub.limits.hit([
        { rule: VisitorLimits.uploadPerVisitor, key: visitor.id },
        { rule: VisitorLimits.uploadPerAddress, key: request.ip },
      ]);
      if (!verdict.allowed) throw tooManyRequests("Too many files; wait a few minutes", verdict.retryAfter);
      if (!request.isMultipart()) {
        throw new Problem(415, "unsupported_media_type", "Send the file as multipart/form-data", {
          field: "file",
        });
      }
      const part = await request.file({ limits: { fileSize: VISITOR_UPLOAD_MAX_BYTES, files: 1 } });
      if (!part) throw new Problem(400, "invalid", "Attach a file", { field: "file" });
      const type = part.mimetype.split(";")[0].trim().toLowerCase();
      if (!VISITOR_UPLOAD_TYPES.has(type)) {
        part.file.resume();
        throw new Problem(415, "unsupported_file_type", "Send an image, a PDF or a text file", {
          field: "file",
        });
      }
      const file = await uploadVisitorAttachment(
        ctx,
        widget.workspace_id,
        visitor.id,
        { filename: part.filename, mimetype: type, file: part.file },
        VISITOR_UPLOAD_MAX_BYTES,
      );
      return reply.status(201).send({
        id: file.id,
        filename: file.filename,
        content_type: file.content_type,
        size_bytes: file.size_bytes,
      });
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
      const visitor = await visitorOfToken(ctx.db, widget, visitorTokenOf(request));
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

  /** The face of the founder holding office hours now: nobody else's avatar is public. */
  app.get(
    "/widget/v1/:key/founder/avatar",
    { schema: { hide: true, params: KeyParams } },
    async (request: KeyRequest, reply) => {
      const widget = await widgetFor(request, reply);
      const founder = await founderOnDuty(ctx, widget.workspace_id, ctx.now());
      const avatar = founder
        ? await readAvatar(ctx, widget.workspace_id, founder.agentId).catch(() => null)
        : null;
      if (!avatar) throw new Problem(404, "not_found", "No founder's picture to show now");
      return reply
        .header("content-type", avatar.content_type)
        .header("x-content-type-options", "nosniff")
        .header("cross-origin-resource-policy", "cross-origin")
        .header("cache-control", "public, max-age=300")
        .send(Buffer.from(avatar.image));
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
      hub.attach(socket, widget, request.ip, request.headers["user-agent"]);
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

/** The visitor token of `Authorization: Visitor <token>` (never in a URL, so never in a log). */
function visitorTokenOf(request: FastifyRequest): string | undefined {
  return /^Visitor\s+(\S+)$/.exec(String(request.headers.authorization ?? ""))?.[1];
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
