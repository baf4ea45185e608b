import type { ConversationFilter, ConversationStatus } from "../api/types.ts";

/*
 * A view of the inbox is the URL's search part: /conversations?view=mine&status=open. The same
 * object keys the list's cache, so two tabs of one view share nothing but each view stays warm.
 */

export type ViewName = "mine" | "unassigned" | "all" | "inbox";
export type StatusChoice = ConversationStatus | "any";

export interface InboxSearch {
  view: ViewName;
  /** The inbox, when view is "inbox". */
  inbox?: string;
  status: StatusChoice;
  /** Only this customer's conversations (from search). */
  contact?: string;
  /** Only conversations with this tag (by name): the nav's saved filters by tag. */
  tag?: string;
}

export const STATUSES: { value: ConversationStatus; label: string }[] = [
  { value: "open", label: "Open" },
  { value: "pending", label: "Pending" },
  { value: "snoozed", label: "Snoozed" },
  { value: "resolved", label: "Resolved" },
];

const VIEWS = new Set<ViewName>(["mine", "unassigned", "all", "inbox"]);
const STATUS_CHOICES = new Set<StatusChoice>(["open", "pending", "snoozed", "resolved", "any"]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads the search part leniently: anything unknown falls back to the default view. */
export function parseInboxSearch(raw: Record<string, unknown>): InboxSearch {
  const view = VIEWS.has(raw.view as ViewName) ? (raw.view as ViewName) : "mine";
  const status = STATUS_CHOICES.has(raw.status as StatusChoice) ? (raw.status as StatusChoice) : "open";
  const inbox = typeof raw.inbox === "string" && UUID.test(raw.inbox) ? raw.inbox : undefined;
  const contact = typeof raw.contact === "string" && UUID.test(raw.contact) ? raw.contact : undefined;
  const search: InboxSearch = { view: view === "inbox" && !inbox ? "all" : view, status };
  if (search.view === "inbox") search.inbox = inbox;
  if (contact) search.contact = contact;
  if (typeof raw.tag === "string" && raw.tag.trim() && raw.tag.length <= 50) search.tag = raw.tag;
  return search;
}

export const DEFAULT_SEARCH: InboxSearch = { view: "mine", status: "open" };

/** The API filter of a view. */
export function filterOf(search: InboxSearch): ConversationFilter {
  const filter: ConversationFilter = {};
  if (search.status !== "any") filter.status = search.status;
  if (search.view === "mine") filter.assignee = "me";
  if (search.view === "unassigned") filter.assignee = "none";
  if (search.view === "inbox" && search.inbox) filter.inbox_id = search.inbox;
  if (search.contact) filter.contact_id = search.contact;
  if (search.tag) filter.tag = search.tag;
  return filter;
}

/** Whether a conversation belongs in a list with this filter (used to place realtime changes). */
export function matchesFilter(
  filter: ConversationFilter,
  conversation: {
    status: string;
    inbox_id: string;
    assignee_id: string | null;
    contact_id: string;
    tags: { name: string }[];
  },
  myId: string,
): boolean {
  if (filter.status && conversation.status !== filter.status) return false;
  if (filter.inbox_id && conversation.inbox_id !== filter.inbox_id) return false;
  if (filter.contact_id && conversation.contact_id !== filter.contact_id) return false;
  if (filter.assignee === "me" && conversation.assignee_id !== myId) return false;
  if (filter.assignee === "none" && conversation.assignee_id !== null) return false;
  if (
    filter.assignee &&
    !["me", "none"].includes(filter.assignee) &&
    conversation.assignee_id !== filter.assignee
  )
    return false;
  if (filter.tag && !conversation.tags.some((t) => t.name.toLowerCase() === filter.tag?.toLowerCase()))
    return false;
  return true;
}
