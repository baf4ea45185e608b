import type { QueryClient } from "@tanstack/react-query";
import { useEffect, useState, useSyncExternalStore } from "react";
import type { StreamFrame } from "../../realtime/stream.ts";

/*
 * What chat visitors do, as the workspace stream reports it: typing (repeated every ~2 s while they
 * type, so a notice expires on its own) and changes to what agents see of them (read receipts, the
 * page they are on), which refetch the visitor card.
 */

const TYPING_TTL_MS = 5000;

let typingUntil = new Map<string, number>();
let version = 0;
const listeners = new Set<() => void>();

function changed() {
  version += 1;
  for (const listener of listeners) listener();
}

export const visitorQueryKey = (conversationId: string) => ["chat-visitor", conversationId] as const;

export function applyChatEvent(queryClient: QueryClient, frame: StreamFrame): void {
  const data = frame.data ?? {};
  const conversationId = data.conversation_id;
  if (typeof conversationId !== "string") return;
  if (frame.type === "typing" && data.visitor === true) {
    typingUntil = new Map(typingUntil).set(conversationId, Date.now() + TYPING_TTL_MS);
    changed();
  } else if (
    frame.type === "message.created" &&
    data.kind === "incoming" &&
    typingUntil.has(conversationId)
  ) {
    // The message they were typing has arrived.
    typingUntil = new Map(typingUntil);
    typingUntil.delete(conversationId);
    changed();
  } else if (frame.type === "widget.read" || frame.type === "widget.visitor") {
    void queryClient.invalidateQueries({ queryKey: visitorQueryKey(conversationId) });
  }
}

/** True while the conversation's visitor is typing. */
export function useVisitorTyping(conversationId: string): boolean {
  useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => version,
  );
  const until = typingUntil.get(conversationId) ?? 0;
  const [, setTick] = useState(0);
  useEffect(() => {
    const left = until - Date.now();
    if (left <= 0) return;
    const timer = setTimeout(() => setTick((n) => n + 1), left + 50);
    return () => clearTimeout(timer);
  }, [until]);
  return until > Date.now();
}
