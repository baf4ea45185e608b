import type { QueryClient } from "@tanstack/react-query";
import { api } from "../api/client.ts";
import { conversationQuery } from "../api/conversations.ts";
import type { Conversation } from "../api/types.ts";
import { notify, readPrefs } from "../lib/desktop-notifications.ts";
import type { StreamFrame } from "./stream.ts";

/**
 * Turns workspace events into desktop notifications for the signed-in agent, if they opted in
 * (Settings → Notifications): a conversation assigned to them, a customer writing in one of theirs.
 */
export function desktopNotifier(
  queryClient: QueryClient,
  myId: string,
  open: (conversationId: string) => void,
) {
  async function conversation(id: string): Promise<Conversation | null> {
    const cached = queryClient.getQueryData<Conversation>(conversationQuery(id).queryKey);
    if (cached) return cached;
    try {
      return await api<Conversation>(`/conversations/${id}`);
    } catch {
      return null;
    }
  }

  return function onFrame(frame: StreamFrame): void {
    if (!readPrefs(myId).enabled) return;
    const data = frame.data ?? {};
    if (frame.type === "conversation.assigned" && data.assignee_id === myId && typeof data.id === "string") {
      const id = data.id;
      void conversation(id).then((c) =>
        notify(
          myId,
          "assigned",
          "Assigned to you",
          c?.subject || c?.preview || `Conversation #${c?.number ?? ""}`,
          () => open(id),
        ),
      );
    }
    if (
      frame.type === "message.created" &&
      data.kind === "incoming" &&
      typeof data.conversation_id === "string"
    ) {
      const id = data.conversation_id;
      void conversation(id).then((c) => {
        if (c?.assignee_id !== myId) return;
        notify(
          myId,
          "replies",
          "A customer replied",
          c.subject || c.preview || `Conversation #${c.number}`,
          () => open(id),
        );
      });
    }
  };
}
