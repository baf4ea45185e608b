import type { FastifyInstance, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { AgentPresence, errorResponses } from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import { Problem } from "../../lib/errors.ts";
import { RealtimeHub } from "../../realtime/socket-hub.ts";
import { principalOf, resolvePrincipal } from "../access/authenticate.ts";
import { sessionInfo } from "../access/service.ts";

/**
 * The realtime stream. Authentication is the ordinary onRequest hook, run on the upgrade request.
 * A browser's cookie rides along on any site's WebSocket (no CORS, no CSRF header), so a
 * cookie-authenticated upgrade must come from our own origin; a Bearer token cannot be sent by
 * another site and needs no such check.
 */
export async function realtimeRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const hub = new RealtimeHub(ctx, (request) => resolvePrincipal(ctx, request));
  hub.start();
  app.addHook("onClose", async () => hub.stop());

  const ownOrigin = new URL(ctx.config.baseUrl).origin;
  const agentNames = new WeakMap<FastifyRequest, string>();

  app.get(
    "/stream",
    {
      websocket: true,
      config: { permission: "conversations:read" },
      schema: { tags: ["realtime"], summary: "WebSocket of the workspace's events" },
      preHandler: async (request) => {
        const principal = principalOf(request);
        if (principal.via === "session" && request.headers.origin !== ownOrigin) {
          throw new Problem(
            403,
            "origin_refused",
            `A signed-in browser may open the stream only from ${ownOrigin}`,
            { field: "Origin" },
          );
        }
        agentNames.set(request, (await sessionInfo(ctx, principal)).agent.name);
      },
    },
    (socket, request) => {
      hub.attach(socket, request, principalOf(request), agentNames.get(request) ?? "");
    },
  );

  app.get(
    "/presence",
    {
      config: { permission: "conversations:read" },
      schema: {
        tags: ["realtime"],
        summary: "Agents with at least one open stream, on any instance",
        response: { 200: Type.Object({ data: Type.Array(AgentPresence) }), ...errorResponses },
      },
    },
    async (request) => ({ data: hub.presence(principalOf(request).workspaceId) }),
  );
}
