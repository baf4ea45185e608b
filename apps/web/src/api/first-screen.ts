import { DEFAULT_SEARCH, filterOf, parseInboxSearch } from "../lib/views.ts";
import { query, requestEarly } from "./client.ts";
import type { ConversationFilter } from "./types.ts";

/*
 * The reads the first screen waits for, started by main.tsx before React, the router and the
 * screens have downloaded. This module stays small (no libraries): the entry script waits for it.
 */

/** The API's largest page: fewer round trips while scrolling a long queue. */
export const LIST_PAGE_SIZE = 100;

/** One page of a conversation list; listQuery and the early request must ask for the same path. */
export function listPath(filter: ConversationFilter, cursor: string | null): string {
  return `/conversations${query({ ...filter, cursor, limit: LIST_PAGE_SIZE })}`;
}

/** The session always; on the inbox (and at "/", which leads there) the first page of its list. */
export function requestFirstScreen(url: { pathname: string; search: string }): void {
  requestEarly("/auth/session");
  const path = url.pathname.replace(/\/+$/, "") || "/";
  if (path === "/") requestEarly(listPath(filterOf(DEFAULT_SEARCH), null));
  else if (path === "/conversations" || path.startsWith("/conversations/"))
    requestEarly(listPath(filterOf(parseInboxSearch(searchValues(url.search))), null));
}

/** The search part as the router reads it: each value that is JSON becomes that value. */
function searchValues(search: string): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, raw] of new URLSearchParams(search)) {
    try {
      values[key] = JSON.parse(raw);
    } catch {
      values[key] = raw;
    }
  }
  return values;
}
