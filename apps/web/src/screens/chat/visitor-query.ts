import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client.ts";
import type { Conversation } from "../../api/types.ts";
import { visitorQueryKey } from "./chat-events.ts";

export interface ChatVisitor {
  id: string;
  name: string | null;
  email: string | null;
  verified: boolean;
  user_id: string | null;
  attributes: Record<string, unknown>;
  first_seen_at: string;
  last_seen_at: string;
  read_at: string | null;
  /** The language the widget speaks to the visitor (and mails them in), or else their browser's. */
  language: string | null;
  context: {
    page_url?: string;
    page_title?: string;
    language?: string;
    time_zone?: string;
    browser?: string;
    os?: string;
    updated_at?: string;
  };
}

/** The visitor behind a chat conversation (GET /conversations/{id}/visitor); nothing for other channels. */
export function useChatVisitor(conversation: Pick<Conversation, "id" | "channel">) {
  return useQuery({
    queryKey: visitorQueryKey(conversation.id),
    queryFn: ({ signal }) => api<ChatVisitor>(`/conversations/${conversation.id}/visitor`, { signal }),
    enabled: conversation.channel === "chat",
    retry: false,
    staleTime: 60_000,
  });
}
