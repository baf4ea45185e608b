import { type Static, Type } from "typebox";
import { Role, StrictObject, Timestamp, Uuid } from "./common.ts";
import { Channel, ConversationStatus, MessageKind } from "./conversations.ts";
import { SurveyRating } from "./surveys.ts";

/*
 * Every workspace event the server publishes, with the `data` it carries. Sockets receive
 * { type, data, at }, webhooks { id, type, created_at, workspace_id, data }. docs/events.md says who
 * publishes and who listens. The schemas describe what publishers send today, field sets that
 * differ between publishers included, so a new publisher or listener can be checked against them.
 */

const Id = (description: string) => Type.String({ format: "uuid", description });

/** What conversation.updated's `changes` may name: a changed field, or the merge or split that changed it. */
const ConversationChange = Type.Union([
  Type.Literal("assignee_id"),
  Type.Literal("status"),
  Type.Literal("snoozed_until"),
  Type.Literal("priority"),
  Type.Literal("subject"),
  Type.Literal("tags"),
  Type.Literal("merged"),
  Type.Literal("merged_into"),
  Type.Literal("split"),
  Type.Literal("contact_id"),
]);

const DeliveryState = Type.Union([Type.Literal("queued"), Type.Literal("sent"), Type.Literal("failed")]);

const idOnly = (description: string) => StrictObject({ id: Uuid }, { description });

const SurveyAnswer = (description: string) =>
  StrictObject({ survey_id: Uuid, conversation_id: Uuid, rating: SurveyRating }, { description });

