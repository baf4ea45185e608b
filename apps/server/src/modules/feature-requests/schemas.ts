import { Type } from "typebox";
import {
  Email,
  NullableTimestamp,
  PageQuery,
  StrictObject,
  Timestamp,
  Uuid,
} from "../../../../../packages/contracts/src/index.ts";

/* Request and response schemas of the feature requests API, declared once for validation and OpenAPI. */

export const FeatureRequestStatus = Type.Union([
  Type.Literal("under_review"),
  Type.Literal("planned"),
  Type.Literal("in_progress"),
  Type.Literal("shipped"),
  Type.Literal("declined"),
]);

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

/** A request with who stands behind it: distinct contacts and companies, and the MRR of those companies today. */
export const FeatureRequest = Type.Object({
  id: Uuid,
  title: Type.String(),
  description: Type.String(),
  status: FeatureRequestStatus,
  ask_count: Type.Integer(),
  contact_count: Type.Integer(),
  company_count: Type.Integer(),
  total_mrr_cents: Type.Integer(),
  first_asked_at: NullableTimestamp,
  last_asked_at: NullableTimestamp,
  shipped_at: NullableTimestamp,
  /** Milliseconds from the first ask to the moment it shipped (null until shipped, or with no asks). */
  first_ask_to_ship_ms: Type.Union([Type.Integer(), Type.Null()]),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const FeatureRequestAsk = Type.Object({
  id: Uuid,
  asked_at: Timestamp,
  note: Type.Union([Type.String(), Type.Null()]),
  conversation_id: Type.Union([Uuid, Type.Null()]),
  linked_by: Type.Union([Type.Object({ id: Uuid, name: Type.String() }), Type.Null()]),
  contact: Type.Object({
    id: Uuid,
    name: Type.Union([Type.String(), Type.Null()]),
    email: Type.Union([Type.String(), Type.Null()]),
  }),
  company: Type.Union([
    Type.Object({ id: Uuid, name: Type.String(), mrr_cents: Type.Integer() }),
    Type.Null(),
  ]),
});

export const FeatureRequestDetail = Type.Object({
  ...FeatureRequest.properties,
  asks: Type.Array(FeatureRequestAsk),
  companies: Type.Array(
    Type.Object({ id: Uuid, name: Type.String(), mrr_cents: Type.Integer(), first_asked_at: Timestamp }),
  ),
});

export const FeatureRequestListQuery = StrictObject({
  ...PageQuery,
  /** mrr: total MRR behind it; count: how many contacts asked; recent: latest ask first. */
  sort: Type.Optional(
    Type.Union([Type.Literal("mrr"), Type.Literal("count"), Type.Literal("recent")], { default: "mrr" }),
  ),
  status: Type.Optional(FeatureRequestStatus),
  /** Words found anywhere in the title, ignoring case. */
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});

const Title = Type.String({ minLength: 1, maxLength: 200 });
const Description = Type.String({ maxLength: 10_000 });

export const CreateFeatureRequestBody = StrictObject({
  title: Title,
  description: Type.Optional(Description),
  status: Type.Optional(FeatureRequestStatus),
});

export const UpdateFeatureRequestBody = StrictObject({
  title: Type.Optional(Title),
  description: Type.Optional(Description),
  status: Type.Optional(FeatureRequestStatus),
});

/** Link a conversation (its contact asked) or a contact directly; asked_at defaults to when the conversation began. */
export const LinkAskBody = StrictObject({
  conversation_id: Type.Optional(Uuid),
  contact_id: Type.Optional(Uuid),
  asked_at: Type.Optional(Timestamp),
  note: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
});

export const AskParams = StrictObject({ id: Uuid, askId: Uuid });
export const NoticeParams = StrictObject({ id: Uuid, noticeId: Uuid });

export const ConversationFeatureRequests = Type.Object({
  data: Type.Array(
    Type.Object({
      ask_id: Uuid,
      asked_at: Timestamp,
      request: Type.Object({ id: Uuid, title: Type.String(), status: FeatureRequestStatus }),
    }),
  ),
});

/** The personal email drafted for one contact when the request shipped. */
export const ShipNotice = Type.Object({
  id: Uuid,
  contact: Type.Object({
    id: Uuid,
    name: Type.Union([Type.String(), Type.Null()]),
    email: Type.Union([Email, Type.String(), Type.Null()]),
  }),
  sender: Type.Union([Type.Object({ id: Uuid, name: Type.String() }), Type.Null()]),
  conversation_id: Type.Union([Uuid, Type.Null()]),
  subject: Type.String(),
  body: Type.String(),
  state: Type.Union([Type.Literal("draft"), Type.Literal("sent"), Type.Literal("skipped")]),
  skip_reason: Type.Union([Type.String(), Type.Null()]),
  sent_conversation_id: Type.Union([Uuid, Type.Null()]),
  sent_at: NullableTimestamp,
});

export const UpdateNoticeBody = StrictObject({
  subject: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  body: Type.Optional(Type.String({ minLength: 1, maxLength: 20_000 })),
  /** true leaves this contact out of the announcement; false puts a skipped draft back. */
  skip: Type.Optional(Type.Boolean()),
});

export const SendNoticesBody = StrictObject({
  /** The email inbox to send from; by default the inbox of the conversation the ask came from, else the first email inbox. */
  inbox_id: Type.Optional(Uuid),
  /** Only these drafts; all drafts when left out. */
  notice_ids: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 1000 })),
});

export const SendNoticesResult = Type.Object({
  sent: Type.Integer(),
  skipped: Type.Array(Type.Object({ notice_id: Uuid, reason: Type.String() })),
  notices: Type.Array(ShipNotice),
});
