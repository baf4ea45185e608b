import type { QueryClient } from "@tanstack/react-query";
import { ApiError, api } from "../api/client.ts";
import { messagesQuery, placeInLists, removeFromLists } from "../api/conversations.ts";
import type { Conversation } from "../api/types.ts";
import { applyChatEvent } from "../screens/chat/chat-events.ts";
import { applyPresence, applyTyping, loadPresence } from "./presence.ts";
import type { StreamFrame } from "./stream.ts";

const COUNTS_DELAY_MS = 1500;
const BATCH_DELAY_MS = 80;

/**
 * Keeps the query cache in step with the workspace's events. A changed conversation is fetched once
 * (however many events named it in a burst) and moved into place in every cached list; messages
 * are refetched only for threads in the cache; counts are refreshed at most every 1.5 s.
 */
export function eventApplier(queryClient: QueryClient, myId: string) {
  const changed = new Set<string>();
  let batchTimer: ReturnType<typeof setTimeout> | undefined;
  let countsTimer: ReturnType<typeof setTimeout> | undefined;

  function refreshCounts() {
    if (countsTimer) return;
    countsTimer = setTimeout(() => {
      countsTimer = undefined;
      void queryClient.invalidateQueries({ queryKey: ["counts"] });
    }, COUNTS_DELAY_MS);
  }

  async function refreshConversation(id: string) {
    try {
      const fresh = await api<Conversation>(`/conversations/${id}`);
      placeInLists(queryClient, fresh, myId);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) removeFromLists(queryClient, id);
    }
  }

  function conversationChanged(id: unknown) {
    if (typeof id !== "string") return;
    changed.add(id);
    refreshCounts();
    if (batchTimer) return;
    batchTimer = setTimeout(() => {
      batchTimer = undefined;
      const ids = [...changed];
      changed.clear();
      for (const conversationId of ids) void refreshConversation(conversationId);
    }, BATCH_DELAY_MS);
  }

  return function apply(frame: StreamFrame): void {
    const data = frame.data ?? {};
    applyChatEvent(queryClient, frame);
    switch (frame.type) {
      case "hello":
        void loadPresence();
        break;
      case "presence":
        applyPresence(data);
        break;
      case "typing":
        applyTyping(data);
        break;
      case "conversation.created":
      case "conversation.updated":
      case "conversation.assigned":
        conversationChanged(data.id);
        break;
      case "conversation.deleted":
        if (typeof data.id === "string") removeFromLists(queryClient, data.id);
        refreshCounts();
        break;
      case "message.created":
      case "message.updated":
        if (typeof data.conversation_id === "string") {
          void queryClient.invalidateQueries({ queryKey: messagesQuery(data.conversation_id).queryKey });
          conversationChanged(data.conversation_id);
        }
        break;
      case "contact.updated":
      case "contact.deleted":
        void queryClient.invalidateQueries({ queryKey: ["contact", data.id] });
        void queryClient.invalidateQueries({ queryKey: ["card", data.id] });
        break;
      case "company.health_changed":
      case "health.recomputed":
        // The sidebar's health card and the success screen's flag lists, without waiting for a poll.
        void queryClient.invalidateQueries({ queryKey: ["health"] });
        if (typeof data.id === "string") void queryClient.invalidateQueries({ queryKey: ["billing", data.id] });
        break;
      case "company.updated":
      case "company.deleted":
        void queryClient.invalidateQueries({ queryKey: ["company", data.id] });
        void queryClient.invalidateQueries({ queryKey: ["card"] });
        break;
      default:
        if (frame.type.startsWith("tag.")) void queryClient.invalidateQueries({ queryKey: ["tags"] });
        else if (frame.type.startsWith("inbox."))
          void queryClient.invalidateQueries({ queryKey: ["inboxes"] });
        else if (frame.type.startsWith("agent.") || frame.type.startsWith("membership."))
          void queryClient.invalidateQueries({ queryKey: ["agents"] });
        else if (frame.type === "workspace.updated")
          void queryClient.invalidateQueries({ queryKey: ["workspace"] });
    }
  };
}

/** After a reconnect: lists restart from their first page, everything else refetches when shown. */
export function catchUp(queryClient: QueryClient): void {
  void queryClient.resetQueries({ queryKey: ["conversations", "list"] });
  void queryClient.invalidateQueries({
    predicate: (q) =>
      !(q.queryKey[0] === "conversations" && q.queryKey[1] === "list") && q.queryKey[0] !== "session",
  });
}