export const EventCatalogue = {
  // Conversations and messages
  "conversation.created": StrictObject(
    { id: Uuid, number: Type.Integer({ minimum: 1 }), inbox_id: Uuid, contact_id: Uuid },
    {
      description:
        "A conversation was opened: through the API, by an inbound email, a widget visitor's first message, " +
        "a callback request, or by splitting a message out of another conversation. Its first message follows " +
        "as message.created.",
    },
  ),
  "conversation.updated": StrictObject(
    {
      id: Uuid,
      status: Type.Optional(
        Type.Union(ConversationStatus.anyOf, {
          description: "The status after the change; absent on tag changes and on a contact merge",
        }),
      ),
      changes: Type.Optional(
        Type.Array(ConversationChange, {
          description:
            "What an agent or the system changed. Absent when a message or a callback attempt moved the " +
            "conversation (see cause), even when that message reopened it.",
        }),
      ),
      cause: Type.Optional(
        Type.Union(
          [Type.Literal("message"), Type.Literal("callback_attempt"), Type.Literal("snooze_ended")],
          {
            description:
              "message: a message was added (its message.created says which); callback_attempt: a call was " +
              "logged; snooze_ended: the snooze ran out",
          },
        ),
      ),
      tag_added: Type.Optional(Id("The tag added by tagging one conversation (not sent by bulk changes)")),
      tag_removed: Type.Optional(Id("The tag removed from the conversation")),
    },
    {
      description:
        "A conversation changed: status, assignee, priority or subject (one or in bulk), tags, a merge or split, " +
        "the end of a snooze, a move to another contact by a contact merge, or a new message or call attempt.",
    },
  ),
  "conversation.assigned": StrictObject(
    {
      id: Uuid,
      assignee_id: Type.Union([Uuid, Type.Null()]),
      previous_assignee_id: Type.Union([Uuid, Type.Null()]),
    },
    {
      description:
        "The assignee changed (by an agent, a bulk change, office-hours routing, or removing the assignee from " +
        "the team); published after the conversation.updated of the same change.",
    },
  ),
  "message.created": StrictObject(
    {
      id: Uuid,
      conversation_id: Uuid,
      kind: MessageKind,
      channel: Type.Optional(
        Type.Union(Channel.anyOf, {
          description: "The conversation's channel; absent on activity lines and automatic inbound email",
        }),
      ),
      contact_id: Type.Optional(
        Id("The conversation's contact; absent on activity lines and automatic inbound email"),
      ),
    },
    {
      description:
        "A message was added to a conversation: a customer's message, an agent's reply or note, or an activity " +
        "line (kind activity) written by a change.",
    },
  ),
  "message.updated": StrictObject(
    { id: Uuid, conversation_id: Uuid, delivery_state: DeliveryState },
    {
      description:
        "An emailed reply's delivery state changed: sent, failed for good, or queued again after a failed attempt.",
    },
  ),
  "callback.requested": StrictObject(
    { conversation_id: Uuid, inbox_id: Uuid },
    {
      description:
        "A customer (or an agent for them) asked to be called back; published after the conversation it opened.",
    },
  ),

  // Contacts and companies
  "contact.created": idOnly(
    "A contact was created through the API or the app (contacts created by inbound mail, the widget or " +
      "callbacks publish no event).",
  ),
  "contact.updated": idOnly("A contact was edited, or kept by a merge that folded another contact into it."),
  "contact.deleted": StrictObject(
    { id: Uuid, merged_into: Type.Optional(Id("The contact it was merged into, when deleted by a merge")) },
    { description: "A contact was deleted, or merged into another contact." },
  ),
  "company.created": idOnly("A company was created, one by one or by an import."),
  "company.updated": idOnly("A company was edited, one by one or by an import."),
  "company.deleted": idOnly("A company was deleted."),
  "company.health_changed": StrictObject(
    {
      id: Uuid,
      score: Type.Integer({ minimum: 0, maximum: 100 }),
      at_risk: Type.Boolean(),
      upsell: Type.Boolean(),
      advocate: Type.Boolean(),
    },
    {
      description:
        "An event-driven recompute changed a company's health score or flags (workspace-wide recomputes " +
        "publish health.recomputed instead).",
    },
  ),
  "health.recomputed": StrictObject(
    { companies: Type.Integer({ minimum: 0, description: "How many companies were recomputed" }) },
    {
      description:
        "Every company of the workspace had its health recomputed (daily, or after a settings change).",
    },
  ),
  "usage.recorded": StrictObject(
    { company_id: Uuid, name: Type.String({ description: "The usage event's name" }) },
    { description: "A product usage event was recorded for a company." },
  ),

  // Billing
  "billing.updated": StrictObject(
    { company_id: Uuid },
    {
      description:
        "A company's billing changed: a Stripe event was applied to it, or an unpaid-invoice case expired.",
    },
  ),
  "billing.choice": StrictObject(
    {
      company_id: Uuid,
      choice: Type.Union([
        Type.Literal("pause"),
        Type.Literal("downgrade"),
        Type.Literal("cancel"),
        Type.Literal("resume"),
      ]),
      months: Type.Union([Type.Integer(), Type.Null()]),
      reason: Type.Union([Type.String(), Type.Null()]),
      by: Type.Union([Type.Literal("agent"), Type.Literal("customer")]),
    },
    {
      description:
        "A customer (or an agent for them) chose to pause, downgrade, cancel or resume a subscription; a " +
        "repeated identical choice publishes nothing.",
    },
  ),
  "dunning.opened": StrictObject(
    { id: Uuid, company_id: Uuid },
    {
      description:
        "A dunning case opened: an invoice payment failed, or the card on file is about to expire.",
    },
  ),
  "dunning.recovered": StrictObject(
    { id: Uuid, company_id: Uuid },
    { description: "An open dunning case closed because the invoice was paid." },
  ),
  "dunning.expired": StrictObject(
    {
      id: Uuid,
      company_id: Uuid,
      outcome: Type.Union(
        [Type.Literal("paused"), Type.Literal("canceled"), Type.Literal("none"), Type.Literal("recovered")],
        {
          description: "What happens to the subscription now that the grace period is over",
        },
      ),
    },
    { description: "A dunning case's grace period ended unpaid; billing.updated follows." },
  ),
  "dunning.notice_sent": StrictObject(
    {
      id: Uuid,
      company_id: Uuid,
      step: Type.Integer({ minimum: 0, description: "Which reminder of the schedule, from 0" }),
    },
    {
      description:
        "A dunning reminder fell due. Also published when there was no one to send it to or from, and no mail left.",
    },
  ),

  // Inboxes, workspace and team
  "inbox.created": StrictObject({ id: Uuid, channel: Channel }, { description: "An inbox was created." }),
  "inbox.updated": StrictObject(
    {
      id: Uuid,
      changes: Type.Optional(
        Type.Array(Type.Literal("imap"), { description: "Present only when the IMAP settings changed" }),
      ),
    },
    {
      description:
        "An inbox's settings changed: name or settings, SMTP or IMAP settings, its auto-acknowledgement template " +
        "or its survey settings.",
    },
  ),
  "inbox.deleted": idOnly("An inbox was deleted."),
  "workspace.updated": idOnly("The workspace's name or settings changed; id is the workspace's."),
  "agent.created": StrictObject(
    { id: Uuid, role: Role },
    { description: "Someone accepted an invitation and joined the workspace." },
  ),
  "agent.updated": StrictObject(
    {
      id: Uuid,
      role: Type.Optional(Type.Union(Role.anyOf, { description: "Present when an admin set the role" })),
    },
    { description: "A member's role was set, or they changed their name, time zone or avatar." },
  ),
  "agent.removed": idOnly(
    "A member was removed from the workspace; their open work was unassigned just before (conversation.updated " +
      "and conversation.assigned for each).",
  ),
  "invitation.created": StrictObject({ id: Uuid, role: Role }, { description: "An invitation was sent." }),
  "invitation.revoked": idOnly("A pending invitation was revoked."),

  // Feature requests, surveys, help center
  "feature_request.created": idOnly("A feature request was created."),
  "feature_request.updated": StrictObject(
    {
      id: Uuid,
      shipped: Type.Optional(Type.Literal(true, { description: "Present when this change shipped it" })),
      ask_id: Type.Optional(Id("Present when a customer's ask was linked to it")),
    },
    { description: "A feature request was edited, or a customer's ask was linked to it or unlinked." },
  ),
  "feature_request.deleted": idOnly("A feature request was deleted."),
  "survey.sent": StrictObject(
    {
      survey_id: Uuid,
      conversation_id: Uuid,
      channel: Type.Literal("chat", { description: "Emailed surveys publish no event when sent" }),
    },
    { description: "A satisfaction survey became due in a chat: the widget shows it to the visitor." },
  ),
  "survey.responded": SurveyAnswer("A customer rated a conversation, or changed their rating."),
  "survey.commented": SurveyAnswer(
    "A customer commented on their rating (rating is the one the comment goes with).",
  ),
  "help_center.updated": Type.Union(
    [
      StrictObject({ settings: Type.Literal(true) }),
      StrictObject({ article_id: Uuid }),
      StrictObject({ collection_id: Uuid }),
    ],
    {
      description:
        "The help center's settings changed, or an article or collection was created, edited or deleted. " +
        "Every instance drops its cached pages when it hears it.",
    },
  ),

  // Ephemeral: sockets only (see EphemeralEventTypes)
  typing: Type.Union(
    [
      StrictObject({ conversation_id: Uuid, agent_id: Uuid, name: Type.String() }),
      StrictObject({
        conversation_id: Uuid,
        contact_id: Uuid,
        visitor: Type.Literal(true),
        name: Type.String(),
      }),
    ],
    {
      description:
        "An agent (or a widget visitor, with visitor: true) is typing in a conversation; repeated every few " +
        "seconds while they type.",
    },
  ),
  presence: StrictObject(
    {
      agent_id: Uuid,
      name: Type.String(),
      instance_id: Id("The server instance reporting"),
      sockets: Type.Integer({ minimum: 0, description: "Sockets this instance holds for the agent" }),
      viewing: Type.Array(Uuid, { description: "Conversations the agent has open on this instance" }),
    },
    {
      description:
        "One instance's count of an agent's sockets, on connect, disconnect, a change of the conversation viewed, " +
        "and every tick. Agents' sockets receive the presence merged over all instances instead.",
    },
  ),
  "widget.read": StrictObject(
    { conversation_id: Uuid, read_at: Timestamp },
    { description: "A widget visitor has read their conversation up to read_at." },
  ),
  "widget.visitor": StrictObject(
    { conversation_id: Uuid, visitor_id: Uuid },
    { description: "A widget visitor's page or browser details changed." },
  ),
} as const;

