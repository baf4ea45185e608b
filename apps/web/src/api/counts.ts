import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, query } from "./client.ts";
import type { Conversation, ConversationFilter, Page } from "./types.ts";

/** Counts stop here: past it the nav says "99+", which is all a queue needs to tell. */
const COUNT_CAP = 99;

/*
 * The API has no count endpoint yet, so a view's count is the length of one page of at most 100
 * rows. Realtime events refresh these (debounced) through the "counts" key.
 */
export const countQuery = (filter: ConversationFilter) =>
  queryOptions({
    queryKey: ["counts", filter],
    queryFn: async ({ signal }) => {
      const page = await api<Page<Conversation>>(
        `/conversations${query({ ...filter, limit: COUNT_CAP + 1 })}`,
        { signal },
      );
      return page.data.length;
    },
    staleTime: 60_000,
  });

/** The count of a view as the nav shows it, or undefined while it loads. */
export function useViewCount(filter: ConversationFilter): string | undefined {
  const { data } = useQuery(countQuery(filter));
  if (data === undefined) return undefined;
  return data > COUNT_CAP ? `${COUNT_CAP}+` : String(data);
}
