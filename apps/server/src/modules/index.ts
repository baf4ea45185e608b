import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { accessRoutes } from "./access/routes.ts";
import { defineAttachmentJobs, startAttachments } from "./attachments/cleanup.ts";
import { attachmentRoutes } from "./attachments/routes.ts";
import { auditRoutes } from "./audit/routes.ts";
import { defineBillingJobs, startBilling } from "./billing/jobs.ts";
import { pausePageRoutes } from "./billing/pause-page.ts";
import { billingRoutes } from "./billing/routes.ts";
import { companyRoutes } from "./companies/routes.ts";
import { contactCardRoutes } from "./contacts/cards.ts";
import { contactMergeRoutes, registerContactMergeSteps } from "./contacts/merge.ts";
import { contactRoutes } from "./contacts/routes.ts";
import { conversationBulkRoutes } from "./conversations/bulk.ts";
import { conversationCountRoutes } from "./conversations/counts.ts";
import { conversationMergeRoutes } from "./conversations/merge.ts";
import { messageRoutes } from "./conversations/message-routes.ts";
import { conversationRoutes } from "./conversations/routes.ts";
import { defineSnoozeJobs } from "./conversations/snooze.ts";
import { emailDisplayRoutes } from "./email/display/routes.ts";
import { defineEmailInboundJobs, startEmailInbound, stopEmailInbound } from "./email/jobs.ts";
import { defineEmailOutboundJobs, startEmailOutbound } from "./email/outbound/jobs.ts";
import { emailOutboundRoutes } from "./email/outbound/routes.ts";
import { emailInboundRoutes } from "./email/routes.ts";
import { defineEventJobs, startEvents } from "./events/jobs.ts";
import { eventRoutes } from "./events/routes.ts";
import { moveUsageContactRows } from "./health/contact-merge.ts";
import { defineHealthJobs, startHealth } from "./health/jobs.ts";
import { healthRoutes } from "./health/routes.ts";
import { startHelpCenter, stopHelpCenter } from "./help-center/lifecycle.ts";
import { helpCenterRoutes } from "./help-center/routes.ts";
import { helpCenterSiteRoutes } from "./help-center/site.ts";
import { inboxRoutes } from "./inboxes/routes.ts";
import { defineMetricsJobs, startMetrics } from "./metrics/jobs.ts";
import { realtimeRoutes } from "./realtime/routes.ts";
import { savedReplyRoutes } from "./saved-replies/routes.ts";
import { reportRoutes } from "./reports/routes.ts";
import { moveFeatureRequestContactRows } from "./feature-requests/contact-merge.ts";
import { featureRequestRoutes } from "./feature-requests/routes.ts";
import { moveSequenceContactRows } from "./sequences/contact-merge.ts";
import { defineSequenceJobs, startSequences } from "./sequences/jobs.ts";
import { sequenceRoutes } from "./sequences/routes.ts";
import { officeHoursRoutes } from "./office-hours/routes.ts";
import { startOfficeHours } from "./office-hours/routing.ts";
import { unsubscribeRoutes } from "./sequences/unsubscribe.ts";
import { moveSurveyContactRows } from "./surveys/contact-merge.ts";
import { defineSurveyJobs, startSurveys } from "./surveys/jobs.ts";
import { surveyPageRoutes } from "./surveys/page-routes.ts";
import { surveyRoutes } from "./surveys/routes.ts";
import { tagRoutes } from "./tags/routes.ts";
import { webAppRoutes } from "./web-app/routes.ts";
import { defineWebhookJobs, startWebhookFanOut } from "./webhooks/delivery.ts";
import { webhookRoutes } from "./webhooks/routes.ts";
import { avatarRoutes } from "./workspaces/avatar-routes.ts";
import { invitationRoutes } from "./workspaces/invitation-routes.ts";
import { workspaceRoutes } from "./workspaces/routes.ts";
import { callbackRoutes } from "./callbacks/routes.ts";
import { moveWidgetContactRows } from "./widget/contact-merge.ts";
import { defineWidgetJobs, startWidget } from "./widget/offline-email.ts";
import { widgetRoutes } from "./widget/routes.ts";
import { widgetSiteRoutes } from "./widget/site-routes.ts";

export type ModuleRoutes = (app: FastifyInstance, ctx: AppContext) => Promise<void>;

/** Every module that serves /api/v1, in registration order. */
export const apiModules: ModuleRoutes[] = [
  accessRoutes,
  auditRoutes,
  realtimeRoutes,
  webhookRoutes,
  eventRoutes,
  workspaceRoutes,
  invitationRoutes,
  avatarRoutes,
  inboxRoutes,
  contactRoutes,
  companyRoutes,
  conversationRoutes,
  conversationCountRoutes,
  conversationBulkRoutes,
  conversationMergeRoutes,
  contactCardRoutes,
  contactMergeRoutes,
  messageRoutes,
  tagRoutes,
  savedReplyRoutes,
  attachmentRoutes,
  emailOutboundRoutes,
  emailDisplayRoutes,
  emailInboundRoutes,
  surveyRoutes,
  reportRoutes,
  healthRoutes,
  billingRoutes,
  widgetRoutes,
  callbackRoutes,
  featureRequestRoutes,
  sequenceRoutes,
  officeHoursRoutes,
  helpCenterRoutes,
];

/** Modules that serve pages outside /api/v1 (the agent app), registered at the root after the API. */
export const siteModules: ModuleRoutes[] = [
  widgetSiteRoutes,
  surveyPageRoutes,
  pausePageRoutes,
  unsubscribeRoutes,
  helpCenterSiteRoutes,
  webAppRoutes,
];

/** Modules that define background job queues register them here (before jobs start). */
export const moduleJobs: ((ctx: AppContext) => void)[] = [
  defineWebhookJobs,
  defineSnoozeJobs,
  defineEmailOutboundJobs,
  defineEmailInboundJobs,
  defineMetricsJobs,
  defineSurveyJobs,
  defineSequenceJobs,
  defineHealthJobs,
  defineBillingJobs,
  defineWidgetJobs,
  defineAttachmentJobs,
  defineEventJobs,
];

/** Work to do once jobs and events are running (schedules, listeners). */
export const moduleStartups: ((ctx: AppContext) => Promise<void>)[] = [
  startWebhookFanOut,
  startEmailOutbound,
  startEmailInbound,
  startMetrics,
  startSurveys,
  startSequences,
  startOfficeHours,
  startHealth,
  startBilling,
  startHelpCenter,
  startWidget,
  startAttachments,
  startEvents,
];

/** Work to undo when the server closes, before jobs and the database stop (listeners, timers). */
export const moduleShutdowns: ((ctx: AppContext) => Promise<void>)[] = [stopEmailInbound, stopHelpCenter];

/* Modules that keep rows per contact move them to the kept contact when two contacts are merged. */
registerContactMergeSteps(
  moveWidgetContactRows,
  moveSequenceContactRows,
  moveFeatureRequestContactRows,
  moveSurveyContactRows,
  moveUsageContactRows,
);
