import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { accessRoutes } from "./access/routes.ts";
import { attachmentRoutes } from "./attachments/routes.ts";
import { auditRoutes } from "./audit/routes.ts";
import { companyRoutes } from "./companies/routes.ts";
import { contactRoutes } from "./contacts/routes.ts";
import { messageRoutes } from "./conversations/message-routes.ts";
import { conversationRoutes } from "./conversations/routes.ts";
import { defineSnoozeJobs } from "./conversations/snooze.ts";
import { emailDisplayRoutes } from "./email/display/routes.ts";
import { defineEmailInboundJobs, startEmailInbound, stopEmailInbound } from "./email/jobs.ts";
import { defineEmailOutboundJobs, startEmailOutbound } from "./email/outbound/jobs.ts";
import { emailOutboundRoutes } from "./email/outbound/routes.ts";
import { emailInboundRoutes } from "./email/routes.ts";
import { inboxRoutes } from "./inboxes/routes.ts";
import { defineMetricsJobs, startMetrics } from "./metrics/jobs.ts";
import { realtimeRoutes } from "./realtime/routes.ts";
import { reportRoutes } from "./reports/routes.ts";
import { defineSurveyJobs, startSurveys } from "./surveys/jobs.ts";
import { surveyPageRoutes } from "./surveys/page-routes.ts";
import { surveyRoutes } from "./surveys/routes.ts";
import { tagRoutes } from "./tags/routes.ts";
import { webAppRoutes } from "./web-app/routes.ts";
import { defineWebhookJobs, startWebhookFanOut } from "./webhooks/delivery.ts";
import { webhookRoutes } from "./webhooks/routes.ts";
import { invitationRoutes } from "./workspaces/invitation-routes.ts";
import { workspaceRoutes } from "./workspaces/routes.ts";

export type ModuleRoutes = (app: FastifyInstance, ctx: AppContext) => Promise<void>;

/** Every module that serves /api/v1, in registration order. */
export const apiModules: ModuleRoutes[] = [
  accessRoutes,
  auditRoutes,
  realtimeRoutes,
  webhookRoutes,
  workspaceRoutes,
  invitationRoutes,
  inboxRoutes,
  contactRoutes,
  companyRoutes,
  conversationRoutes,
  messageRoutes,
  tagRoutes,
  attachmentRoutes,
  emailOutboundRoutes,
  emailDisplayRoutes,
  emailInboundRoutes,
  surveyRoutes,
  reportRoutes,
];

/** Modules that serve pages outside /api/v1 (the agent app), registered at the root after the API. */
export const siteModules: ModuleRoutes[] = [surveyPageRoutes, webAppRoutes];

/** Modules that define background job queues register them here (before jobs start). */
export const moduleJobs: ((ctx: AppContext) => void)[] = [
  defineWebhookJobs,
  defineSnoozeJobs,
  defineEmailOutboundJobs,
  defineEmailInboundJobs,
  defineMetricsJobs,
  defineSurveyJobs,
];

/** Work to do once jobs and events are running (schedules, listeners). */
export const moduleStartups: ((ctx: AppContext) => Promise<void>)[] = [
  startWebhookFanOut,
  startEmailOutbound,
  startEmailInbound,
  startMetrics,
  startSurveys,
];

/** Work to undo when the server closes, before jobs and the database stop (listeners, timers). */
export const moduleShutdowns: ((ctx: AppContext) => Promise<void>)[] = [stopEmailInbound];
