import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import {
  errorResponses,
  IdParams,
  MessageHtmlQuery,
} from "../../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../../context.ts";
import { principalOf } from "../../access/authenticate.ts";
import { displayOrigin } from "./document.ts";
import { renderMessageHtml } from "./service.ts";

export async function emailDisplayRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof MessageHtmlQuery> }>(
    "/messages/:id/html",
    {
      config: { permission: "conversations:read" },
      schema: {
        tags: ["messages"],
        summary: "The message body as a sanitized standalone HTML page for a sandboxed iframe",
        description:
          "Served under a strict Content-Security-Policy. Remote images are replaced by a placeholder " +
          "unless images=allow (remembered on the message); X-Remote-Images-Blocked counts them.",
        params: IdParams,
        querystring: MessageHtmlQuery,
        response: {
          200: { description: "An HTML document", content: { "text/html": { schema: Type.String() } } },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const rendered = await renderMessageHtml(ctx, principalOf(request), request.params.id, {
        allowImages: request.query.images === "allow",
        origin: displayOrigin(request.protocol, request.host, ctx.config.baseUrl),
      });
      return reply.headers(rendered.headers).send(rendered.html);
    },
  );
}
