import { queryOptions, useQuery } from "@tanstack/react-query";
import type { Static } from "typebox";
import type {
  ActiveStatusCounts,
  ConversationCounts,
  StatusCounts,
} from "../../../../packages/contracts/src/conversation-tools.ts";
import { api } from "./client.ts";
import { tagsQuery } from "./directory.ts";
import type { ConversationFilter } from "./types.ts";

type Counts = Static<typeof ConversationCounts>;
/** A tag view counts the working queue only; the other views count resolved too. */
type ViewCounts = Static<typeof StatusCounts> | Static<typeof ActiveStatusCounts>;

/*
 * Every view's counts come from one request (GET /conversations/counts). Realtime events refresh
 * it (debounced) through the "counts" key, so the nav stays live without polling.
 */
export const countsQuery = queryOptions({
  queryKey: ["counts"],
  queryFn: ({ signal }) => api<Counts>("/conversations/counts", { signal }),
  staleTime: 60_000,
});

const compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });

/** The counts of the view a filter shows, or undefined for filters the nav does not count (one customer). */
export function countsOfFilter(
  counts: Counts,
  filter: ConversationFilter,
  tagIdOf: (name: string) => string | undefined = () => undefined,
): ViewCounts | undefined {
  if (filter.contact_id) return undefined;
  if (filter.tag) {
    // Tag views are counted across the workspace only.
    const id = tagIdOf(filter.tag);
    return id && !filter.inbox_id && !filter.assignee ? counts.tags[id] : undefined;
  }
  if (filter.inbox_id) return counts.inboxes[filter.inbox_id];
  if (filter.assignee === "me") return counts.views.mine;
  if (filter.assignee === "none") return counts.views.unassigned;
  if (filter.assignee) return undefined;
  return counts.views.all;
}

/**
 * How the nav writes a count: "12", "1.2K", or "1K+" when resolved conversations were capped;
 * undefined when the view does not count that status.
 */
export function formatCount(view: ViewCounts, status: ConversationFilter["status"]): string | undefined {
  const active = view.open + view.pending + view.snoozed;
  if (!("resolved" in view)) {
    if (status === undefined || status === "resolved") return undefined;
    return compact.format(view[status]);
  }
  const more = (status === undefined || status === "resolved") && view.resolved_more;
  const n = status ? view[status] : active + view.resolved;
  return `${compact.format(n)}${more ? "+" : ""}`;
}

/** The count of a view as the nav shows it, or undefined while it loads. */
export function useViewCount(filter: ConversationFilter): string | undefined {
  const { data } = useQuery(countsQuery);
  const { data: tags } = useQuery(tagsQuery);
  if (!data) return undefined;
  const view = countsOfFilter(
    data,
    filter,
    (name) => tags?.find((t) => t.name.toLowerCase() === name.toLowerCase())?.id,
  );
  return view ? formatCount(view, filter.status) : undefined;
}
