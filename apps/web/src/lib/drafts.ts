import { readJson, writeJson } from "./storage.ts";

/** A file already uploaded for the draft: the server keeps it unclaimed until a message takes it. */
export interface DraftAttachment {
  id: string;
  name: string;
  size: number;
}

/**
 * What the agent was writing in one conversation; kept across reloads until it is sent. The HTML
 * is what the editor shows again; the text is the plain part sent beside it.
 */
export interface Draft {
  mode: "reply" | "note";
  html: string;
  text: string;
  attachments: DraftAttachment[];
}

export const EMPTY_DRAFT: Draft = { mode: "reply", html: "", text: "", attachments: [] };

const key = (conversationId: string) => `kw.draft.${conversationId}`;

function isAttachment(value: unknown): value is DraftAttachment {
  const a = value as DraftAttachment;
  return typeof a?.id === "string" && typeof a.name === "string" && typeof a.size === "number";
}

export function loadDraft(conversationId: string): Draft | null {
  const draft = readJson<Partial<Draft>>(key(conversationId));
  if (!draft || typeof draft.text !== "string") return null;
  return {
    mode: draft.mode === "note" ? "note" : "reply",
    // A draft saved before the composer was rich has text only; the composer turns it into HTML.
    html: typeof draft.html === "string" ? draft.html : "",
    text: draft.text,
    attachments: Array.isArray(draft.attachments) ? draft.attachments.filter(isAttachment) : [],
  };
}

export function saveDraft(conversationId: string, draft: Draft): void {
  writeJson(key(conversationId), draft.text || draft.attachments.length > 0 ? draft : null);
}

export function clearDraft(conversationId: string): void {
  writeJson(key(conversationId), null);
}
