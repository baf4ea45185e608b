import { Type } from "typebox";
import {
  NullableTimestamp,
  StrictObject,
  Timestamp,
  Uuid,
} from "../../../../../packages/contracts/src/common.ts";
import { LANGUAGE_PATTERN } from "./i18n.ts";

/*
 * Request and response schemas of the help center API, declared once: they validate requests and
 * write the OpenAPI document.
 */

export const Language = Type.String({
  pattern: LANGUAGE_PATTERN,
  description: "A BCP 47 tag such as en, bn, pt-BR",
});
export const Slug = Type.String({
  pattern: "^[\\p{Ll}\\p{Lo}\\p{Lm}\\p{M}\\p{Nd}]+(-[\\p{Ll}\\p{Lo}\\p{Lm}\\p{M}\\p{Nd}]+)*$",
  maxLength: 120,
  description: "Lowercase words joined by hyphens, in any script; made from the title when left out",
});
const Title = Type.String({ minLength: 1, maxLength: 200 });
const Markdown = Type.String({ maxLength: 200_000 });
const Status = Type.Union([Type.Literal("draft"), Type.Literal("published")]);
const HexColor = Type.String({ pattern: "^#[0-9a-fA-F]{6}$" });
const HttpUrl = Type.String({ pattern: "^https?://[^\\s]+$", maxLength: 2000 });
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

export const HelpArticle = Type.Object({
  id: Uuid,
  translation_group_id: Uuid,
  language: Type.String(),
  collection_id: Type.Union([Uuid, Type.Null()]),
  slug: Type.String(),
  title: Type.String(),
  body_markdown: Type.String(),
  body_html: Type.String(),
  status: Status,
  version: Type.Integer(),
  position: Type.Integer(),
  published_at: NullableTimestamp,
  created_at: Timestamp,
  updated_at: Timestamp,
  public_url: Type.String(),
  translations: Type.Array(Type.Object({ id: Uuid, language: Type.String(), status: Status })),
});

export const HelpArticleSummary = Type.Object({
  id: Uuid,
  translation_group_id: Uuid,
  language: Type.String(),
  collection_id: Type.Union([Uuid, Type.Null()]),
  slug: Type.String(),
  title: Type.String(),
  status: Status,
  version: Type.Integer(),
  published_at: NullableTimestamp,
  updated_at: Timestamp,
});

export const CreateArticleBody = StrictObject({
  title: Title,
  body_markdown: Markdown,
  language: Type.Optional(Language),
  slug: Type.Optional(Slug),
  collection_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
  status: Type.Optional(Status),
  position: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  translation_of: Type.Optional(
    Type.String({ format: "uuid", description: "An article this one translates" }),
  ),
});

export const UpdateArticleBody = StrictObject({
  version: Type.Integer({
    minimum: 1,
    description: "The version this edit starts from; a newer one refuses the save",
  }),
  title: Type.Optional(Title),
  body_markdown: Type.Optional(Markdown),
  slug: Type.Optional(Slug),
  collection_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
  status: Type.Optional(Status),
  position: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
});

export const ArticleListQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  language: Type.Optional(Language),
  collection_id: Type.Optional(Uuid),
  status: Type.Optional(Status),
});

export const HelpRevision = Type.Object({
  id: Uuid,
  version: Type.Integer(),
  title: Type.String(),
  slug: Type.String(),
  body_markdown: Type.String(),
  status: Status,
  collection_id: Type.Union([Uuid, Type.Null()]),
  created_by: Type.Union([Uuid, Type.Null()]),
  created_at: Timestamp,
});

export const RestoreBody = StrictObject({
  version: Type.Integer({ minimum: 1, description: "The article's current version (as for an edit)" }),
});

export const RevisionParams = StrictObject({ id: Uuid, revisionId: Uuid });

export const PreviewBody = StrictObject({ body_markdown: Markdown });

const CollectionTranslation = StrictObject({
  name: Type.String({ minLength: 1, maxLength: 120 }),
  description: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
});

