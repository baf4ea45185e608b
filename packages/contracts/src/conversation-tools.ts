import { Type } from "typebox";
import { StrictObject, Uuid } from "./common.ts";

/*
 * Schemas of the agent app's queue tools: view counts, bulk changes, merge and split. Kept apart
 * from conversations.ts so that file stays the conversation resource itself.
 */

/** Resolved conversations only grow; past this many a view's resolved count says "more". */
export const RESOLVED_COUNT_CAP = 1000;

export const StatusCounts = Type.Object({
  open: Type.Integer(),
  pending: Type.Integer(),
  snoozed: Type.Integer(),
  /** At most RESOLVED_COUNT_CAP; resolved_more says there are more. */
  resolved: Type.Integer(),
  resolved_more: Type.Boolean(),
});

/** The working queue only (tag views): open, pending, snoozed. */
export const ActiveStatusCounts = Type.Object({
  open: Type.Integer(),
  pending: Type.Integer(),
  snoozed: Type.Integer(),
});

export const ConversationCounts = Type.Object({
  views: Type.Object({ mine: StatusCounts, unassigned: StatusCounts, all: StatusCounts }),
  /** Per inbox id. */
  inboxes: Type.Record(Type.String(), StatusCounts),
  /** Per tag id: the working queue only (resolved history is not counted per tag). */
  tags: Type.Record(Type.String(), ActiveStatusCounts),
});

const BulkIds = Type.Array(Uuid, { minItems: 1, maxItems: 500, uniqueItems: true });

export const BulkUpdateBody = StrictObject({
  conversation_ids: BulkIds,
  /** An agent id, or null to unassign. */
  assignee_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
  status: Type.Optional(
    Type.Union([Type.Literal("open"), Type.Literal("pending"), Type.Literal("resolved")], {
      description: "Snoozing needs a time per conversation, so it is not a bulk change.",
    }),
  ),
  /** Tag names to add (created if new). */
  add_tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 10 })),
});

export const BulkUpdateResult = Type.Object({
  /** Conversations that changed; those already in the asked state are left alone. */
  updated: Type.Array(Uuid),
});

export const MergeConversationBody = StrictObject({
  /** The conversation folded into the one in the URL; it is closed with a pointer to the survivor. */
  source_id: Uuid,
});

export const SplitMessageBody = StrictObject({
  /** A customer message (not the conversation's first): it moves to a new conversation of the same customer. */
  message_id: Uuid,
  subject: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
});

export const MergeContactBody = StrictObject({
  /** The duplicate: its conversations move to the contact in the URL, then it is deleted. */
  source_id: Uuid,
});

export const CustomerCard = Type.Object({
  id: Uuid,
  name: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  company: Type.Union([
    Type.Object({
      id: Uuid,
      name: Type.String(),
      plan: Type.Union([Type.String(), Type.Null()]),
      mrr_cents: Type.Integer(),
    }),
    Type.Null(),
  ]),
});

export const CustomerCardsQuery = StrictObject({
  /** Comma-separated contact ids, at most 100. */
  ids: Type.String({
    pattern: "^[0-9a-fA-F-]{36}(,[0-9a-fA-F-]{36}){0,99}$",
    description: "Comma-separated contact ids, at most 100",
  }),
});
