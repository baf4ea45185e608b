import { Type } from "typebox";
import {
  Email,
  NullableTimestamp,
  StrictObject,
  Timestamp,
  Uuid,
} from "../../../../../packages/contracts/src/index.ts";
import { FIELD_PATTERN } from "./conditions.ts";

/* Request and response schemas of the sequences API. */

export const ConditionSchema = StrictObject({
  field: Type.String({ pattern: FIELD_PATTERN, maxLength: 120 }),
  op: Type.Union([
    Type.Literal("eq"),
    Type.Literal("neq"),
    Type.Literal("exists"),
    Type.Literal("not_exists"),
    Type.Literal("gt"),
    Type.Literal("lt"),
    Type.Literal("contains"),
  ]),
  value: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Number(), Type.Boolean()])),
});

const Conditions = Type.Array(ConditionSchema, { maxItems: 20 });

export const StepInput = StrictObject({
  delay_amount: Type.Integer({ minimum: 0, maximum: 365 }),
  delay_unit: Type.Union([Type.Literal("days"), Type.Literal("business_days")]),
  subject: Type.String({ minLength: 1, maxLength: 300 }),
  /** Markdown with {{variables}}. */
  body: Type.String({ minLength: 1, maxLength: 50_000 }),
  conditions: Type.Optional(Conditions),
});

export const Step = Type.Object({
  position: Type.Integer(),
  delay_amount: Type.Integer(),
  delay_unit: Type.String(),
  subject: Type.String(),
  body: Type.String(),
  conditions: Type.Array(Type.Any()),
});

const SequenceState = Type.Union([Type.Literal("draft"), Type.Literal("active"), Type.Literal("archived")]);
const EventName = Type.String({ minLength: 1, maxLength: 100, pattern: "^[A-Za-z0-9_.:-]+$" });

export const Sequence = Type.Object({
  id: Uuid,
  name: Type.String(),
  /** A broadcast is a one-step sequence sent once to a segment. */
  kind: Type.Union([Type.Literal("sequence"), Type.Literal("broadcast")]),
  inbox_id: Uuid,
  state: SequenceState,
  entry_event: Type.Union([Type.String(), Type.Null()]),
  entry_conditions: Type.Array(Type.Any()),
  quiet_hours: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const SequenceDetail = Type.Object({
  ...Sequence.properties,
  steps: Type.Array(Step),
  enrollments: Type.Record(Type.String(), Type.Integer()),
});

export const CreateSequenceBody = StrictObject({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  /** The email inbox the mail is sent from (and replies come back to). */
  inbox_id: Uuid,
  state: Type.Optional(SequenceState),
  /** Contacts enter when an API event of this name is recorded for them. */
  entry_event: Type.Optional(Type.Union([EventName, Type.Null()])),
  entry_conditions: Type.Optional(Conditions),
  /** Hours of quiet after a human conversation is resolved before the sequence resumes (0–90 days). */
  quiet_hours: Type.Optional(Type.Integer({ minimum: 0, maximum: 2160 })),
  steps: Type.Optional(Type.Array(StepInput, { maxItems: 50 })),
});

export const UpdateSequenceBody = StrictObject({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  state: Type.Optional(SequenceState),
  entry_event: Type.Optional(Type.Union([EventName, Type.Null()])),
  entry_conditions: Type.Optional(Conditions),
  quiet_hours: Type.Optional(Type.Integer({ minimum: 0, maximum: 2160 })),
});

export const ReplaceStepsBody = StrictObject({ steps: Type.Array(StepInput, { maxItems: 50 }) });

export const PreviewQuery = StrictObject({ contact_id: Type.Optional(Uuid) });

export const Preview = Type.Object({
  steps: Type.Array(
    Type.Object({
      position: Type.Integer(),
      subject: Type.String(),
      text: Type.String(),
      html: Type.String(),
      /** Variables this contact lacks: the fallback (or nothing) is sent in their place. */
      warnings: Type.Array(Type.String()),
      conditions_met: Type.Boolean(),
    }),
  ),
});

export const EnrollBody = StrictObject({
  contact_ids: Type.Array(Uuid, { minItems: 1, maxItems: 1000 }),
});

/** A segment: every contact of the workspace (optionally of one company) matching the conditions. */
export const EnrollSegmentBody = StrictObject({
  company_id: Type.Optional(Uuid),
  conditions: Conditions,
});

export const EnrollResult = Type.Object({
  enrolled: Type.Integer(),
  skipped: Type.Array(Type.Object({ contact_id: Uuid, reason: Type.String() })),
});

export const RecordEventBody = StrictObject({
  name: EventName,
  contact_id: Type.Optional(Uuid),
  email: Type.Optional(Email),
});

export const Enrollment = Type.Object({
  id: Uuid,
  sequence: Type.Object({ id: Uuid, name: Type.String() }),
  contact_id: Uuid,
  state: Type.String(),
  next_position: Type.Integer(),
  due_at: NullableTimestamp,
  pause_cause: Type.Union([Type.String(), Type.Null()]),
  pause_reason: Type.Union([Type.String(), Type.Null()]),
  paused_conversation_id: Type.Union([Uuid, Type.Null()]),
  paused_at: NullableTimestamp,
  resume_at: NullableTimestamp,
  entered_via: Type.String(),
  entered_at: Timestamp,
  last_sent_at: NullableTimestamp,
  history: Type.Array(
    Type.Object({
      position: Type.Integer(),
      state: Type.String(),
      detail: Type.Union([Type.String(), Type.Null()]),
      at: Timestamp,
    }),
  ),
});

export const ContactSequences = Type.Object({
  suppressed: Type.Union([Type.Literal("unsubscribed"), Type.Literal("bounced"), Type.Null()]),
  data: Type.Array(Enrollment),
});

export const UpdateEnrollmentBody = StrictObject({
  /** paused: hold until resumed by hand; active: resume now; stopped: leave the sequence for good. */
  state: Type.Union([Type.Literal("paused"), Type.Literal("active"), Type.Literal("stopped")]),
  reason: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
});

export const BroadcastBody = StrictObject({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  inbox_id: Uuid,
  subject: Type.String({ minLength: 1, maxLength: 300 }),
  /** Markdown with {{variables}}, as in sequence steps. */
  body: Type.String({ minLength: 1, maxLength: 50_000 }),
  segment: EnrollSegmentBody,
});

export const BroadcastPreview = Type.Object({
  recipients: Type.Integer(),
  sample: Type.Array(
    Type.Object({
      contact_id: Uuid,
      name: Type.Union([Type.String(), Type.Null()]),
      email: Type.String(),
      subject: Type.String(),
      warnings: Type.Array(Type.String()),
    }),
  ),
  skipped: Type.Array(Type.Object({ contact_id: Uuid, reason: Type.String() })),
});

export const BroadcastResult = Type.Object({
  sequence_id: Uuid,
  enrolled: Type.Integer(),
  skipped: Type.Array(Type.Object({ contact_id: Uuid, reason: Type.String() })),
});
