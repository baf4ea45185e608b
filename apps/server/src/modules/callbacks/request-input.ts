import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js";
import { invalid } from "../../lib/errors.ts";
import { instantAt, parseDate } from "../metrics/zoned-time.ts";
import { canonicalTimeZone } from "../workspaces/time-zones.ts";

/*
 * What a customer types into a callback form, checked and normalized: the phone number to E.164 (by
 * libphonenumber-js, with the country from the form or the browser's locale for national numbers),
 * and the preferred window, given in the customer's own time zone, to instants.
 */

export interface CallbackWindowInput {
  phone: string;
  country?: string;
  locale?: string;
  time_zone: string;
  window_start: string;
  window_end: string;
}

const MAX_DAYS_AHEAD = 30;

/** "+44 20 7946 0958", or "020 7946 0958" with country GB (or locale en-GB) → "+442079460958". */
export function normalizePhone(phone: string, country?: string, locale?: string): string {
  const region = (country ?? /[-_]([A-Za-z]{2})$/.exec(locale ?? "")?.[1])?.toUpperCase() as
    | CountryCode
    | undefined;
  const parsed = parsePhoneNumberFromString(phone.trim(), region);
  if (!parsed?.isValid()) {
    throw invalid(
      "phone",
      region
        ? "This is not a valid phone number; include the area code (or the country code, such as +44)"
        : "This is not a valid phone number; start it with the country code, such as +44",
    );
  }
  return parsed.number;
}

/** "2026-12-01T09:30" read in the zone (or an ISO instant with its offset) → a Date. */
function instantOf(value: string, timeZone: string, field: string): Date {
  const local = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (local) {
    const [hours, minutes] = [Number(local[2]), Number(local[3])];
    const date = parseDate(local[1]);
    const check = new Date(Date.UTC(date.year, date.month - 1, date.day));
    if (
      hours > 23 ||
      minutes > 59 ||
      check.getUTCDate() !== date.day ||
      check.getUTCMonth() !== date.month - 1
    ) {
      throw invalid(field, "Give a time such as 2026-12-01T09:30");
    }
    return new Date(instantAt(date, hours * 60 + minutes, timeZone));
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw invalid(field, "Give a time such as 2026-12-01T09:30 (in your time zone)");
}

export function callbackWindow(input: CallbackWindowInput, now: Date) {
  const timeZone = canonicalTimeZone(input.time_zone);
  if (!timeZone) throw invalid("time_zone", `"${input.time_zone}" is not a time zone such as Europe/London`);
  const start = instantOf(input.window_start, timeZone, "window_start");
  const end = instantOf(input.window_end, timeZone, "window_end");
  if (end.getTime() <= start.getTime()) throw invalid("window_end", "The window must end after it starts");
  if (end.getTime() <= now.getTime()) throw invalid("window_end", "The window has already passed");
  if (start.getTime() > now.getTime() + MAX_DAYS_AHEAD * 86_400_000) {
    throw invalid("window_start", `Choose a time within the next ${MAX_DAYS_AHEAD} days`);
  }
  return { timeZone, start, end };
}
