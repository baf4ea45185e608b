import type { QueryClient } from "@tanstack/react-query";
import { api } from "./client.ts";
import { messagesQuery, placeInLists } from "./conversations.ts";
import type { Contact, Conversation } from "./types.ts";

/** Everything that shows who a conversation is with, or which messages it holds, is read again. */
function refreshAfterMove(queryClient: QueryClient) {
  void queryClient.resetQueries({ queryKey: ["conversations", "list"] });
  void queryClient.invalidateQueries({ queryKey: ["conversations"] });
  void queryClient.invalidateQueries({ queryKey: ["messages"] });
  void queryClient.invalidateQueries({ queryKey: ["counts"] });
}

/** Folds `sourceId` into `targetId` (same customer); returns the survivor. */
export async function mergeConversation(
  queryClient: QueryClient,
  myId: string,
  targetId: string,
  sourceId: string,
): Promise<Conversation> {
  const merged = await api<Conversation>(`/conversations/${targetId}/merge`, {
    method: "POST",
    body: { source_id: sourceId },
  });
  placeInLists(queryClient, merged, myId);
  void queryClient.invalidateQueries({ queryKey: messagesQuery(targetId).queryKey });
  refreshAfterMove(queryClient);
  return merged;
}

/** Moves one customer message into a new conversation; returns the new conversation. */
export async function splitMessage(
  queryClient: QueryClient,
  conversationId: string,
  messageId: string,
): Promise<Conversation> {
  const created = await api<Conversation>(`/conversations/${conversationId}/split`, {
    method: "POST",
    body: { message_id: messageId },
  });
  refreshAfterMove(queryClient);
  return created;
}

/** Merges the duplicate contact into the kept one; their conversations follow. */
export async function mergeContact(
  queryClient: QueryClient,
  keepId: string,
  duplicateId: string,
): Promise<Contact> {
  const kept = await api<Contact>(`/contacts/${keepId}/merge`, {
    method: "POST",
    body: { source_id: duplicateId },
  });
  queryClient.setQueryData(["contact", keepId], kept);
  queryClient.removeQueries({ queryKey: ["contact", duplicateId] });
  void queryClient.invalidateQueries({ queryKey: ["card"] });
  refreshAfterMove(queryClient);
  return kept;
}
