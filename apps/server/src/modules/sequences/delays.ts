import type { Schedule } from "../metrics/business-hours.ts";
import { addDays, type LocalDate, wallClockAt } from "../metrics/zoned-time.ts";

/*
 * When the next step of a sequence is due. "N days" is N × 24 hours after the previous step.
 * "N business days" is the opening of the N-th business day (a day with opening hours in the
 * workspace's schedule, holidays excluded) after the previous step's day, so the mail arrives as
 * the customer's working day begins; 0 business days is now if the workspace is open, else the
 * next opening. A workspace with no opening hours at all counts calendar days.
 */

const DAY_MS = 86_400_000;
/** Looking further than this for a business day means the schedule has none. */
const MAX_SCAN_DAYS = 400;

export interface Delay {
  amount: number;
  unit: "days" | "business_days";
}

function dateOf(ms: number, timeZone: string): LocalDate {
  const c = wallClockAt(ms, timeZone);
  return { year: c.year, month: c.month, day: c.day };
}

export function dueAfter(from: Date, delay: Delay, schedule: Schedule): Date {
  if (delay.unit === "days" || !schedule.hasHours) return new Date(from.getTime() + delay.amount * DAY_MS);
  const start = from.getTime();
  const today = dateOf(start, schedule.timeZone);
  if (delay.amount === 0) {
    for (let i = 0; i < MAX_SCAN_DAYS; i++) {
      for (const [open, close] of schedule.openIntervals(addDays(today, i))) {
        if (close > start) return new Date(Math.max(open, start));
      }
    }
    return from;
  }
  let counted = 0;
  for (let i = 1; i < MAX_SCAN_DAYS; i++) {
    const intervals = schedule.openIntervals(addDays(today, i));
    if (intervals.length === 0) continue;
    counted += 1;
    if (counted === delay.amount) return new Date(intervals[0][0]);
  }
  return new Date(start + delay.amount * DAY_MS);
}
