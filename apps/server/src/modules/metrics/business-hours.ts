import { Weekdays } from "../../../../../packages/contracts/src/index.ts";
import type { WorkspaceSettings } from "../workspaces/settings.ts";
import {
  addDays,
  daysBetween,
  instantAt,
  type LocalDate,
  formatDate,
  wallClockAt,
  weekdayOf,
} from "./zoned-time.ts";

/** A workspace's opening hours as instants: what business-hours durations are measured against. */
export interface Schedule {
  timeZone: string;
  /** False when no weekday has opening hours: business-hours figures then mean nothing. */
  hasHours: boolean;
  /** Open intervals of one local date, as [start, end) instants; cached, since rebuilds ask often. */
  openIntervals(date: LocalDate): [number, number][];
}

const MAX_CACHED_DAYS = 5000;

function minutesOf(clock: string): number {
  const [h, m] = clock.split(":").map(Number);
  return h * 60 + m;
}

/**
 * Builds the schedule of a workspace from its settings: weekly opening ranges in its time zone, with
 * holidays (local dates) closed all day. Ranges are read in local time on each date, so "09:00–17:00"
 * is eight hours on an ordinary day and still eight hours on the day the clocks change.
 */
export function scheduleOf(
  settings: Pick<WorkspaceSettings, "time_zone" | "business_hours" | "holidays">,
): Schedule {
  const weekly = Weekdays.map((day) =>
    (settings.business_hours[day] ?? []).map((r) => [minutesOf(r.open), minutesOf(r.close)] as const),
  );
  const holidays = new Set(settings.holidays);
  const cache = new Map<string, [number, number][]>();
  const timeZone = settings.time_zone;
  return {
    timeZone,
    hasHours: weekly.some((ranges) => ranges.length > 0),
    openIntervals(date) {
      const key = formatDate(date);
      let intervals = cache.get(key);
      if (intervals) return intervals;
      intervals = holidays.has(key)
        ? []
        : weekly[weekdayOf(date)].map(
            ([open, close]) =>
              [instantAt(date, open, timeZone), instantAt(date, close, timeZone)] as [number, number],
          );
      if (cache.size >= MAX_CACHED_DAYS) cache.clear();
      cache.set(key, intervals);
      return intervals;
    },
  };
}

/** Milliseconds of [start, end) that fall in opening hours; 0 when end is not after start. */
export function businessMs(start: number, end: number, schedule: Schedule): number {
  if (!(end > start) || !schedule.hasHours) return 0;
  const first = toDate(start, schedule.timeZone);
  const last = toDate(end, schedule.timeZone);
  const days = daysBetween(first, last);
  let total = 0;
  for (let i = 0; i <= days; i++) {
    for (const [open, close] of schedule.openIntervals(addDays(first, i))) {
      const from = Math.max(open, start);
      const to = Math.min(close, end);
      if (to > from) total += to - from;
    }
  }
  return total;
}

function toDate(ms: number, timeZone: string): LocalDate {
  const c = wallClockAt(ms, timeZone);
  return { year: c.year, month: c.month, day: c.day };
}
