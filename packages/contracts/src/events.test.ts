import { Value } from "typebox/value";
import { describe, expect, it } from "vitest";
import {
  DurableEventTypes,
  EphemeralEventTypes,
  EventCatalogue,
  type EventData,
  type EventType,
  WebhookEnvelope,
} from "./events.ts";

const id = () => crypto.randomUUID();
const conversation = id();
const contact = id();

/** Payloads as the publishers build them today; one per distinct field set. */
const samples: { [T in EventType]?: EventData<T>[] } = {
  "message.created": [
    { id: id(), conversation_id: conversation, kind: "incoming", channel: "email", contact_id: contact },
    { id: id(), conversation_id: conversation, kind: "outgoing", channel: "chat", contact_id: contact },
    { id: id(), conversation_id: conversation, kind: "note", channel: "api", contact_id: contact },
    { id: id(), conversation_id: conversation, kind: "activity" },
    // Automatic inbound email (auto-replies, bounces) does not say its channel or contact.
    { id: id(), conversation_id: conversation, kind: "incoming" },
  ],
  "message.updated": [{ id: id(), conversation_id: conversation, delivery_state: "sent" }],
  "conversation.created": [{ id: conversation, number: 42, inbox_id: id(), contact_id: contact }],
  "conversation.updated": [
    { id: conversation, status: "resolved", changes: ["status", "assignee_id"] },
    { id: conversation, status: "snoozed", changes: ["status", "snoozed_until"] },
    { id: conversation, status: "open", changes: ["status", "snoozed_until"], cause: "snooze_ended" },
    { id: conversation, status: "open", cause: "message" },
    { id: conversation, status: "pending", cause: "callback_attempt" },
    { id: conversation, changes: ["tags"], tag_added: id() },
    { id: conversation, changes: ["tags"], tag_removed: id() },
    { id: conversation, status: "resolved", changes: ["merged_into"] },
    { id: conversation, changes: ["contact_id"] },
  ],
  "conversation.assigned": [
    { id: conversation, assignee_id: id(), previous_assignee_id: null },
    { id: conversation, assignee_id: null, previous_assignee_id: id() },
  ],
  "contact.updated": [{ id: contact }],
  "contact.deleted": [{ id: id() }, { id: id(), merged_into: contact }],
  "company.health_changed": [{ id: id(), score: 62, at_risk: true, upsell: false, advocate: false }],
  "billing.choice": [
    { company_id: id(), choice: "pause", months: 2, reason: "Seasonal", by: "customer" },
    { company_id: id(), choice: "resume", months: null, reason: null, by: "agent" },
  ],
  "dunning.expired": [{ id: id(), company_id: id(), outcome: "paused" }],
  "survey.responded": [{ survey_id: id(), conversation_id: conversation, rating: "bad" }],
  "callback.requested": [{ conversation_id: conversation, inbox_id: id() }],
  "feature_request.updated": [{ id: id() }, { id: id(), shipped: true }, { id: id(), ask_id: id() }],
  "agent.updated": [{ id: id() }, { id: id(), role: "viewer" }],
  "inbox.updated": [{ id: id() }, { id: id(), changes: ["imap"] }],
  "help_center.updated": [{ settings: true }, { article_id: id() }, { collection_id: id() }],
  typing: [
    { conversation_id: conversation, agent_id: id(), name: "Sam" },
    { conversation_id: conversation, contact_id: contact, visitor: true, name: "Visitor" },
  ],
  presence: [{ agent_id: id(), name: "Sam", instance_id: id(), sockets: 2, viewing: [conversation] }],
};

/** The same events with one field wrong. */
const wrong: [EventType, unknown][] = [
  ["message.created", { id: id(), conversation_id: conversation, kind: "reply" }],
  ["message.created", { id: id(), conversation_id: 42, kind: "note" }],
  ["message.created", { id: id(), conversation_id: conversation, kind: "note", channel: "sms" }],
  ["conversation.created", { id: conversation, number: "42", inbox_id: id(), contact_id: contact }],
  ["conversation.updated", { id: conversation, status: "closed", changes: ["status"] }],
  ["conversation.updated", { id: conversation, status: "open", changes: "status" }],
  ["conversation.updated", { id: conversation, status: "open", cause: "magic" }],
  ["conversation.assigned", { id: conversation, assignee_id: "sam", previous_assignee_id: null }],
  ["contact.updated", { id: "not-a-uuid" }],
  ["contact.updated", { id: contact, name: "Unexpected" }],
  ["company.health_changed", { id: id(), score: "62", at_risk: true, upsell: false, advocate: false }],
  ["billing.choice", { company_id: id(), choice: "pause", months: 2, reason: null, by: "robot" }],
  ["survey.responded", { survey_id: id(), conversation_id: conversation, rating: 5 }],
  ["help_center.updated", { settings: false }],
  ["typing", { conversation_id: conversation, visitor: true, name: "Visitor" }],
];

describe("event catalogue", () => {
  it.each(Object.entries(samples).flatMap(([type, payloads]) => payloads.map((p) => [type, p] as const)))(
    "accepts %s as published",
    (type, payload) => {
      expect(Value.Check(EventCatalogue[type as EventType], payload)).toBe(true);
    },
  );

  it.each(wrong)("refuses a %s with a wrong field", (type, payload) => {
    expect(Value.Check(EventCatalogue[type], payload)).toBe(false);
  });

  it("splits every type into ephemeral or durable, and describes each", () => {
    const all = Object.keys(EventCatalogue);
    expect([...DurableEventTypes, ...EphemeralEventTypes].sort()).toEqual([...all].sort());
    expect(DurableEventTypes).not.toContain("typing");
    expect(DurableEventTypes).toContain("message.created");
    for (const schema of Object.values(EventCatalogue)) {
      expect((schema as { description?: string }).description).toMatch(/\w/);
    }
  });

  it("checks a whole webhook delivery, type included", () => {
    const delivery = {
      id: id(),
      type: "message.created",
      created_at: new Date().toISOString(),
      workspace_id: id(),
      data: {
        id: id(),
        conversation_id: conversation,
        kind: "incoming",
        channel: "email",
        contact_id: contact,
      },
    };
    expect(Value.Check(WebhookEnvelope("message.created"), delivery)).toBe(true);
    expect(Value.Check(WebhookEnvelope("conversation.created"), delivery)).toBe(false);
    expect(Value.Check(WebhookEnvelope("message.created"), { ...delivery, created_at: "yesterday" })).toBe(
      false,
    );
  });
});
