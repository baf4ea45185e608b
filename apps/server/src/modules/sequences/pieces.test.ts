import { describe, expect, it } from "vitest";
import { scheduleOf } from "../metrics/business-hours.ts";
import { defaultSettings } from "../workspaces/settings.ts";
import { allHold } from "./conditions.ts";
import { dueAfter } from "./delays.ts";
import { render, unknownVariables } from "./template.ts";

const subject = {
  contact: { name: "Ada Lovelace", email: "ada@example.test", attributes: { plan: "pro" } },
  company: { name: "Engines Ltd", plan: "team", mrr_cents: 9900, attributes: {} },
};

describe("sequence templates", () => {
  it("fills variables and uses the fallback, never leaving {{…}} in the text", () => {
    expect(render("Hi {{contact.first_name}} of {{ company.name }}", subject).text).toBe(
      "Hi Ada of Engines Ltd",
    );
    const bare = { contact: { name: null, email: null, attributes: {} }, company: null };
    const out = render('Hi {{contact.first_name | "there"}}, {{company.name}}! {{ broken', bare);
    expect(out.text).toBe("Hi there, ! {{ broken");
    expect(out.missing).toEqual(["contact.first_name", "company.name"]);
    expect(render("{{contact.attributes.plan}} {{nonsense}}", subject).text).toBe("pro ");
  });

  it("names unknown variables so a step can be refused when saved", () => {
    expect(unknownVariables("{{contact.name}} {{contact.attributes.seats}} {{user.name}} {{ x y }}")).toEqual(
      ["user.name", "{{ x y }}"],
    );
  });
});

describe("sequence conditions", () => {
  it("checks contact and company attributes", () => {
    expect(allHold([{ field: "contact.attributes.plan", op: "eq", value: "pro" }], subject)).toBe(true);
    expect(allHold([{ field: "company.mrr_cents", op: "gt", value: 10_000 }], subject)).toBe(false);
    expect(allHold([{ field: "company.plan", op: "exists" }], { ...subject, company: null })).toBe(false);
    const events = { ...subject, events: { imported: "2026-12-01T10:00:00.000Z" } };
    expect(allHold([{ field: "event.imported", op: "exists" }], events)).toBe(true);
    expect(allHold([{ field: "event.imported", op: "not_exists" }], events)).toBe(false);
    expect(allHold([{ field: "event.exported", op: "not_exists" }], events)).toBe(true);
  });
});

describe("sequence delays", () => {
  const schedule = scheduleOf({ ...defaultSettings(), time_zone: "Europe/Paris", holidays: ["2026-12-25"] });

  it("counts business days in the workspace's week, skipping weekends and holidays", () => {
    // Thursday 24 December 2026, 15:00 in Paris: Friday is a holiday, then a weekend.
    const from = new Date("2026-12-24T14:00:00Z");
    expect(dueAfter(from, { amount: 1, unit: "business_days" }, schedule).toISOString()).toBe(
      "2026-12-28T08:00:00.000Z",
    );
    expect(dueAfter(from, { amount: 2, unit: "business_days" }, schedule).toISOString()).toBe(
      "2026-12-29T08:00:00.000Z",
    );
    expect(dueAfter(from, { amount: 0, unit: "business_days" }, schedule)).toEqual(from);
    expect(
      dueAfter(
        new Date("2026-12-26T10:00:00Z"),
        { amount: 0, unit: "business_days" },
        schedule,
      ).toISOString(),
    ).toBe("2026-12-28T08:00:00.000Z");
    expect(dueAfter(from, { amount: 3, unit: "days" }, schedule).toISOString()).toBe(
      "2026-12-27T14:00:00.000Z",
    );
  });
});