export type EventType = keyof typeof EventCatalogue;
export type EventData<T extends EventType> = Static<(typeof EventCatalogue)[T]>;

/** Published with the ephemeral flag: they reach sockets only, never webhooks or durable listeners. */
export const EphemeralEventTypes = [
  "typing",
  "presence",
  "widget.read",
  "widget.visitor",
] as const satisfies readonly EventType[];
export type EphemeralEventType = (typeof EphemeralEventTypes)[number];
export type DurableEventType = Exclude<EventType, EphemeralEventType>;

/** Every event a webhook can subscribe to, in catalogue order. */
export const DurableEventTypes = (Object.keys(EventCatalogue) as EventType[]).filter(
  (type): type is DurableEventType => !(EphemeralEventTypes as readonly string[]).includes(type),
);

/** The data of the ping a webhook's test button sends; it is not a workspace event. */
export const WebhookPingData = StrictObject({ webhook_id: Uuid }, { description: "A test delivery" });

/** What a webhook delivery POSTs for one event type. */
export function WebhookEnvelope<T extends DurableEventType | "ping">(type: T) {
  const data = type === "ping" ? WebhookPingData : EventCatalogue[type as DurableEventType];
  return StrictObject(
    {
      id: Id(
        "The event's id: the same on every retry and for every webhook it goes to. Use it as an idempotency key.",
      ),
      type: Type.Literal(type),
      created_at: Type.String({ format: "date-time", description: "When the event was published" }),
      workspace_id: Uuid,
      data,
    },
    {
      description:
        "Delivered at least once: a delivery that fails, times out or whose answer is lost is retried with " +
        "backoff, so the same event can arrive more than once, and deliveries of different events can arrive " +
        "out of order. `id` is the event's id, the same on every retry: receivers use it as an idempotency key. " +
        'The keepwell-signature header signs the raw body (t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body"> ' +
        "with the webhook's secret).",
    },
  );
}
