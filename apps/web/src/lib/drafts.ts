import { readJson, writeJson } from "./storage.ts";

/** What the agent was writing in one conversation; kept across reloads until it is sent. */
export interface Draft {
  mode: "reply" | "note";
  text: string;
}

const key = (conversationId: string) => `kw.draft.${conversationId}`;

export function loadDraft(conversationId: string): Draft | null {
  const draft = readJson<Draft>(key(conversationId));
  if (!draft || typeof draft.text !== "string") return null;
  return { mode: draft.mode === "note" ? "note" : "reply", text: draft.text };
}

export function saveDraft(conversationId: string, draft: Draft): void {
  writeJson(key(conversationId), draft.text ? draft : null);
}

export function clearDraft(conversationId: string): void {
  writeJson(key(conversationId), null);
}
