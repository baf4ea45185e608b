import type { Static } from "typebox";
import {
  type OpeningRange,
  type UpdateWorkspaceBody,
  Weekdays,
  type WorkspaceSettings as WorkspaceSettingsSchema,
} from "../../../../../packages/contracts/src/index.ts";
import { invalid } from "../../lib/errors.ts";
import { canonicalTimeZone } from "./time-zones.ts";

export type WorkspaceSettings = Static<typeof WorkspaceSettingsSchema>;
export type SettingsPatch = NonNullable<Static<typeof UpdateWorkspaceBody>["settings"]>;
type Range = Static<typeof OpeningRange>;
type Weekday = (typeof Weekdays)[number];

/** Mail up to 25 MB, as the big mailbox providers accept. */
const DEFAULT_EMAIL_MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

const weekdayHours = (): Range[] => [{ open: "09:00", close: "17:00" }];

/** What a new workspace starts with: weekdays nine to five in UTC, answered within an hour. */
export function defaultSettings(): WorkspaceSettings {
  return {
    time_zone: "UTC",
    business_hours: {
      monday: weekdayHours(),
      tuesday: weekdayHours(),
      wednesday: weekdayHours(),
      thursday: weekdayHours(),
      friday: weekdayHours(),
      saturday: [],
      sunday: [],
    },
    holidays: [],
    target_response_minutes: 60,
    email_max_message_bytes: DEFAULT_EMAIL_MAX_MESSAGE_BYTES,
  };
}

/**
 * Reads the stored settings, filling what is missing with the defaults. Stored settings were
 * validated when written; this only guards against rows written before a key existed.
 */
export function readSettings(stored: unknown): WorkspaceSettings {
  const settings = defaultSettings();
  if (!stored || typeof stored !== "object") return settings;
  const raw = stored as Partial<WorkspaceSettings>;
  if (typeof raw.time_zone === "string") settings.time_zone = raw.time_zone;
  if (raw.business_hours && typeof raw.business_hours === "object") {
    for (const day of Weekdays) {
      const hours = raw.business_hours[day];
      if (Array.isArray(hours)) settings.business_hours[day] = hours;
    }
  }
  if (Array.isArray(raw.holidays)) settings.holidays = raw.holidays;
  if (typeof raw.target_response_minutes === "number")
    settings.target_response_minutes = raw.target_response_minutes;
  if (typeof raw.email_max_message_bytes === "number")
    settings.email_max_message_bytes = raw.email_max_message_bytes;
  return settings;
}

/** Applies a validated patch: keys left out stay as they are, and so do days left out of business_hours. */
export function applySettingsPatch(current: WorkspaceSettings, patch: SettingsPatch): WorkspaceSettings {
  const next: WorkspaceSettings = {
    ...current,
    business_hours: { ...current.business_hours },
  };
  if (patch.time_zone !== undefined) {
    const zone = canonicalTimeZone(patch.time_zone);
    if (!zone) throw invalid("settings.time_zone", `"${patch.time_zone}" is not an IANA time zone name`);
    next.time_zone = zone;
  }
  if (patch.business_hours) {
    for (const day of Weekdays) {
      const ranges = patch.business_hours[day];
      if (ranges !== undefined) next.business_hours[day] = checkDay(day, ranges);
    }
  }
  if (patch.holidays !== undefined) next.holidays = [...new Set(patch.holidays)].sort();
  if (patch.target_response_minutes !== undefined)
    next.target_response_minutes = patch.target_response_minutes;
  if (patch.email_max_message_bytes !== undefined)
    next.email_max_message_bytes = patch.email_max_message_bytes;
  return next;
}

/** A day's ranges must each open before they close and must not overlap; they are kept in order. */
function checkDay(day: Weekday, ranges: Range[]): Range[] {
  const field = `settings.business_hours.${day}`;
  const sorted = ranges
    .map((r) => ({ open: r.open, close: r.close }))
    .sort((a, b) => (a.open < b.open ? -1 : 1));
  let previousClose = "";
  for (const range of sorted) {
    if (range.open === "24:00") throw invalid(field, "A range cannot open at 24:00");
    if (range.open >= range.close)
      throw invalid(field, `${range.open}–${range.close}: a range must open before it closes`);
    if (previousClose && range.open < previousClose)
      throw invalid(field, `${range.open}–${range.close} overlaps the range before it`);
    previousClose = range.close;
  }
  return sorted;
}
