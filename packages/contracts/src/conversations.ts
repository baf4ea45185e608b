import { Type } from "typebox";
import { Attachment } from "./attachments.ts";
import { NullableTimestamp, PageQuery, StrictObject, Timestamp, Uuid } from "./common.ts";

export const ConversationStatus = Type.Union([
  Type.Literal("open"),
  Type.Literal("pending"),
  Type.Literal("snoozed"),
  Type.Literal("resolved"),
]);
export const Priority = Type.Union([
  Type.Literal("low"),
  Type.Literal("normal"),
  Type.Literal("high"),
  Type.Literal("urgent"),
]);
export const Channel = Type.Union([
  Type.Literal("email"),
  Type.Literal("chat"),
  Type.Literal("callback"),
  Type.Literal("api"),
]);
export const MessageKind = Type.Union([
  Type.Literal("incoming"),
  Type.Literal("outgoing"),
  Type.Literal("note"),
  Type.Literal("activity"),
]);

export const TagRef = Type.Object({ id: Uuid, name: Type.String(), color: Type.String() });

export const Conversation = Type.Object({
  id: Uuid,
  number: Type.Integer(),
  inbox_id: Uuid,
  contact_id: Uuid,
  channel: Channel,
  subject: Type.Union([Type.String(), Type.Null()]),
  status: ConversationStatus,
  priority: Priority,
  assignee_id: Type.Union([Uuid, Type.Null()]),
  snoozed_until: NullableTimestamp,
  preview: Type.Union([Type.String(), Type.Null()]),
  message_count: Type.Integer(),
  tags: Type.Array(TagRef),
  first_customer_message_at: NullableTimestamp,
  first_human_response_at: NullableTimestamp,
  waiting_since: NullableTimestamp,
  resolved_at: NullableTimestamp,
  last_activity_at: Timestamp,
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const ConversationListQuery = StrictObject({
  status: Type.Optional(ConversationStatus),
  inbox_id: Type.Optional(Uuid),
  /** An agent id, or "none" for unassigned, or "me". */
  assignee: Type.Optional(Type.Union([Uuid, Type.Literal("none"), Type.Literal("me")])),
  tag: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  contact_id: Type.Optional(Uuid),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
});

export const MessageBody = {
  body_text: Type.String({ maxLength: 200_000 }),
  body_html: Type.Optional(Type.String({ maxLength: 1_000_000 })),
  /** Ids from POST /attachments that no message uses yet. */
  attachment_ids: Type.Optional(Type.Array(Uuid, { maxItems: 20, uniqueItems: true })),
};

export const CreateConversationBody = StrictObject({
  inbox_id: Uuid,
  subject: Type.Optional(Type.String({ maxLength: 998 })),
  /**
   * The customer: an existing contact's id, or an email (and name) to find or create one. One object
   * rather than a union, so that a mistake is reported on its own field.
   */
  contact: StrictObject({
    id: Type.Optional(Uuid),
    email: Type.Optional(Type.String({ format: "email", maxLength: 320 })),
    name: Type.Optional(Type.String({ maxLength: 200 })),
  }),
  message: StrictObject({
    kind: Type.Union([Type.Literal("incoming"), Type.Literal("outgoing")]),
    ...MessageBody,
  }),
});

export const UpdateConversationBody = StrictObject({
  status: Type.Optional(ConversationStatus),
  snoozed_until: Type.Optional(Timestamp),
  assignee_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
  priority: Type.Optional(Priority),
  subject: Type.Optional(Type.String({ maxLength: 998 })),
});

export const Message = Type.Object({
  id: Uuid,
  conversation_id: Uuid,
  kind: MessageKind,
  author_agent_id: Type.Union([Uuid, Type.Null()]),
  author_contact_id: Type.Union([Uuid, Type.Null()]),
  body_text: Type.String(),
  body_html: Type.Union([Type.String(), Type.Null()]),
  delivery_state: Type.Union([
    Type.Literal("queued"),
    Type.Literal("sent"),
    Type.Literal("failed"),
    Type.Null(),
  ]),
  delivery_error: Type.Union([Type.String(), Type.Null()]),
  sent_by_human: Type.Boolean(),
  attachments: Type.Array(Attachment),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  created_at: Timestamp,
});

/** incoming: from the customer (API inboxes); outgoing: an agent's reply; note: internal, never sent. */
export const CreateMessageBody = StrictObject({
  kind: Type.Union([Type.Literal("incoming"), Type.Literal("outgoing"), Type.Literal("note")]),
  ...MessageBody,
});

/** A new conversation, with the message that opened it. */
export const CreatedConversation = Type.Object({ ...Conversation.properties, first_message: Message });

export const MessageListQuery = StrictObject(PageQuery);
