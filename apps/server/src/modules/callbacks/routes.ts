import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import { errorResponses, IdParams } from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import { principalOf } from "../access/authenticate.ts";
import { createCallback, listCallbacks, recordAttempt, showCallback } from "./service.ts";

const Strict = <T extends Parameters<typeof Type.Object>[0]>(properties: T) =>
  Type.Object(properties, { additionalProperties: false });

const Outcome = Type.Union([Type.Literal("reached"), Type.Literal("no_answer"), Type.Literal("retry_later")]);

export const CallbackWindowFields = {
  phone: Type.String({ minLength: 1, maxLength: 40 }),
  country: Type.Optional(Type.String({ pattern: "^[A-Za-z]{2}$" })),
  locale: Type.Optional(Type.String({ maxLength: 35 })),
  time_zone: Type.String({ minLength: 1, maxLength: 100 }),
  window_start: Type.String({ maxLength: 40 }),
  window_end: Type.String({ maxLength: 40 }),
  reason: Type.Optional(Type.String({ maxLength: 2000 })),
};

const CreateCallbackBody = Strict({
  inbox_id: Type.String({ format: "uuid" }),
  ...CallbackWindowFields,
  contact: Type.Optional(
    Strict({
      id: Type.Optional(Type.String({ format: "uuid" })),
      email: Type.Optional(Type.String({ format: "email", maxLength: 320 })),
      name: Type.Optional(Type.String({ maxLength: 200 })),
    }),
  ),
});

const Callback = Type.Object({
  conversation_id: Type.String(),
  inbox_id: Type.String(),
  contact: Type.Object({ id: Type.String(), name: Type.Union([Type.String(), Type.Null()]) }),
  phone: Type.String({ description: "E.164" }),
  tel_url: Type.String(),
  time_zone: Type.String(),
  window_start: Type.String(),
  window_end: Type.String(),
  reason: Type.String(),
  state: Type.Union([Type.Literal("waiting"), Type.Literal("done")]),
  outcome: Type.Union([Outcome, Type.Null()]),
  attempts: Type.Integer(),
  first_attempt_at: Type.Union([Type.String(), Type.Null()]),
  speed_of_answer_ms: Type.Union([Type.Integer(), Type.Null()]),
  completed_at: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
});

const CallbackWithAttempts = Type.Object({
  ...Callback.properties,
  attempt_log: Type.Array(
    Type.Object({
      id: Type.String(),
      agent_id: Type.Union([Type.String(), Type.Null()]),
      outcome: Outcome,
      notes: Type.String(),
      created_at: Type.String(),
    }),
  ),
});

const ListQuery = Strict({
  state: Type.Optional(Type.Union([Type.Literal("waiting"), Type.Literal("done")])),
  inbox_id: Type.Optional(Type.String({ format: "uuid" })),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
});

const AttemptBody = Strict({ outcome: Outcome, notes: Type.Optional(Type.String({ maxLength: 5000 })) });

type Params = { Params: { id: string } };

/** Callback requests: recorded through the API, worked by agents from the callback queue. */
export async function callbackRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post<{ Body: Static<typeof CreateCallbackBody> }>(
    "/callbacks",
    {
      config: { permission: "conversations:write" },
      schema: {
        tags: ["callbacks"],
        summary: "Record a customer's request to be called back (phone normalized to E.164)",
        body: CreateCallbackBody,
        response: { 201: Callback, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { inbox_id, contact, ...input } = request.body;
      const who = contact?.id ? { id: contact.id } : { name: contact?.name, email: contact?.email };
      const created = await createCallback(ctx, principal.workspaceId, inbox_id, who, input, principal);
      return reply.status(201).send(created);
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    "/callbacks",
    {
      config: { permission: "conversations:read" },
      schema: {
        tags: ["callbacks"],
        summary: "The callback queue, by due time (earliest window first)",
        querystring: ListQuery,
        response: {
          200: Type.Object({
            data: Type.Array(Callback),
            next_cursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => listCallbacks(ctx, principalOf(request), request.query),
  );

  app.get<Params>(
    "/conversations/:id/callback",
    {
      config: { permission: "conversations:read" },
      schema: {
        tags: ["callbacks"],
        summary: "The callback request of a conversation, with its call attempts",
        params: IdParams,
        response: { 200: CallbackWithAttempts, ...errorResponses },
      },
    },
    async (request) => showCallback(ctx, principalOf(request), request.params.id),
  );

  app.post<Params & { Body: Static<typeof AttemptBody> }>(
    "/conversations/:id/callback/attempts",
    {
      config: { permission: "conversations:write" },
      schema: {
        tags: ["callbacks"],
        summary: "Record a call attempt: reached (completes it), no answer, or retry later; with notes",
        params: IdParams,
        body: AttemptBody,
        response: { 200: CallbackWithAttempts, ...errorResponses, 409: { $ref: "Problem#" } },
      },
    },
    async (request) => recordAttempt(ctx, principalOf(request), request.params.id, request.body),
  );
}
