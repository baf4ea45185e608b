import { Type } from "typebox";
import { NullableTimestamp, StrictObject, Timestamp, Uuid } from "./common.ts";

/** An event type such as "conversation.created", or "*" for every event. */
export const WebhookEventType = Type.String({
  pattern: "^(\\*|[a-z][a-z_]*(\\.[a-z][a-z_]*)+)$",
  maxLength: 100,
  description:
    'An event type such as "conversation.created" (the webhooks section of this document lists each, with its body), or "*" for every event',
});

const WebhookUrl = Type.String({
  minLength: 1,
  maxLength: 2000,
  description: "An http(s) URL on a public address; it receives signed JSON POSTs",
});
const WebhookEvents = Type.Array(WebhookEventType, { minItems: 1, maxItems: 50, uniqueItems: true });

export const CreateWebhookBody = StrictObject({
  url: WebhookUrl,
  events: WebhookEvents,
  active: Type.Optional(Type.Boolean({ default: true })),
});

export const UpdateWebhookBody = StrictObject({
  url: Type.Optional(WebhookUrl),
  events: Type.Optional(WebhookEvents),
  active: Type.Optional(Type.Boolean()),
});

export const Webhook = Type.Object({
  id: Uuid,
  url: Type.String(),
  events: Type.Array(Type.String()),
  active: Type.Boolean(),
  created_at: Timestamp,
});

/** The signing secret is shown only in the response that creates the webhook. */
export const CreatedWebhook = Type.Object({ webhook: Webhook, secret: Type.String() });

export const WebhookDeliveryState = Type.Union([
  Type.Literal("pending"),
  Type.Literal("delivered"),
  Type.Literal("failed"),
]);

export const WebhookDelivery = Type.Object({
  id: Uuid,
  webhook_id: Uuid,
  event_type: Type.String(),
  state: WebhookDeliveryState,
  attempts: Type.Integer(),
  response_status: Type.Union([Type.Integer(), Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
  /** Exactly what is POSTed: { id, type, created_at, workspace_id, data }. */
  payload: Type.Record(Type.String(), Type.Unknown()),
  created_at: Timestamp,
  delivered_at: NullableTimestamp,
});
