import { Type } from "typebox";
import { Email, NullableTimestamp, StrictObject } from "./common.ts";

export const SmtpSecurity = Type.Union(
  [Type.Literal("tls"), Type.Literal("starttls"), Type.Literal("none")],
  {
    description:
      "tls: TLS from the first byte (usually port 465); starttls: upgrade required (587); none: plain",
  },
);

/**
 * An email inbox's outgoing server. Without one the inbox is in local development mode ("outbox"):
 * each outgoing mail is written as an .eml file under outbox/ in the data directory. The password is
 * never returned, only whether one is stored.
 */
export const SmtpSettings = Type.Object({
  mode: Type.Union([Type.Literal("smtp"), Type.Literal("outbox")]),
  host: Type.Union([Type.String(), Type.Null()]),
  port: Type.Union([Type.Integer(), Type.Null()]),
  security: Type.Union([SmtpSecurity, Type.Null()]),
  username: Type.Union([Type.String(), Type.Null()]),
  password_set: Type.Boolean(),
  from_name: Type.Union([Type.String(), Type.Null()]),
  updated_at: NullableTimestamp,
});

export const UpdateSmtpSettingsBody = StrictObject({
  host: Type.String({ minLength: 1, maxLength: 253, pattern: "^[A-Za-z0-9._:\\[\\]-]+$" }),
  port: Type.Integer({ minimum: 1, maximum: 65535 }),
  security: SmtpSecurity,
  username: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 320 }), Type.Null()])),
  /** Omit to keep the stored password; null removes it. */
  password: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 1000 }), Type.Null()])),
  /** Shown after the agent's name in From ("Dana (Acme Support)") and alone on automatic messages. */
  from_name: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
});

export const SmtpTestBody = StrictObject({ to: Email });

export const SmtpTestResult = Type.Object({
  sent: Type.Boolean(),
  mode: Type.Union([Type.Literal("smtp"), Type.Literal("outbox")]),
  /** The server's final reply, or where the .eml file was written. */
  response: Type.Union([Type.String(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
});

/**
 * The acknowledgement sent to a customer who opens a new email conversation. It is switched on by the
 * inbox setting auto_ack_enabled (off by default). Placeholders: {{subject}}, {{number}},
 * {{contact_name}}, {{inbox_name}}.
 */
export const AutoAckTemplate = Type.Object({
  enabled: Type.Boolean(),
  subject: Type.String(),
  body: Type.String(),
  /** Automatic messages one address can receive per hour, across the workspace. */
  limit_per_address_per_hour: Type.Integer(),
});

export const UpdateAutoAckTemplateBody = StrictObject({
  subject: Type.String({ minLength: 1, maxLength: 998 }),
  body: Type.String({ minLength: 1, maxLength: 20_000 }),
});

export const MessageHtmlQuery = StrictObject({
  /** Load remote images for this message; the choice is remembered on the message. */
  images: Type.Optional(Type.Literal("allow")),
});
