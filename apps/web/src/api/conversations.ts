import {
  type InfiniteData,
  infiniteQueryOptions,
  type QueryClient,
  queryOptions,
} from "@tanstack/react-query";
import { matchesFilter } from "../lib/views.ts";
import { api, query } from "./client.ts";
import { listPath } from "./first-screen.ts";
import type {
  Conversation,
  ConversationFilter,
  ConversationPatch,
  Message,
  NewMessage,
  Page,
} from "./types.ts";

type ListData = InfiniteData<Page<Conversation>, string | null>;

export const listQuery = (filter: ConversationFilter) =>
  infiniteQueryOptions({
    queryKey: ["conversations", "list", filter],
    queryFn: ({ pageParam, signal }) => api<Page<Conversation>>(listPath(filter, pageParam), { signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    // Realtime events keep cached lists current (placeInLists) and a reconnect resets them, so a
    // list is never refetched just for being old: that would re-read every page scrolled so far.
    staleTime: Number.POSITIVE_INFINITY,
  });

export const conversationQuery = (id: string) =>
  queryOptions({
    queryKey: ["conversations", "one", id],
    queryFn: ({ signal }) => api<Conversation>(`/conversations/${id}`, { signal }),
    staleTime: 30_000,
  });

/** A thread is read whole: a few hundred messages at most, and the composer appends to it. */
export const messagesQuery = (conversationId: string) =>
  queryOptions({
    queryKey: ["messages", conversationId],
    queryFn: async ({ signal }) => {
      const messages: Message[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 50; page++) {
        const result: Page<Message> = await api<Page<Message>>(
          `/conversations/${conversationId}/messages${query({ cursor, limit: 100 })}`,
          { signal },
        );
        messages.push(...result.data);
        cursor = result.next_cursor;
        if (!cursor) break;
      }
      return messages;
    },
    staleTime: 30_000,
  });

/** The rows of an infinite list, without the duplicates that a row moving between pages could leave. */
export function rowsOf(data: InfiniteData<Page<Conversation>, unknown> | undefined): Conversation[] {
  if (!data) return [];
  const seen = new Set<string>();
  const rows: Conversation[] = [];
  for (const page of data.pages) {
    for (const row of page.data) {
      if (seen.has(row.id)) continue;
      seen.add(row.id);
      rows.push(row);
    }
  }
  return rows;
}

const newerFirst = (a: Conversation, b: Conversation) =>
  a.last_activity_at === b.last_activity_at
    ? b.id.localeCompare(a.id)
    : b.last_activity_at.localeCompare(a.last_activity_at);

/**
 * Puts a fresh copy of a conversation into every cached list: out of the lists it no longer
 * matches, into the place its last activity gives it in those it does. A row that would land past
 * the loaded pages is left for "load more" to bring.
 */
export function placeInLists(queryClient: QueryClient, conversation: Conversation, myId: string): void {
  queryClient.setQueryData<Conversation>(conversationQuery(conversation.id).queryKey, conversation);
  for (const [key, data] of queryClient.getQueriesData<ListData>({ queryKey: ["conversations", "list"] })) {
    if (!data) continue;
    const filter = key[2] as ConversationFilter;
    const pages = data.pages.map((page) => ({
      ...page,
      data: page.data.filter((c) => c.id !== conversation.id),
    }));
    if (matchesFilter(filter, conversation, myId)) insertSorted(pages, conversation);
    queryClient.setQueryData<ListData>(key, { ...data, pages });
  }
}

function insertSorted(pages: Page<Conversation>[], conversation: Conversation): void {
  for (let p = 0; p < pages.length; p++) {
    const rows = pages[p].data;
    const index = rows.findIndex((row) => newerFirst(conversation, row) < 0);
    if (index >= 0) {
      rows.splice(index, 0, conversation);
      return;
    }
  }
  const last = pages[pages.length - 1];
  if (last && !last.next_cursor) last.data.push(conversation);
  else if (!last) pages.push({ data: [conversation], next_cursor: null });
}

export function removeFromLists(queryClient: QueryClient, conversationId: string): void {
  queryClient.removeQueries({ queryKey: conversationQuery(conversationId).queryKey });
  for (const [key, data] of queryClient.getQueriesData<ListData>({ queryKey: ["conversations", "list"] })) {
    if (!data) continue;
    const pages = data.pages.map((page) => ({
      ...page,
      data: page.data.filter((c) => c.id !== conversationId),
    }));
    queryClient.setQueryData<ListData>(key, { ...data, pages });
  }
}

export async function updateConversation(
  queryClient: QueryClient,
  myId: string,
  id: string,
  patch: ConversationPatch,
): Promise<Conversation> {
  const updated = await api<Conversation>(`/conversations/${id}`, { method: "PATCH", body: patch });
  placeInLists(queryClient, updated, myId);
  void queryClient.invalidateQueries({ queryKey: messagesQuery(id).queryKey });
  void queryClient.invalidateQueries({ queryKey: ["counts"] });
  return updated;
}

export async function addTag(queryClient: QueryClient, myId: string, id: string, tag: string): Promise<void> {
  const updated = await api<Conversation>(`/conversations/${id}/tags`, { method: "POST", body: { tag } });
  placeInLists(queryClient, updated, myId);
  void queryClient.invalidateQueries({ queryKey: ["tags"] });
}

export async function removeTag(queryClient: QueryClient, myId: string, id: string, tagId: string) {
  await api(`/conversations/${id}/tags/${tagId}`, { method: "DELETE" });
  placeInLists(queryClient, await queryClient.fetchQuery({ ...conversationQuery(id), staleTime: 0 }), myId);
}

export async function postMessage(queryClient: QueryClient, myId: string, id: string, body: NewMessage) {
  const message = await api<Message>(`/conversations/${id}/messages`, { method: "POST", body });
  queryClient.setQueryData<Message[]>(messagesQuery(id).queryKey, (old) =>
    old && !old.some((m) => m.id === message.id) ? [...old, message] : old,
  );
  placeInLists(queryClient, await queryClient.fetchQuery({ ...conversationQuery(id), staleTime: 0 }), myId);
  return message;
}
