import { Type } from "typebox";
import { Email, StrictObject, Timestamp, Uuid } from "./common.ts";
import { Channel } from "./conversations.ts";

/**
 * Inbox settings depend on the channel: email inboxes have a signature and an automatic
 * acknowledgement switch; the other channels have no settings yet (an empty object).
 */
export const InboxSettings = Type.Object({
  signature: Type.Optional(Type.String()),
  auto_ack_enabled: Type.Optional(Type.Boolean()),
});

const InboxSettingsInput = StrictObject(
  {
    signature: Type.Optional(Type.String({ maxLength: 10_000 })),
    auto_ack_enabled: Type.Optional(Type.Boolean()),
  },
  { description: "Email inboxes only; other channels take an empty object." },
);

export const Inbox = Type.Object({
  id: Uuid,
  name: Type.String(),
  channel: Channel,
  address: Type.Union([Type.String(), Type.Null()]),
  settings: InboxSettings,
  created_at: Timestamp,
});

export const CreateInboxBody = StrictObject({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  channel: Channel,
  /** Required for email inboxes, unique across the whole install; other channels have none. */
  address: Type.Optional(Email),
  settings: Type.Optional(InboxSettingsInput),
});

/** The channel is fixed once the inbox exists. */
export const UpdateInboxBody = StrictObject({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  address: Type.Optional(Email),
  settings: Type.Optional(InboxSettingsInput),
});
