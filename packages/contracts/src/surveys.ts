import { Type } from "typebox";
import { NullableTimestamp, StrictObject, Uuid } from "./common.ts";

/** The four-point CSAT scale; the top two count as satisfied. */
export const SurveyRating = Type.Union([
  Type.Literal("great"),
  Type.Literal("good"),
  Type.Literal("okay"),
  Type.Literal("bad"),
]);

/**
 * When an inbox asks for a rating: a survey goes out `delay_minutes` after a conversation is
 * resolved, if a human answered it, if it was not spam or an auto-reply, and if the contact got no
 * survey in the last `min_days_between` days. `question` replaces the default (translated) wording.
 */
export const SurveySettings = Type.Object({
  inbox_id: Uuid,
  enabled: Type.Boolean(),
  delay_minutes: Type.Integer(),
  question: Type.Union([Type.String(), Type.Null()]),
  min_days_between: Type.Integer(),
  updated_at: NullableTimestamp,
});

export const UpdateSurveySettingsBody = StrictObject({
  enabled: Type.Boolean(),
  /** Minutes after the resolve (0 to 7 days); left out keeps the current value. */
  delay_minutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 10080 })),
  /** null goes back to the default wording. */
  question: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 300 }), Type.Null()])),
  /** At most one survey per contact in this many days (0: no limit). */
  min_days_between: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
});

/** What the public survey page posts: its one-time page nonce, and for a comment the text. */
export const SurveyAnswerForm = Type.Object({ nonce: Type.String({ minLength: 1, maxLength: 100 }) });
export const SurveyCommentForm = Type.Object({
  nonce: Type.String({ minLength: 1, maxLength: 100 }),
  comment: Type.String({ maxLength: 2000 }),
});
