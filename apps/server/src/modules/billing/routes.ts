import type { FastifyInstance } from "fastify";
import type { Static } from "typebox";
import { errorResponses, IdParams } from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import { notFound } from "../../lib/errors.ts";
import { principalOf } from "../access/authenticate.ts";
import { toCsv } from "../reports/range.ts";
import { companyExists } from "../companies/service.ts";
import { pauseLinkFor } from "./pause-page.ts";
import {
  BillingSettings,
  BillingSettingsBody,
  CancellationChoice,
  CompanyBilling,
  PauseLink,
  PauseLinkBody,
  RetentionQuery,
  RetentionReport,
} from "./schemas.ts";
import { RETENTION_COLUMNS, retentionReport } from "./retention.ts";
import { companyBilling, resumeCompany } from "./service.ts";
import { billingConfigOf, presentSettings, saveBillingSettings } from "./settings.ts";
import { stripeWebhookRoutes } from "./webhook.ts";

type Params = { Params: Static<typeof IdParams> };
const tags = ["billing"];

/** Billing settings and Stripe connection, each company's billing, pause links, the webhook. */
export async function billingRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await stripeWebhookRoutes(app, ctx);

  app.get(
    "/billing/settings",
    {
      config: { permission: "billing:read" },
      schema: {
        tags,
        summary: "Stripe connection (never the keys), grace period, reminders and what happens after",
        response: { 200: BillingSettings, ...errorResponses },
      },
    },
    async (request) => {
      const ws = principalOf(request).workspaceId;
      return presentSettings(ctx, ws, await billingConfigOf(ctx, ctx.db, ws));
    },
  );

  app.put<{ Body: Static<typeof BillingSettingsBody> }>(
    "/billing/settings",
    {
      config: { permission: "billing:manage" },
      schema: {
        tags,
        summary: "Connect Stripe and set the grace period; fields left out keep their value, null clears",
        body: BillingSettingsBody,
        response: { 200: BillingSettings, ...errorResponses },
      },
    },
    async (request) => saveBillingSettings(ctx, principalOf(request), request.body),
  );

  app.get<Params>(
    "/companies/:id/billing",
    {
      config: { permission: "billing:read" },
      schema: {
        tags,
        summary: "A company's subscriptions, dunning cases with the reminders sent, and pause choices",
        params: IdParams,
        response: { 200: CompanyBilling, ...errorResponses },
      },
    },
    async (request) => companyBilling(ctx, principalOf(request).workspaceId, request.params.id),
  );

  app.post<Params>(
    "/companies/:id/billing/resume",
    {
      config: { permission: "contacts:write" },
      schema: {
        tags,
        summary: "Resume a paused subscription in Stripe (one click)",
        params: IdParams,
        response: { 202: CancellationChoice, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(202).send(await resumeCompany(ctx, principalOf(request), request.params.id)),
  );

  app.post<Params & { Body: Static<typeof PauseLinkBody> }>(
    "/companies/:id/billing/pause-link",
    {
      config: { permission: "contacts:write" },
      schema: {
        tags,
        summary: "A signed link to the customer's pause-or-cancel page",
        params: IdParams,
        body: PauseLinkBody,
        response: { 200: PauseLink, ...errorResponses },
      },
    },
    async (request) => {
      const ws = principalOf(request).workspaceId;
      if (!(await companyExists(ctx.db, ws, request.params.id))) throw notFound("Company");
      return pauseLinkFor(ctx, ws, request.params.id, request.body.expires_in_days ?? 14);
    },
  );

  app.get<{ Querystring: Static<typeof RetentionQuery> }>(
    "/billing/retention",
    {
      config: { permission: "billing:read" },
      schema: {
        tags,
        summary:
          "Monthly logo and net revenue retention, churned, paused and recovered MRR, dunning recovery, cohorts; CSV with ?format=csv",
        querystring: RetentionQuery,
        response: { 200: RetentionReport, ...errorResponses },
      },
    },
    async (request, reply) => {
      const report = await retentionReport(ctx, principalOf(request).workspaceId, request.query);
      const csv = request.query.format
        ? request.query.format === "csv"
        : /\btext\/csv\b/.test(request.headers.accept ?? "");
      if (!csv) return report;
      return reply
        .type("text/csv; charset=utf-8")
        .header(
          "content-disposition",
          `attachment; filename="keepwell-retention-${report.from}-${report.to}.csv"`,
        )
        .send(toCsv([...RETENTION_COLUMNS], report.rows as unknown as Record<string, unknown>[]));
    },
  );
}
