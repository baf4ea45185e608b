import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import {
  errorResponses,
  IdParams,
  ImapPollQueued,
  ImapSettings,
  ImapSettingsBody,
  ImapStatus,
  InboundRouting,
} from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import { principalOf } from "../access/authenticate.ts";
import { queueImapPoll } from "./imap/scheduler.ts";
import {
  type ImapSettingsInput,
  imapStatus,
  removeImapSettings,
  saveImapSettings,
  showImapSettings,
} from "./imap/settings.ts";
import { inboundRouting, rawSourceOfMessage } from "./service.ts";

type Id = { Params: { id: string } };

export async function emailInboundRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get<Id>(
    "/messages/:id/raw",
    {
      config: { permission: "conversations:read" },
      schema: {
        tags: ["email"],
        summary: "Download the raw source of a received email message (.eml), exactly as it arrived",
        params: IdParams,
        response: { 200: Type.Unsafe({ type: "string", format: "binary" }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { raw, filename } = await rawSourceOfMessage(ctx, principalOf(request), request.params.id);
      return reply
        .header("content-type", "message/rfc822")
        .header("content-disposition", `attachment; filename="${filename}"`)
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "default-src 'none'; sandbox")
        .header("cache-control", "private, max-age=0, must-revalidate")
        .send(raw);
    },
  );

  app.get<Id>(
    "/inboxes/:id/inbound",
    {
      config: { permission: "inboxes:read" },
      schema: {
        tags: ["email"],
        summary: "How mail reaches this email inbox: its address, its forwarding address, the SMTP listener",
        params: IdParams,
        response: { 200: InboundRouting, ...errorResponses },
      },
    },
    async (request) => inboundRouting(ctx, principalOf(request), request.params.id),
  );

  app.get<Id>(
    "/inboxes/:id/imap",
    {
      config: { permission: "inboxes:read" },
      schema: {
        tags: ["email"],
        summary: "The inbox's IMAP polling settings (the password is never shown)",
        params: IdParams,
        response: { 200: ImapSettings, ...errorResponses },
      },
    },
    async (request) => showImapSettings(ctx, principalOf(request), request.params.id),
  );

  app.put<Id & { Body: ImapSettingsInput }>(
    "/inboxes/:id/imap",
    {
      config: { permission: "inboxes:manage" },
      schema: {
        tags: ["email"],
        summary: "Poll a mailbox over IMAP into this inbox (creates or replaces the settings)",
        params: IdParams,
        body: ImapSettingsBody,
        response: { 200: ImapSettings, ...errorResponses },
      },
    },
    async (request) => saveImapSettings(ctx, principalOf(request), request.params.id, request.body),
  );

  app.delete<Id>(
    "/inboxes/:id/imap",
    {
      config: { permission: "inboxes:manage" },
      schema: {
        tags: ["email"],
        summary: "Stop polling: remove the inbox's IMAP settings (imported mail stays)",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await removeImapSettings(ctx, principalOf(request), request.params.id);
      return reply.status(204).send();
    },
  );

  app.get<Id>(
    "/inboxes/:id/imap-status",
    {
      config: { permission: "inboxes:read" },
      schema: {
        tags: ["email"],
        summary: "IMAP polling status: messages on the server vs imported, the last poll and the last error",
        params: IdParams,
        response: { 200: ImapStatus, ...errorResponses },
      },
    },
    async (request) => imapStatus(ctx, principalOf(request), request.params.id),
  );

  app.post<Id>(
    "/inboxes/:id/imap/poll",
    {
      config: { permission: "inboxes:manage" },
      schema: {
        tags: ["email"],
        summary: "Poll the inbox's IMAP folder now instead of waiting for the next scheduled poll",
        params: IdParams,
        response: { 202: ImapPollQueued, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      await showImapSettings(ctx, principal, request.params.id);
      await queueImapPoll(ctx, principal.workspaceId, request.params.id);
      return reply.status(202).send({ status: "queued" as const });
    },
  );
}
