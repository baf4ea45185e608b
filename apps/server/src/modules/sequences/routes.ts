import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import { errorResponses, IdParams, Uuid } from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import { principalOf } from "../access/authenticate.ts";
import { previewBroadcast, sendBroadcast } from "./broadcasts.ts";
import {
  BroadcastBody,
  BroadcastPreview,
  BroadcastResult,
  ContactSequences,
  CreateSequenceBody,
  EnrollBody,
  Enrollment,
  EnrollResult,
  EnrollSegmentBody,
  Preview,
  PreviewQuery,
  RecordEventBody,
  ReplaceStepsBody,
  Sequence,
  SequenceDetail,
  UpdateEnrollmentBody,
  UpdateSequenceBody,
} from "./schemas.ts";
import {
  createSequence,
  deleteSequence,
  enrollByHand,
  enrollSegment,
  listSequences,
  previewSequence,
  recordEvent,
  replaceSteps,
  sequencesOfContact,
  showSequence,
  updateEnrollment,
  updateSequence,
} from "./service.ts";

type Params = { Params: Static<typeof IdParams> };
const tags = ["sequences"];
const conflict = { 409: { $ref: "Problem#" } } as const;

/** Lifecycle sequences: owners and admins write them; agents add, pause or stop contacts; everyone reads. */
export async function sequenceRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get(
    "/sequences",
    {
      config: { permission: "sequences:read" },
      schema: {
        tags,
        summary: "The workspace's sequences",
        response: { 200: Type.Object({ data: Type.Array(Sequence) }), ...errorResponses },
      },
    },
    async (request) => listSequences(ctx, principalOf(request)),
  );

  app.post<{ Body: Static<typeof CreateSequenceBody> }>(
    "/sequences",
    {
      config: { permission: "sequences:manage" },
      schema: {
        tags,
        summary:
          "Create a sequence with its steps (Markdown with {{variables}}, delays in days or business days)",
        body: CreateSequenceBody,
        response: { 201: SequenceDetail, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createSequence(ctx, principalOf(request), request.body)),
  );

  app.get<Params>(
    "/sequences/:id",
    {
      config: { permission: "sequences:read" },
      schema: {
        tags,
        summary: "A sequence with its steps and how many contacts are in each state",
        params: IdParams,
        response: { 200: SequenceDetail, ...errorResponses },
      },
    },
    async (request) => showSequence(ctx, principalOf(request), request.params.id),
  );

  app.patch<Params & { Body: Static<typeof UpdateSequenceBody> }>(
    "/sequences/:id",
    {
      config: { permission: "sequences:manage" },
      schema: {
        tags,
        summary: "Rename, activate, hold (draft) or archive a sequence, or change how contacts enter it",
        params: IdParams,
        body: UpdateSequenceBody,
        response: { 200: SequenceDetail, ...errorResponses },
      },
    },
    async (request) => updateSequence(ctx, principalOf(request), request.params.id, request.body),
  );

  app.delete<Params>(
    "/sequences/:id",
    {
      config: { permission: "sequences:manage" },
      schema: {
        tags,
        summary: "Delete a sequence and its history",
        params: IdParams,
        response: errorResponses,
      },
    },
    async (request, reply) => {
      await deleteSequence(ctx, principalOf(request), request.params.id);
      return reply.status(204).send();
    },
  );

  app.put<Params & { Body: Static<typeof ReplaceStepsBody> }>(
    "/sequences/:id/steps",
    {
      config: { permission: "sequences:manage" },
      schema: {
        tags,
        summary:
          "Replace the steps; contacts already in the sequence keep their place and get the new text of later steps",
        params: IdParams,
        body: ReplaceStepsBody,
        response: { 200: SequenceDetail, ...errorResponses },
      },
    },
    async (request) => replaceSteps(ctx, principalOf(request), request.params.id, request.body.steps),
  );

  app.get<Params & { Querystring: Static<typeof PreviewQuery> }>(
    "/sequences/:id/preview",
    {
      config: { permission: "sequences:read" },
      schema: {
        tags,
        summary: "Every step as a contact would receive it, with a warning for each variable they lack",
        params: IdParams,
        querystring: PreviewQuery,
        response: { 200: Preview, ...errorResponses },
      },
    },
    async (request) =>
      previewSequence(ctx, principalOf(request), request.params.id, request.query.contact_id),
  );

  app.post<Params & { Body: Static<typeof EnrollBody> }>(
    "/sequences/:id/enrollments",
    {
      config: { permission: "sequences:enroll" },
      schema: {
        tags,
        summary: "Add contacts by hand",
        params: IdParams,
        body: EnrollBody,
        response: { 200: EnrollResult, ...errorResponses, ...conflict },
      },
    },
    async (request) => enrollByHand(ctx, principalOf(request), request.params.id, request.body.contact_ids),
  );

  app.post<Params & { Body: Static<typeof EnrollSegmentBody> }>(
    "/sequences/:id/enrollments/segment",
    {
      config: { permission: "sequences:manage" },
      schema: {
        tags,
        summary: "Add every contact matching conditions on contact or company attributes",
        params: IdParams,
        body: EnrollSegmentBody,
        response: { 200: EnrollResult, ...errorResponses, ...conflict },
      },
    },
    async (request) => enrollSegment(ctx, principalOf(request), request.params.id, request.body),
  );

  app.post<{ Body: Static<typeof RecordEventBody> }>(
    "/sequence-events",
    {
      config: { permission: "sequences:enroll" },
      schema: {
        tags,
        summary:
          "Record an event about a contact (by id or email): they enter every active sequence that starts on it",
        body: RecordEventBody,
        response: {
          200: Type.Object({ contact_id: Uuid, entered_sequence_ids: Type.Array(Uuid) }),
          ...errorResponses,
        },
      },
    },
    async (request) => recordEvent(ctx, principalOf(request), request.body),
  );

  app.post<{ Body: Static<typeof BroadcastBody> }>(
    "/broadcasts/preview",
    {
      config: { permission: "sequences:manage" },
      schema: {
        tags,
        summary: "Who a broadcast would reach (and who is left out, and why), with the first mails rendered",
        body: BroadcastBody,
        response: { 200: BroadcastPreview, ...errorResponses },
      },
    },
    async (request) => previewBroadcast(ctx, principalOf(request), request.body),
  );

  app.post<{ Body: Static<typeof BroadcastBody> }>(
    "/broadcasts",
    {
      config: { permission: "sequences:manage" },
      schema: {
        tags,
        summary: "Send a one-off announcement to a segment, under the rules of automated mail",
        body: BroadcastBody,
        response: { 201: BroadcastResult, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await sendBroadcast(ctx, principalOf(request), request.body)),
  );

  app.get<Params>(
    "/contacts/:id/sequences",
    {
      config: { permission: "sequences:read" },
      schema: {
        tags,
        summary:
          "The contact's sequences: state, why paused, what was sent; and whether automation may mail them",
        params: IdParams,
        response: { 200: ContactSequences, ...errorResponses },
      },
    },
    async (request) => sequencesOfContact(ctx, principalOf(request), request.params.id),
  );

  app.patch<Params & { Body: Static<typeof UpdateEnrollmentBody> }>(
    "/sequence-enrollments/:id",
    {
      config: { permission: "sequences:enroll" },
      schema: {
        tags,
        summary: "Pause, resume or stop one contact's sequence (from the conversation sidebar)",
        params: IdParams,
        body: UpdateEnrollmentBody,
        response: { 200: Enrollment, ...errorResponses, ...conflict },
      },
    },
    async (request) => updateEnrollment(ctx, principalOf(request), request.params.id, request.body),
  );
}
