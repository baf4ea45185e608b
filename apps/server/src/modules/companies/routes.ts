import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import {
  Company,
  CompanyDetail,
  CompanyListQuery,
  CreateCompanyBody,
  errorResponses,
  IdParams,
  Page,
  UpdateCompanyBody,
} from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import { principalOf } from "../access/authenticate.ts";
import { ImportBody, ImportResult, importCompanies } from "./import.ts";
import { addCompany, deleteCompany, listCompanies, showCompany, updateCompany } from "./service.ts";

type Params = { Params: Static<typeof IdParams> };

/** Companies are customer records like contacts, and share their permissions. */
export async function companyRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get<{ Querystring: Static<typeof CompanyListQuery> }>(
    "/companies",
    {
      config: { permission: "contacts:read" },
      schema: {
        tags: ["companies"],
        summary: "List companies, newest first; q matches the start of the name",
        querystring: CompanyListQuery,
        response: { 200: Page(Company), ...errorResponses },
      },
    },
    async (request) => listCompanies(ctx, principalOf(request), request.query),
  );

  app.post<{ Body: Static<typeof CreateCompanyBody> }>(
    "/companies",
    {
      config: { permission: "contacts:write" },
      schema: {
        tags: ["companies"],
        summary: "Create a company",
        body: CreateCompanyBody,
        response: { 201: Company, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await addCompany(ctx, principalOf(request), request.body)),
  );

  app.post<{ Body: Static<typeof ImportBody> }>(
    "/companies/import",
    {
      config: { permission: "contacts:write" },
      bodyLimit: 1024 * 1024,
      schema: {
        tags: ["companies"],
        summary:
          "Import companies from CSV: dry_run previews; a file with any bad row imports nothing (422 lists each row)",
        body: ImportBody,
        response: { 200: ImportResult, 422: { $ref: "Problem#" }, ...errorResponses },
      },
    },
    async (request) => importCompanies(ctx, principalOf(request), request.body),
  );

  app.get<Params>(
    "/companies/:id",
    {
      config: { permission: "contacts:read" },
      schema: {
        tags: ["companies"],
        summary: "One company, with how many contacts it has",
        params: IdParams,
        response: { 200: CompanyDetail, ...errorResponses },
      },
    },
    async (request) => showCompany(ctx, principalOf(request), request.params.id),
  );

  app.patch<Params & { Body: Static<typeof UpdateCompanyBody> }>(
    "/companies/:id",
    {
      config: { permission: "contacts:write" },
      schema: {
        tags: ["companies"],
        summary: "Change a company; null clears domain or plan, attributes replace the previous ones",
        params: IdParams,
        body: UpdateCompanyBody,
        response: { 200: CompanyDetail, ...errorResponses },
      },
    },
    async (request) => updateCompany(ctx, principalOf(request), request.params.id, request.body),
  );

  app.delete<Params>(
    "/companies/:id",
    {
      config: { permission: "contacts:write" },
      schema: {
        tags: ["companies"],
        summary: "Delete a company; its contacts stay, without a company",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await deleteCompany(ctx, principalOf(request), request.params.id);
      return reply.status(204).send();
    },
  );
}
