import type { FastifyInstance } from "fastify";
import type { Static } from "typebox";
import { errorResponses, IdParams } from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import { principalOf } from "../access/authenticate.ts";
import { queueWorkspaceRecompute } from "./jobs.ts";
import {
  CompanyHealth,
  FlaggedPage,
  FlaggedQuery,
  HealthSettings,
  HealthSettingsBody,
  UsageEvent,
  UsageEventBody,
} from "./schemas.ts";
import { flaggedCompanies, healthOfCompany, recomputeOne } from "./service.ts";
import { healthSettingsOf, saveHealthSettings } from "./settings.ts";
import { recordUsageEvent } from "./usage.ts";

type Params = { Params: Static<typeof IdParams> };
const tags = ["customer health"];

/** Health with its reasons, the flag lists, the weights, and product usage events. */
export async function healthRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get<Params>(
    "/companies/:id/health",
    {
      config: { permission: "contacts:read" },
      schema: {
        tags,
        summary: "A company's health score from 0 to 100, its flags and the reasons behind them",
        params: IdParams,
        response: { 200: CompanyHealth, ...errorResponses },
      },
    },
    async (request) => healthOfCompany(ctx, principalOf(request).workspaceId, request.params.id),
  );

  app.post<Params>(
    "/companies/:id/health/recompute",
    {
      config: { permission: "contacts:write" },
      schema: {
        tags,
        summary: "Recompute a company's health now (jobs do this whenever its inputs change)",
        params: IdParams,
        response: { 200: CompanyHealth, ...errorResponses },
      },
    },
    async (request) => {
      const { workspaceId } = principalOf(request);
      await healthOfCompany(ctx, workspaceId, request.params.id); // 404 for another workspace's company
      return recomputeOne(ctx, workspaceId, request.params.id);
    },
  );

  app.get<{ Querystring: Static<typeof FlaggedQuery> }>(
    "/health/companies",
    {
      config: { permission: "contacts:read" },
      schema: {
        tags,
        summary: "Companies with one flag: at_risk (weakest first), upsell or advocate (strongest first)",
        querystring: FlaggedQuery,
        response: { 200: FlaggedPage, ...errorResponses },
      },
    },
    async (request) => flaggedCompanies(ctx, principalOf(request), request.query),
  );

  app.get(
    "/health/settings",
    {
      config: { permission: "contacts:read" },
      schema: {
        tags,
        summary: "The weights and thresholds health is computed with",
        response: { 200: HealthSettings, ...errorResponses },
      },
    },
    async (request) => healthSettingsOf(ctx.db, principalOf(request).workspaceId),
  );

  app.patch<{ Body: Static<typeof HealthSettingsBody> }>(
    "/health/settings",
    {
      config: { permission: "workspace:manage" },
      schema: {
        tags,
        summary: "Change weights (0 switches a factor off) or thresholds; every company is recomputed",
        body: HealthSettingsBody,
        response: { 200: HealthSettings, ...errorResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const saved = await saveHealthSettings(ctx, principal, request.body);
      await queueWorkspaceRecompute(ctx, principal.workspaceId);
      return saved;
    },
  );

  app.post<{ Body: Static<typeof UsageEventBody> }>(
    "/events",
    {
      config: { permission: "contacts:write" },
      schema: {
        tags,
        summary: "Record a product usage event for a company (named directly or through a contact)",
        body: UsageEventBody,
        response: { 201: UsageEvent, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await recordUsageEvent(ctx, principalOf(request), request.body)),
  );
}
