import { sql } from "kysely";
import { Type } from "typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context.ts";
import { notFound } from "../../lib/errors.ts";
import {
  errorResponses,
  StrictObject,
  Timestamp,
  Uuid,
} from "../../../../../packages/contracts/src/index.ts";
import { principalOf } from "../access/authenticate.ts";
import { RETRY_PARKED_QUEUE, type RetryParkedJob } from "./jobs.ts";

const ParkedEvent = Type.Object({
  listener: Type.String(),
  event_id: Uuid,
  type: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
  occurred_at: Timestamp,
  attempts: Type.Integer(),
  error: Type.String(),
  parked_at: Timestamp,
});

const ListenerState = Type.Object({
  name: Type.String(),
  active: Type.Boolean({ description: "Whether the instance that answered reads this listener's stream" }),
  handled: Type.Integer({ description: "Events handled by the instance that answered, since it started" }),
  lag_p50_ms: Type.Union([Type.Number(), Type.Null()]),
  lag_p99_ms: Type.Union([Type.Number(), Type.Null()]),
  lag_max_ms: Type.Union([Type.Number(), Type.Null()]),
  parked: Type.Integer({ description: "This workspace's events the listener set aside" }),
  backlog: Type.Integer({
    description: "Events of every workspace not yet read by the listener (counted up to 100,000)",
  }),
});

/** The durable listeners' state and the events they set aside, for the workspace's admins. */
export async function eventRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get(
    "/events/listeners",
    {
      config: { permission: "workspace:manage" },
      schema: {
        tags: ["events"],
        summary: "The durable event listeners: lag seen by the answering instance, and parked events",
        response: { 200: Type.Object({ data: Type.Array(ListenerState) }), ...errorResponses },
      },
    },
    async (request) => {
      const { workspaceId } = principalOf(request);
      const counts = await ctx.db
        .selectFrom("event_parked")
        .select(["consumer", ctx.db.fn.countAll<string>().as("n")])
        .where("workspace_id", "=", workspaceId)
        .groupBy("consumer")
        .execute();
      const parked = new Map(counts.map((row) => [row.consumer, Number(row.n)]));
      const backlogs = await sql<{ name: string; backlog: number }>`
        select c.name, (
          select count(*)::int from (
            select 1 from event_outbox o where (o.tx, o.seq) > (c.pos_tx, c.pos_seq) limit 100000
          ) waiting
        ) as backlog
        from event_consumers c`.execute(ctx.db);
      const backlog = new Map(backlogs.rows.map((row) => [row.name, row.backlog]));
      return {
        data: ctx.events.consumers.stats().map((state) => ({
          ...state,
          parked: parked.get(state.name) ?? 0,
          backlog: backlog.get(state.name) ?? 0,
        })),
      };
    },
  );

  app.get(
    "/events/parked",
    {
      config: { permission: "workspace:manage" },
      schema: {
        tags: ["events"],
        summary: "Events a listener failed on after its retries, newest first",
        response: { 200: Type.Object({ data: Type.Array(ParkedEvent) }), ...errorResponses },
      },
    },
    async (request) => {
      const { workspaceId } = principalOf(request);
      const rows = await ctx.db
        .selectFrom("event_parked")
        .select(["consumer", "event_id", "type", "data", "occurred_at", "attempts", "error", "parked_at"])
        .where("workspace_id", "=", workspaceId)
        .orderBy("parked_at", "desc")
        .limit(200)
        .execute();
      return { data: rows.map(({ consumer, ...row }) => ({ listener: consumer, ...row })) };
    },
  );

  app.post(
    "/events/parked/:id/retry",
    {
      config: { permission: "workspace:manage" },
      schema: {
        tags: ["events"],
        summary: "Run a parked event through the listeners that parked it again (in the background)",
        params: StrictObject({ id: Uuid }),
        response: { 202: Type.Object({ queued: Type.Integer() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { workspaceId } = principalOf(request);
      const { id } = request.params as { id: string };
      const parked = await ctx.db
        .selectFrom("event_parked")
        .select("consumer")
        .where("workspace_id", "=", workspaceId)
        .where("event_id", "=", id)
        .execute();
      if (parked.length === 0) throw notFound("Parked event");
      for (const { consumer } of parked) {
        await ctx.jobs.send<RetryParkedJob>(
          RETRY_PARKED_QUEUE,
          { workspace_id: workspaceId, consumer, event_id: id },
          { singletonKey: `${workspaceId}:${consumer}:${id}` },
        );
      }
      return reply.code(202).send({ queued: parked.length });
    },
  );
}
