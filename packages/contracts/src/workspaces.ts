import { Type } from "typebox";
import { Email, NullableTimestamp, Role, StrictObject, Timestamp, Uuid } from "./common.ts";

/** "HH:MM" on a 24-hour clock; "24:00" closes a range at midnight. */
export const ClockTime = Type.String({ pattern: "^(?:(?:[01]\\d|2[0-3]):[0-5]\\d|24:00)$" });
export const OpeningRange = StrictObject({ open: ClockTime, close: ClockTime });
const DayHours = Type.Array(OpeningRange, { maxItems: 6 });

export const Weekdays = [
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
  "sunday",
] as const;

export const BusinessHours = Type.Object({
  monday: DayHours,
  tuesday: DayHours,
  wednesday: DayHours,
  thursday: DayHours,
  friday: DayHours,
  saturday: DayHours,
  sunday: DayHours,
});

export const WorkspaceSettings = Type.Object({
  /** An IANA time zone name, such as "Europe/Paris"; business hours and holidays are read in it. */
  time_zone: Type.String(),
  business_hours: BusinessHours,
  holidays: Type.Array(Type.String({ format: "date" })),
  target_response_minutes: Type.Integer(),
  /** Inbound mail larger than this is refused with 552 (the server's SMTP_MAX_MESSAGE_BYTES caps it). */
  email_max_message_bytes: Type.Integer(),
});

export const Workspace = Type.Object({
  id: Uuid,
  name: Type.String(),
  slug: Type.String(),
  settings: WorkspaceSettings,
  created_at: Timestamp,
});

export const UpdateWorkspaceBody = StrictObject({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  settings: Type.Optional(
    StrictObject({
      time_zone: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
      business_hours: Type.Optional(
        StrictObject(
          {
            monday: Type.Optional(DayHours),
            tuesday: Type.Optional(DayHours),
            wednesday: Type.Optional(DayHours),
            thursday: Type.Optional(DayHours),
            friday: Type.Optional(DayHours),
            saturday: Type.Optional(DayHours),
            sunday: Type.Optional(DayHours),
          },
          { description: "Days left out keep their hours; an empty list closes the day." },
        ),
      ),
      holidays: Type.Optional(Type.Array(Type.String({ format: "date" }), { maxItems: 366 })),
      target_response_minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 10080 })),
      email_max_message_bytes: Type.Optional(
        Type.Integer({ minimum: 64 * 1024, maximum: 1024 * 1024 * 1024 }),
      ),
    }),
  ),
});

/** A member of the workspace as the team sees them. */
export const TeamMember = Type.Object({
  id: Uuid,
  email: Type.String(),
  name: Type.String(),
  time_zone: Type.String(),
  role: Role,
  joined_at: Timestamp,
  /** Where the member's avatar image is, or null when they show initials. */
  avatar_url: Type.Union([Type.String(), Type.Null()]),
});

export const UpdateTeamMemberBody = StrictObject({ role: Role });

export const Profile = Type.Object({
  id: Uuid,
  email: Type.String(),
  name: Type.String(),
  time_zone: Type.String(),
  created_at: Timestamp,
  avatar_url: Type.Union([Type.String(), Type.Null()]),
});

export const UpdateProfileBody = StrictObject({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  time_zone: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  /** A new password; needs current_password, and ends the agent's other sessions. */
  password: Type.Optional(Type.String({ minLength: 10, maxLength: 1024 })),
  current_password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
});

export const Invitation = Type.Object({
  id: Uuid,
  email: Type.String(),
  role: Role,
  invited_by: Type.Union([Uuid, Type.Null()]),
  expires_at: Timestamp,
  accepted_at: NullableTimestamp,
  revoked_at: NullableTimestamp,
  created_at: Timestamp,
});

export const CreateInvitationBody = StrictObject({ email: Email, role: Role });

/**
 * A new agent sends a name and a password to create their account; someone who already has an
 * account sends that account's password.
 */
export const AcceptInvitationBody = StrictObject({
  token: Type.String({ minLength: 10, maxLength: 200 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});
