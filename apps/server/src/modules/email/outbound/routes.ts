import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import {
  AutoAckTemplate,
  errorResponses,
  IdParams,
  SmtpSettings,
  SmtpTestBody,
  SmtpTestResult,
  UpdateAutoAckTemplateBody,
  UpdateSmtpSettingsBody,
} from "../../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../../context.ts";
import { principalOf } from "../../access/authenticate.ts";
import { showAutoAckTemplate, updateAutoAckTemplate } from "./auto-ack-template.ts";
import { removeSmtpSettings, saveSmtpSettings, sendTestMail, showSmtpSettings } from "./smtp-settings.ts";

type Params = { Params: Static<typeof IdParams> };
const conflictResponse = { 409: { $ref: "Problem#" } } as const;

/** Outgoing mail settings of email inboxes: owners and admins only, as they hold credentials. */
export async function emailOutboundRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get<Params>(
    "/inboxes/:id/smtp",
    {
      config: { permission: "inboxes:manage" },
      schema: {
        tags: ["inboxes"],
        summary: "The inbox's outgoing server; the password is never returned, only password_set",
        params: IdParams,
        response: { 200: SmtpSettings, ...errorResponses, ...conflictResponse },
      },
    },
    async (request) => showSmtpSettings(ctx, principalOf(request), request.params.id),
  );

  app.put<Params & { Body: Static<typeof UpdateSmtpSettingsBody> }>(
    "/inboxes/:id/smtp",
    {
      config: { permission: "inboxes:manage" },
      schema: {
        tags: ["inboxes"],
        summary: "Set the inbox's outgoing server; omit password to keep the stored one",
        params: IdParams,
        body: UpdateSmtpSettingsBody,
        response: { 200: SmtpSettings, ...errorResponses, ...conflictResponse },
      },
    },
    async (request) => saveSmtpSettings(ctx, principalOf(request), request.params.id, request.body),
  );

  app.delete<Params>(
    "/inboxes/:id/smtp",
    {
      config: { permission: "inboxes:manage" },
      schema: {
        tags: ["inboxes"],
        summary: "Remove the outgoing server: mail goes to the outbox folder again (development mode)",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses, ...conflictResponse },
      },
    },
    async (request, reply) => {
      await removeSmtpSettings(ctx, principalOf(request), request.params.id);
      return reply.status(204).send();
    },
  );

  app.post<Params & { Body: Static<typeof SmtpTestBody> }>(
    "/inboxes/:id/smtp/test",
    {
      config: { permission: "inboxes:manage" },
      schema: {
        tags: ["inboxes"],
        summary: "Send a test mail through the stored settings now and report the server's answer",
        params: IdParams,
        body: SmtpTestBody,
        response: { 200: SmtpTestResult, ...errorResponses, ...conflictResponse },
      },
    },
    async (request) => sendTestMail(ctx, principalOf(request), request.params.id, request.body.to),
  );

  app.get<Params>(
    "/inboxes/:id/auto-acknowledgement",
    {
      config: { permission: "inboxes:manage" },
      schema: {
        tags: ["inboxes"],
        summary:
          "The acknowledgement sent for new email conversations (switched by settings.auto_ack_enabled)",
        params: IdParams,
        response: { 200: AutoAckTemplate, ...errorResponses, ...conflictResponse },
      },
    },
    async (request) => showAutoAckTemplate(ctx, principalOf(request), request.params.id),
  );

  app.put<Params & { Body: Static<typeof UpdateAutoAckTemplateBody> }>(
    "/inboxes/:id/auto-acknowledgement",
    {
      config: { permission: "inboxes:manage" },
      schema: {
        tags: ["inboxes"],
        summary: "Change the acknowledgement's subject and text",
        params: IdParams,
        body: UpdateAutoAckTemplateBody,
        response: { 200: AutoAckTemplate, ...errorResponses, ...conflictResponse },
      },
    },
    async (request) => updateAutoAckTemplate(ctx, principalOf(request), request.params.id, request.body),
  );
}
