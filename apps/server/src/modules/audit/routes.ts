import { Type } from "typebox";
import type { FastifyInstance } from "fastify";
import { keysetPage } from "../../lib/pagination.ts";
import type { AppContext } from "../../context.ts";
import {
  errorResponses,
  Page,
  PageQuery,
  StrictObject,
  Timestamp,
  Uuid,
} from "../../../../../packages/contracts/src/index.ts";
import { principalOf } from "../access/authenticate.ts";

const AuditEntry = Type.Object({
  id: Uuid,
  actor_agent_id: Type.Union([Uuid, Type.Null()]),
  actor_kind: Type.String(),
  action: Type.String(),
  target_type: Type.Union([Type.String(), Type.Null()]),
  target_id: Type.Union([Type.String(), Type.Null()]),
  data: Type.Record(Type.String(), Type.Unknown()),
  created_at: Timestamp,
});

export async function auditRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get(
    "/audit-log",
    {
      config: { permission: "audit:read" },
      schema: {
        tags: ["audit"],
        summary: "List audit log entries, newest first",
        querystring: StrictObject(PageQuery),
        response: { 200: Page(AuditEntry), ...errorResponses },
      },
    },
    async (request) => {
      const { workspaceId } = principalOf(request);
      const { cursor, limit = 25 } = request.query as { cursor?: string; limit?: number };
      const query = ctx.db
        .selectFrom("audit_log")
        .select([
          "id",
          "actor_agent_id",
          "actor_kind",
          "action",
          "target_type",
          "target_id",
          "data",
          "created_at",
        ])
        .where("workspace_id", "=", workspaceId);
      return keysetPage(query, { column: "created_at", cursor, limit });
    },
  );
}
