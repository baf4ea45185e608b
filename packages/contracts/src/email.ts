import { Type } from "typebox";
import { NullableTimestamp, StrictObject, Timestamp, Uuid } from "./common.ts";

/** How mail reaches an email inbox: its own address, and the forwarding address Keepwell gives it. */
export const InboundRouting = Type.Object({
  inbox_id: Uuid,
  address: Type.Union([Type.String(), Type.Null()]),
  /** Forward the team's support mail here when its MX does not point at Keepwell. */
  forwarding_address: Type.String(),
  smtp: Type.Object({
    enabled: Type.Boolean(),
    port: Type.Union([Type.Integer(), Type.Null()]),
    domain: Type.String(),
    max_message_bytes: Type.Integer(),
    starttls: Type.Boolean(),
  }),
});

const Host = Type.String({ minLength: 1, maxLength: 255, pattern: "^[A-Za-z0-9.:\\[\\]-]+$" });
const Folder = Type.String({ minLength: 1, maxLength: 200 });

/** IMAP polling of an existing mailbox. The password is stored encrypted and never shown again. */
export const ImapSettingsBody = StrictObject({
  host: Host,
  port: Type.Integer({ minimum: 1, maximum: 65535 }),
  tls: Type.Optional(
    Type.Boolean({
      description: "Implicit TLS (usually port 993); STARTTLS is used when offered otherwise.",
    }),
  ),
  username: Type.String({ minLength: 1, maxLength: 320 }),
  password: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 1000,
      description: "Required the first time; leave out to keep the stored one.",
    }),
  ),
  folder: Type.Optional(Folder),
  move_to_folder: Type.Optional(Type.Union([Folder, Type.Null()])),
  enabled: Type.Optional(Type.Boolean()),
});

export const ImapSettings = Type.Object({
  inbox_id: Uuid,
  host: Type.String(),
  port: Type.Integer(),
  tls: Type.Boolean(),
  username: Type.String(),
  password_set: Type.Boolean(),
  folder: Type.String(),
  move_to_folder: Type.Union([Type.String(), Type.Null()]),
  enabled: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

/** What the inbox page shows about polling: never a silent stop. */
export const ImapStatus = Type.Object({
  inbox_id: Uuid,
  configured: Type.Boolean(),
  enabled: Type.Boolean(),
  /** Messages in the polled folder at the last successful poll. */
  messages_on_server: Type.Union([Type.Integer(), Type.Null()]),
  /** Messages imported from IMAP into this inbox, all time. */
  imported: Type.Integer(),
  uidvalidity: Type.Union([Type.String(), Type.Null()]),
  last_uid: Type.String(),
  last_poll_at: NullableTimestamp,
  last_success_at: NullableTimestamp,
  last_error: Type.Union([Type.String(), Type.Null()]),
  last_error_at: NullableTimestamp,
  polling_now: Type.Boolean(),
});

export const ImapPollQueued = Type.Object({ status: Type.Literal("queued") });
