/*
 * Wall-clock arithmetic in IANA time zones with nothing but Intl. Two facts make it correct across
 * daylight-saving changes: an instant's wall clock comes from Intl (which knows every zone's rules),
 * and a wall-clock time becomes an instant by asking for the zone's offset twice (see instantAt).
 */

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      // h23, not hour12: false, which some ICU versions answer with "24" at midnight.
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall clock in `timeZone` at the instant `ms` (milliseconds since the epoch). */
export function wallClockAt(ms: number, timeZone: string): WallClock {
  const d = new Date(ms + offsetAt(ms, timeZone));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

function exactWallClock(ms: number, timeZone: string): WallClock {
  const clock: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatterFor(timeZone).formatToParts(new Date(ms))) {
    if (part.type in clock) clock[part.type as keyof WallClock] = Number(part.value);
  }
  return clock;
}

function exactOffset(ms: number, timeZone: string): number {
  const c = exactWallClock(ms, timeZone);
  const wall = Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second);
  return wall - (ms - mod(ms, 1000));
}

/*
 * Asking Intl costs microseconds, and a rebuild asks millions of times. A zone's offset changes a
 * few times a year, at most once in any quarter hour, so offsets are cached per quarter hour: when a
 * quarter hour begins and ends on the same offset, every instant in it has that offset.
 */
const QUARTER_HOUR = 15 * 60_000;
const offsetCaches = new Map<string, Map<number, number>>();

/** How far the zone's wall clock is ahead of UTC at the instant `ms`, in milliseconds. */
export function offsetAt(ms: number, timeZone: string): number {
  let cache = offsetCaches.get(timeZone);
  if (!cache) {
    cache = new Map();
    offsetCaches.set(timeZone, cache);
  }
  const slot = Math.floor(ms / QUARTER_HOUR);
  let offset = cache.get(slot);
  if (offset === undefined) {
    const start = exactOffset(slot * QUARTER_HOUR, timeZone);
    offset = start === exactOffset((slot + 1) * QUARTER_HOUR - 1000, timeZone) ? start : Number.NaN;
    if (cache.size > 200_000) cache.clear();
    cache.set(slot, offset);
  }
  return Number.isNaN(offset) ? exactOffset(ms, timeZone) : offset;
}

/**
 * The instant at which the zone's clock reads the given local date and minute of the day (1440 is
 * the next midnight). The first offset is a guess taken at the wrong instant; the second, taken at
 * the guessed instant, is right unless a transition lies in between, in which case a second pass
 * settles it. A time that does not exist (skipped by a spring-forward change) lands after the gap,
 * as a clock moved forward would read it.
 */
export function instantAt(date: LocalDate, minuteOfDay: number, timeZone: string): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day, 0, minuteOfDay);
  const first = wall - offsetAt(wall, timeZone);
  const offset = offsetAt(first, timeZone);
  return wall - offset === first ? first : wall - offset;
}

export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** "YYYY-MM-DD" of an instant in the zone. */
export function localDateOf(ms: number, timeZone: string): string {
  const c = wallClockAt(ms, timeZone);
  return formatDate(c);
}

export function formatDate(date: LocalDate): string {
  return `${String(date.year).padStart(4, "0")}-${String(date.month).padStart(2, "0")}-${String(date.day).padStart(2, "0")}`;
}

export function parseDate(text: string): LocalDate {
  const [year, month, day] = text.split("-").map(Number);
  return { year, month, day };
}

/** The calendar date `days` after `date` (negative goes back); calendar arithmetic, zone-free. */
export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** 0 = Monday … 6 = Sunday, the order of the workspace's business-hours week. */
export function weekdayOf(date: LocalDate): number {
  return (new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay() + 6) % 7;
}

/** Whole days from `a` to `b` (positive when b is later). */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return Math.round(
    (Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000,
  );
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
