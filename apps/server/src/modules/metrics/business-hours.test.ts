import { describe, expect, it } from "vitest";
import { businessMs, scheduleOf } from "./business-hours.ts";
import { instantAt, localDateOf, offsetAt, wallClockAt } from "./zoned-time.ts";

const H = 3_600_000;
const nineToFive = [{ open: "09:00", close: "17:00" }];
const weekdays = (ranges: { open: string; close: string }[]) => ({
  monday: ranges,
  tuesday: ranges,
  wednesday: ranges,
  thursday: ranges,
  friday: ranges,
  saturday: [],
  sunday: [],
});
const allWeek = (ranges: { open: string; close: string }[]) => ({
  ...weekdays(ranges),
  saturday: ranges,
  sunday: ranges,
});

/** An instant from a local wall-clock time in a zone, via the code under test's own inverse checked below. */
const at = (zone: string, date: string, time: string) => {
  const [y, m, d] = date.split("-").map(Number);
  const [hh, mm] = time.split(":").map(Number);
  return instantAt({ year: y, month: m, day: d }, hh * 60 + mm, zone);
};

describe("wall-clock arithmetic in time zones", () => {
  it("turns local times into instants on both sides of Berlin's spring-forward change", () => {
    expect(new Date(at("Europe/Berlin", "2026-03-28", "09:00")).toISOString()).toBe(
      "2026-03-28T08:00:00.000Z",
    );
    expect(new Date(at("Europe/Berlin", "2026-03-30", "09:00")).toISOString()).toBe(
      "2026-03-30T07:00:00.000Z",
    );
    expect(offsetAt(Date.parse("2026-03-29T00:30:00Z"), "Europe/Berlin")).toBe(1 * H);
    expect(offsetAt(Date.parse("2026-03-29T01:30:00Z"), "Europe/Berlin")).toBe(2 * H);
  });

  it("moves a local time skipped by the change forward, as a clock would read it", () => {
    const skipped = at("Europe/Berlin", "2026-03-29", "02:30");
    expect(new Date(skipped).toISOString()).toBe("2026-03-29T01:30:00.000Z");
    expect(wallClockAt(skipped, "Europe/Berlin")).toMatchObject({ hour: 3, minute: 30 });
  });

  it("agrees with Intl at thousands of instants around clock changes, in zones with odd offsets too", () => {
    const zones = [
      "Europe/Berlin",
      "America/New_York",
      "Australia/Lord_Howe",
      "Asia/Kathmandu",
      "America/St_Johns",
    ];
    const mismatches: string[] = [];
    for (const zone of zones) {
      const intl = new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        ...{
          year: "numeric",
          month: "numeric",
          day: "numeric",
          hour: "numeric",
          minute: "numeric",
          second: "numeric",
        },
      });
      for (
        let ms = Date.parse("2026-03-01T00:00:00Z");
        ms < Date.parse("2026-11-30T00:00:00Z");
        ms += 31 * 60_000 + 7_001
      ) {
        const p = Object.fromEntries(
          intl.formatToParts(new Date(ms)).map((part) => [part.type, Number(part.value)]),
        );
        const c = wallClockAt(ms, zone);
        const same =
          [c.year, c.month, c.day, c.hour, c.minute, c.second].join() ===
          [p.year, p.month, p.day, p.hour, p.minute, p.second].join();
        if (!same) mismatches.push(`${zone} ${new Date(ms).toISOString()}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it("finds the local date of an instant, which differs from UTC's near midnight", () => {
    expect(localDateOf(Date.parse("2026-11-01T03:30:00Z"), "America/New_York")).toBe("2026-10-31");
    expect(localDateOf(Date.parse("2026-11-01T23:30:00Z"), "Europe/Berlin")).toBe("2026-11-02");
  });
});

describe("business hours", () => {
  it("counts only opening hours across a weekend", () => {
    const schedule = scheduleOf({ time_zone: "UTC", business_hours: weekdays(nineToFive), holidays: [] });
    // Friday 16:00 to Monday 10:00: one hour on Friday and one on Monday.
    expect(businessMs(Date.parse("2026-05-15T16:00:00Z"), Date.parse("2026-05-18T10:00:00Z"), schedule)).toBe(
      2 * H,
    );
    // Inside one opening range, business time is wall-clock time.
    expect(businessMs(Date.parse("2026-05-18T09:30:00Z"), Date.parse("2026-05-18T09:45:00Z"), schedule)).toBe(
      H / 4,
    );
    // Wholly outside: nothing.
    expect(businessMs(Date.parse("2026-05-16T09:00:00Z"), Date.parse("2026-05-17T18:00:00Z"), schedule)).toBe(
      0,
    );
  });

  it("counts a Berlin weekend with the spring-forward change as the hours people were open", () => {
    const schedule = scheduleOf({
      time_zone: "Europe/Berlin",
      business_hours: weekdays(nineToFive),
      holidays: [],
    });
    const start = at("Europe/Berlin", "2026-03-27", "16:00");
    const end = at("Europe/Berlin", "2026-03-30", "10:00");
    expect(end - start).toBe(65 * H);
    expect(businessMs(start, end, schedule)).toBe(2 * H);
  });

  it("gives the short and the long day their real length when open around the clock", () => {
    const berlin = scheduleOf({
      time_zone: "Europe/Berlin",
      business_hours: allWeek([{ open: "00:00", close: "24:00" }]),
      holidays: [],
    });
    const spring = [
      at("Europe/Berlin", "2026-03-29", "00:00"),
      at("Europe/Berlin", "2026-03-30", "00:00"),
    ] as const;
    const autumn = [
      at("Europe/Berlin", "2026-10-25", "00:00"),
      at("Europe/Berlin", "2026-10-26", "00:00"),
    ] as const;
    expect(businessMs(spring[0], spring[1], berlin)).toBe(23 * H);
    expect(businessMs(autumn[0], autumn[1], berlin)).toBe(25 * H);
    const newYork = scheduleOf({
      time_zone: "America/New_York",
      business_hours: allWeek([{ open: "00:00", close: "24:00" }]),
      holidays: [],
    });
    expect(
      businessMs(
        at("America/New_York", "2026-03-08", "00:00"),
        at("America/New_York", "2026-03-09", "00:00"),
        newYork,
      ),
    ).toBe(23 * H);
    expect(
      businessMs(
        at("America/New_York", "2026-11-01", "00:00"),
        at("America/New_York", "2026-11-02", "00:00"),
        newYork,
      ),
    ).toBe(25 * H);
  });

  it("keeps New York's nine-to-five at eight hours on the days around its clock changes", () => {
    const schedule = scheduleOf({
      time_zone: "America/New_York",
      business_hours: weekdays(nineToFive),
      holidays: [],
    });
    const friday = at("America/New_York", "2026-03-06", "16:30");
    const monday = at("America/New_York", "2026-03-09", "09:30");
    expect(monday - friday).toBe(64 * H);
    expect(businessMs(friday, monday, schedule)).toBe(H);
    const week = [
      at("America/New_York", "2026-10-26", "00:00"),
      at("America/New_York", "2026-11-02", "12:00"),
    ] as const;
    expect(businessMs(week[0], week[1], schedule)).toBe(5 * 8 * H + 3 * H);
  });

  it("skips holidays and the lunch break", () => {
    const schedule = scheduleOf({
      time_zone: "Europe/Berlin",
      business_hours: weekdays([
        { open: "09:00", close: "12:00" },
        { open: "13:00", close: "17:00" },
      ]),
      holidays: ["2026-05-01"],
    });
    const thursday = at("Europe/Berlin", "2026-04-30", "11:00");
    const monday = at("Europe/Berlin", "2026-05-04", "14:00");
    // Thursday 11–12 and 13–17 (5 h), Friday is a holiday, Monday 9–12 and 13–14 (4 h).
    expect(businessMs(thursday, monday, schedule)).toBe(9 * H);
  });

  it("counts nothing when the workspace has no opening hours at all", () => {
    const schedule = scheduleOf({ time_zone: "UTC", business_hours: weekdays([]), holidays: [] });
    expect(schedule.hasHours).toBe(false);
    expect(businessMs(0, 10 * 24 * H, schedule)).toBe(0);
  });
});