export const HelpCollection = Type.Object({
  id: Uuid,
  parent_id: Type.Union([Uuid, Type.Null()]),
  slug: Type.String(),
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  translations: Type.Record(
    Type.String(),
    Type.Object({
      name: Type.String(),
      description: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    }),
  ),
  position: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const CreateCollectionBody = StrictObject({
  name: Type.String({ minLength: 1, maxLength: 120 }),
  description: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  slug: Type.Optional(Slug),
  parent_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
  position: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  translations: Type.Optional(Type.Record(Type.String({ pattern: LANGUAGE_PATTERN }), CollectionTranslation)),
});

export const UpdateCollectionBody = StrictObject({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
  description: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  slug: Type.Optional(Slug),
  parent_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
  position: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  translations: Type.Optional(Type.Record(Type.String({ pattern: LANGUAGE_PATTERN }), CollectionTranslation)),
});

export const HelpCenterSettings = Type.Object({
  enabled: Type.Boolean(),
  title: Type.Union([Type.String(), Type.Null()]),
  custom_domain: Type.Union([Type.String(), Type.Null()]),
  logo_url: Type.Union([Type.String(), Type.Null()]),
  color: Type.String(),
  default_language: Type.String(),
  contact_email: Type.Union([Type.String(), Type.Null()]),
  chat_url: Type.Union([Type.String(), Type.Null()]),
  callback_url: Type.Union([Type.String(), Type.Null()]),
  contact_inbox_id: Type.Union([Uuid, Type.Null()]),
  public_url: Type.String(),
});

export const UpdateHelpCenterSettingsBody = StrictObject({
  enabled: Type.Optional(Type.Boolean()),
  title: Type.Optional(Nullable(Type.String({ maxLength: 120 }))),
  custom_domain: Type.Optional(
    Nullable(
      Type.String({
        pattern: "^(?=.{4,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\\.)+[a-zA-Z]{2,63}$",
        description: "A host name such as help.example.com, pointed at this server",
      }),
    ),
  ),
  logo_url: Type.Optional(Nullable(HttpUrl)),
  color: Type.Optional(HexColor),
  default_language: Type.Optional(Language),
  contact_email: Type.Optional(Nullable(Type.String({ format: "email", maxLength: 320 }))),
  chat_url: Type.Optional(Nullable(HttpUrl)),
  callback_url: Type.Optional(Nullable(HttpUrl)),
  contact_inbox_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
});

export const SearchQuery = Type.Object({
  q: Type.String({ minLength: 1, maxLength: 500 }),
  language: Type.Optional(Language),
  include_drafts: Type.Optional(Type.Boolean({ default: false })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10 })),
});

export const SearchResult = Type.Object({
  id: Uuid,
  title: Type.String(),
  slug: Type.String(),
  language: Type.String(),
  collection_id: Type.Union([Uuid, Type.Null()]),
  status: Status,
  rank: Type.Number(),
  snippet: Type.String({ description: "HTML: escaped text with the matches in <mark>" }),
  public_url: Type.String(),
});

export const ReportQuery = Type.Object({
  from: Type.String({ format: "date" }),
  to: Type.String({ format: "date" }),
});

export const HelpReport = Type.Object({
  from: Type.String(),
  to: Type.String(),
  totals: Type.Object({
    views: Type.Integer(),
    helpful: Type.Integer(),
    unhelpful: Type.Integer(),
    searches: Type.Integer(),
    searches_without_results: Type.Integer(),
  }),
  articles: Type.Array(
    Type.Object({
      id: Uuid,
      title: Type.String(),
      language: Type.String(),
      views: Type.Integer(),
      helpful: Type.Integer(),
      unhelpful: Type.Integer(),
    }),
  ),
  searches_without_results: Type.Array(
    Type.Object({ query: Type.String(), language: Type.String(), count: Type.Integer(), last_at: Timestamp }),
  ),
  recent_feedback: Type.Array(
    Type.Object({
      article_id: Uuid,
      title: Type.String(),
      helpful: Type.Boolean(),
      comment: Type.Union([Type.String(), Type.Null()]),
      created_at: Timestamp,
    }),
  ),
});
