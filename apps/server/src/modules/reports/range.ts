import { invalid } from "../../lib/errors.ts";
import { addDays, daysBetween, formatDate, parseDate, weekdayOf } from "../metrics/zoned-time.ts";

/** The longest range a report covers: a year and a bit, enough to compare a month with last year's. */
export const MAX_RANGE_DAYS = 400;
const DEFAULT_DAYS = 30;

export interface DateRange {
  from: string;
  to: string;
}

/**
 * The report's range in local dates: `to` defaults to today in the workspace's time zone and `from`
 * to 29 days before it. A reversed range is an error on `from`, an over-long one on `to`.
 */
export function resolveRange(query: { from?: string; to?: string }, today: string): DateRange {
  const to = query.to ?? today;
  const from = query.from ?? formatDate(addDays(parseDate(to), -(DEFAULT_DAYS - 1)));
  for (const [field, value] of [
    ["from", from],
    ["to", to],
  ] as const) {
    const d = parseDate(value);
    if (formatDate(addDays(d, 0)) !== value)
      throw invalid(field, `${field} is not a calendar date (YYYY-MM-DD)`);
  }
  const days = daysBetween(parseDate(from), parseDate(to));
  if (days < 0) throw invalid("from", `from (${from}) is after to (${to}); swap them`);
  if (days + 1 > MAX_RANGE_DAYS) {
    throw invalid("to", `The range covers ${days + 1} days; a report covers at most ${MAX_RANGE_DAYS}`);
  }
  return { from, to };
}

export type Period = "day" | "week" | "month";

/** The period a local date falls in, named by its first day (weeks start on Monday). */
export function periodOf(date: string, period: Period): string {
  if (period === "day") return date;
  if (period === "month") return `${date.slice(0, 7)}-01`;
  const d = parseDate(date);
  return formatDate(addDays(d, -weekdayOf(d)));
}

/** Every period touching the range, in order, so that charts show empty days as zero. */
export function periodsOf(range: DateRange, period: Period): string[] {
  const keys: string[] = [];
  const start = parseDate(range.from);
  const days = daysBetween(start, parseDate(range.to));
  for (let i = 0; i <= days; i++) {
    const key = periodOf(formatDate(addDays(start, i)), period);
    if (keys[keys.length - 1] !== key) keys.push(key);
  }
  return keys;
}

export function periodLabel(key: string, period: Period): string {
  if (period === "month") return key.slice(0, 7);
  if (period === "week") return `week of ${key}`;
  return key;
}

/**
 * A table as CSV (RFC 4180). Cells that a spreadsheet would run as a formula (=, +, -, @ first) are
 * quoted with a leading apostrophe: customer comments end up in these files.
 */
export function toCsv(columns: string[], rows: Record<string, unknown>[]): string {
  const cell = (value: unknown) => {
    if (value === null || value === undefined) return "";
    let text = value instanceof Date ? value.toISOString() : String(value);
    if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return `${[columns.join(","), ...rows.map((row) => columns.map((c) => cell(row[c])).join(","))].join("\r\n")}\r\n`;
}
