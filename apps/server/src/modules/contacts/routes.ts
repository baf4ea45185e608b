import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import {
  Contact,
  ContactListQuery,
  CreateContactBody,
  errorResponses,
  IdParams,
  Page,
  UpdateContactBody,
} from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import { principalOf } from "../access/authenticate.ts";
import { addContact, deleteContact, listContacts, showContact, updateContact } from "./service.ts";

const conflictResponse = { 409: { $ref: "Problem#" } } as const;
type Params = { Params: Static<typeof IdParams> };

export async function contactRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get<{ Querystring: Static<typeof ContactListQuery> }>(
    "/contacts",
    {
      config: { permission: "contacts:read" },
      schema: {
        tags: ["contacts"],
        summary: "List contacts, newest first; q matches the start of a name or an email",
        querystring: ContactListQuery,
        response: { 200: Page(Contact), ...errorResponses },
      },
    },
    async (request) => listContacts(ctx, principalOf(request), request.query),
  );

  app.post<{ Body: Static<typeof CreateContactBody> }>(
    "/contacts",
    {
      config: { permission: "contacts:write" },
      schema: {
        tags: ["contacts"],
        summary: "Create a contact; the email is unique in the workspace",
        body: CreateContactBody,
        response: { 201: Contact, ...errorResponses, ...conflictResponse },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await addContact(ctx, principalOf(request), request.body)),
  );

  app.get<Params>(
    "/contacts/:id",
    {
      config: { permission: "contacts:read" },
      schema: {
        tags: ["contacts"],
        summary: "One contact",
        params: IdParams,
        response: { 200: Contact, ...errorResponses },
      },
    },
    async (request) => showContact(ctx, principalOf(request), request.params.id),
  );

  app.patch<Params & { Body: Static<typeof UpdateContactBody> }>(
    "/contacts/:id",
    {
      config: { permission: "contacts:write" },
      schema: {
        tags: ["contacts"],
        summary: "Change a contact; null clears a field, attributes replace the previous ones",
        params: IdParams,
        body: UpdateContactBody,
        response: { 200: Contact, ...errorResponses, ...conflictResponse },
      },
    },
    async (request) => updateContact(ctx, principalOf(request), request.params.id, request.body),
  );

  app.delete<Params>(
    "/contacts/:id",
    {
      config: { permission: "contacts:write" },
      schema: {
        tags: ["contacts"],
        summary: "Delete a contact that has no conversations",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses, ...conflictResponse },
      },
    },
    async (request, reply) => {
      await deleteContact(ctx, principalOf(request), request.params.id);
      return reply.status(204).send();
    },
  );
}
