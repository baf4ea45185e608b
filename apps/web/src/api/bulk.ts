import type { QueryClient } from "@tanstack/react-query";
import type { Static } from "typebox";
import type { BulkUpdateBody } from "../../../../packages/contracts/src/conversation-tools.ts";
import { api } from "./client.ts";

export type BulkChange = Omit<Static<typeof BulkUpdateBody>, "conversation_ids">;

/**
 * One change to many conversations (all or nothing on the server). The lists are read again from
 * their first page afterwards: rows leave and join views, which is simpler to fetch than to replay.
 */
export async function bulkUpdate(
  queryClient: QueryClient,
  ids: string[],
  change: BulkChange,
): Promise<string[]> {
  const result = await api<{ updated: string[] }>("/conversations/bulk", {
    method: "POST",
    body: { conversation_ids: ids, ...change },
  });
  await queryClient.resetQueries({ queryKey: ["conversations", "list"] });
  for (const id of result.updated)
    void queryClient.invalidateQueries({ queryKey: ["conversations", "one", id] });
  void queryClient.invalidateQueries({ queryKey: ["counts"] });
  if (change.add_tags?.length) void queryClient.invalidateQueries({ queryKey: ["tags"] });
  return result.updated;
}
