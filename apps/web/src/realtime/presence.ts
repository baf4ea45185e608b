import { useEffect, useState, useSyncExternalStore } from "react";
import type { Static } from "typebox";
import type { AgentPresence } from "../../../../packages/contracts/src/index.ts";
import { api } from "../api/client.ts";

type Presence = Static<typeof AgentPresence>;

/** A "typing" frame is repeated every ~2 s while the agent types; silence this long means they stopped. */
const TYPING_TTL_MS = 5000;

/*
 * Who else is here: the workspace's agents with the conversations they have open (from "presence"
 * frames and GET /presence), and who is typing where (from "typing" frames, which expire).
 */
let agents = new Map<string, Presence>();
let typing = new Map<string, Map<string, { name: string; until: number }>>();
let version = 0;
const listeners = new Set<() => void>();

function changed() {
  version += 1;
  for (const listener of listeners) listener();
}

/** Starts afresh from the server's list (on every stream open, so a reconnect repairs it). */
export async function loadPresence(): Promise<void> {
  try {
    const { data } = await api<{ data: Presence[] }>("/presence");
    agents = new Map(data.map((p) => [p.agent_id, p]));
    changed();
  } catch {
    // Presence is a hint; without it the app works, only without the collision notice.
  }
}

export function resetPresence(): void {
  agents = new Map();
  typing = new Map();
  changed();
}

export function applyPresence(data: Record<string, unknown>): void {
  if (typeof data.agent_id !== "string") return;
  agents = new Map(agents).set(data.agent_id, data as unknown as Presence);
  changed();
}

export function applyTyping(data: Record<string, unknown>): void {
  const { conversation_id: conversationId, agent_id: agentId, name } = data;
  if (typeof conversationId !== "string" || typeof agentId !== "string") return;
  const typists = new Map(typing.get(conversationId));
  typists.set(agentId, {
    name: typeof name === "string" ? name : "Someone",
    until: Date.now() + TYPING_TTL_MS,
  });
  typing = new Map(typing).set(conversationId, typists);
  changed();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The other agents viewing this conversation, and those of them typing in it. */
export function useCollision(conversationId: string, myId: string): { viewing: string[]; typing: string[] } {
  useSyncExternalStore(subscribe, () => version);
  const [now, setNow] = useState(Date.now);
  const typists = [...(typing.get(conversationId) ?? new Map()).entries()].filter(
    ([agentId, t]) => agentId !== myId && t.until > now,
  );
  const nextExpiry = Math.min(...typists.map(([, t]) => t.until));
  // Re-render when the earliest typing notice expires.
  useEffect(() => {
    if (!Number.isFinite(nextExpiry)) return;
    const timer = setTimeout(() => setNow(Date.now()), Math.max(0, nextExpiry - Date.now()) + 50);
    return () => clearTimeout(timer);
  }, [nextExpiry]);
  const viewing = [...agents.values()]
    .filter((a) => a.agent_id !== myId && a.online && a.viewing.includes(conversationId))
    .map((a) => a.name);
  return { viewing, typing: typists.map(([, t]) => t.name) };
}
