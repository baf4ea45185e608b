import { Type } from "typebox";

/* Request and response schemas of the widget's agent-side API (settings of a chat inbox). */

const Strict = <T extends Parameters<typeof Type.Object>[0]>(properties: T) =>
  Type.Object(properties, { additionalProperties: false });

export const WIDGET_LANGUAGES = ["en", "bn", "mr", "ta", "ha", "yo"] as const;

export const WidgetLanguage = Type.Union(WIDGET_LANGUAGES.map((l) => Type.Literal(l)));
const ReplyTime = Type.Union([Type.Literal("minutes"), Type.Literal("hours"), Type.Literal("day")]);
const OfflineBehaviour = Type.Union([Type.Literal("ask_email"), Type.Literal("hide")]);

export const WidgetSettingsBody = Strict({
  color: Type.Optional(Type.String({ pattern: "^#[0-9a-fA-F]{6}$" })),
  greeting: Type.Optional(Type.String({ maxLength: 500 })),
  reply_time: Type.Optional(ReplyTime),
  allowed_origins: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { maxItems: 50 })),
  require_verified: Type.Optional(Type.Boolean()),
  offline_behaviour: Type.Optional(OfflineBehaviour),
  respect_business_hours: Type.Optional(Type.Boolean()),
  languages: Type.Optional(Type.Array(WidgetLanguage, { minItems: 1, maxItems: 6 })),
});

export const WidgetSettings = Type.Object({
  inbox_id: Type.String(),
  public_key: Type.String(),
  color: Type.String(),
  greeting: Type.String(),
  reply_time: ReplyTime,
  allowed_origins: Type.Array(Type.String()),
  require_verified: Type.Boolean(),
  offline_behaviour: OfflineBehaviour,
  respect_business_hours: Type.Boolean(),
  languages: Type.Array(Type.String()),
  identity_secret_set: Type.Boolean(),
  snippet: Type.String(),
  updated_at: Type.String(),
});

export const IdentitySecret = Type.Object({ identity_secret: Type.String() });

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const VisitorInfo = Type.Object({
  id: Type.String(),
  name: Nullable(Type.String()),
  email: Nullable(Type.String()),
  verified: Type.Boolean(),
  user_id: Nullable(Type.String()),
  attributes: Type.Record(Type.String(), Type.Unknown()),
  first_seen_at: Type.String(),
  last_seen_at: Type.String(),
  read_at: Nullable(Type.String()),
  /** The language the widget speaks to the visitor (their browser's until it says): mail to them uses it. */
  language: Nullable(Type.String()),
  context: Type.Object({
    page_url: Type.Optional(Type.String()),
    page_title: Type.Optional(Type.String()),
    language: Type.Optional(Type.String()),
    time_zone: Type.Optional(Type.String()),
    browser: Type.Optional(Type.String()),
    os: Type.Optional(Type.String()),
    updated_at: Type.Optional(Type.String()),
  }),
});
