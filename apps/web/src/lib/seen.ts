import { useSyncExternalStore } from "react";
import { readJson, writeJson } from "./storage.ts";

/*
 * Unread state is the agent's own: the last activity they saw of each conversation, kept in this
 * browser. A conversation is unread while its customer waits and something happened since.
 */

const LIMIT = 5000;
let storageKey = "kw.seen";
let seen: Record<string, string> = {};
const listeners = new Set<() => void>();

export function startSeenStore(agentId: string): void {
  storageKey = `kw.seen.${agentId}`;
  seen = readJson<Record<string, string>>(storageKey) ?? {};
  for (const listener of listeners) listener();
}

export function markSeen(conversationId: string, lastActivityAt: string): void {
  if (seen[conversationId] && seen[conversationId] >= lastActivityAt) return;
  const next = { ...seen, [conversationId]: lastActivityAt };
  const ids = Object.keys(next);
  if (ids.length > LIMIT) {
    // Forget the conversations seen longest ago.
    ids.sort((a, b) => next[a].localeCompare(next[b]));
    for (const id of ids.slice(0, ids.length - LIMIT)) delete next[id];
  }
  seen = next;
  writeJson(storageKey, seen);
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSeen(): Record<string, string> {
  return useSyncExternalStore(subscribe, () => seen);
}

export function isUnread(
  conversation: { id: string; waiting_since: string | null; last_activity_at: string },
  seenMap: Record<string, string>,
): boolean {
  if (!conversation.waiting_since) return false;
  const at = seenMap[conversation.id];
  return !at || at < conversation.last_activity_at;
}
