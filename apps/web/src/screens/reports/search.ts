/* The reports' filters live in the URL, so a report can be shared or reloaded as it is. */

export interface ReportSearch {
  from?: string;
  to?: string;
  inbox?: string;
  by: "day" | "week";
  hours: "wall" | "business";
  bad_only?: boolean;
  agent?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseReportSearch(raw: Record<string, unknown>): ReportSearch {
  const search: ReportSearch = {
    by: raw.by === "week" ? "week" : "day",
    hours: raw.hours === "business" ? "business" : "wall",
  };
  if (typeof raw.from === "string" && DATE.test(raw.from)) search.from = raw.from;
  if (typeof raw.to === "string" && DATE.test(raw.to)) search.to = raw.to;
  if (typeof raw.inbox === "string" && UUID.test(raw.inbox)) search.inbox = raw.inbox;
  if (typeof raw.agent === "string" && UUID.test(raw.agent)) search.agent = raw.agent;
  if (raw.bad_only === true || raw.bad_only === "true") search.bad_only = true;
  return search;
}

/** The API's query for a report: the range and inbox, plus what that report takes. */
export function reportParams(
  search: ReportSearch,
  extra: Record<string, string | number | boolean | undefined> = {},
): Record<string, string | undefined> {
  const params: Record<string, string | undefined> = {
    from: search.from,
    to: search.to,
    inbox_id: search.inbox,
  };
  for (const [key, value] of Object.entries(extra))
    params[key] = value === undefined ? undefined : String(value);
  return params;
}
