import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import { errorResponses, IdParams } from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import { principalOf } from "../access/authenticate.ts";
import {
  addSlot,
  CreateSlotBody,
  founderOnDuty,
  listSlots,
  OfficeHoursSlot,
  PresenceReport,
  presenceReport,
  ReportQuery,
  removeSlot,
} from "./service.ts";

const tags = ["office hours"];

/** Owners mark their own office hours; everyone sees them, who is on duty now, and the weekly presence. */
export async function officeHoursRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get(
    "/office-hours",
    {
      config: { permission: "workspace:read" },
      schema: {
        tags,
        summary: "Founders' weekly office hours (workspace time zone) and who is on duty right now",
        response: {
          200: Type.Object({
            data: Type.Array(OfficeHoursSlot),
            on_duty: Type.Union([
              Type.Object({
                agent_id: Type.String(),
                name: Type.String(),
                until: Type.String({ format: "date-time" }),
              }),
              Type.Null(),
            ]),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const duty = await founderOnDuty(ctx, principal.workspaceId, ctx.now());
      return {
        ...(await listSlots(ctx, principal)),
        on_duty: duty ? { agent_id: duty.agentId, name: duty.name, until: duty.until.toISOString() } : null,
      };
    },
  );

  app.post<{ Body: Static<typeof CreateSlotBody> }>(
    "/office-hours",
    {
      config: { permission: "office_hours:manage" },
      schema: {
        tags,
        summary: "Hold office hours: a weekly slot when you answer chat yourself",
        body: CreateSlotBody,
        response: { 201: OfficeHoursSlot, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await addSlot(ctx, principalOf(request), request.body)),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    "/office-hours/:id",
    {
      config: { permission: "office_hours:manage" },
      schema: { tags, summary: "Remove a slot of office hours", params: IdParams, response: errorResponses },
    },
    async (request, reply) => {
      await removeSlot(ctx, principalOf(request), request.params.id);
      return reply.status(204).send();
    },
  );

  app.get<{ Querystring: Static<typeof ReportQuery> }>(
    "/office-hours/report",
    {
      config: { permission: "reports:read" },
      schema: {
        tags,
        summary: "How often each founder was present in their office hours, week by week",
        querystring: ReportQuery,
        response: { 200: PresenceReport, ...errorResponses },
      },
    },
    async (request) => presenceReport(ctx, principalOf(request), request.query.weeks ?? 8),
  );
}
