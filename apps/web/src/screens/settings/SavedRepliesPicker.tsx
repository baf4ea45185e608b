import { queryOptions, useQuery } from "@tanstack/react-query";
import { type KeyboardEvent, useState } from "react";
import { api } from "../../api/client.ts";

export interface SavedReply {
  id: string;
  name: string;
  body: string;
  created_at: string;
  updated_at: string;
}

export const savedRepliesQuery = queryOptions({
  queryKey: ["saved-replies"],
  queryFn: async () => (await api<{ data: SavedReply[] }>("/saved-replies")).data,
  staleTime: 60_000,
});

/**
 * The composer's saved-reply picker: a filter box and the matching replies. Enter inserts the first
 * match, Escape closes. It hands back the raw body; the composer fills in the variables.
 */
export function SavedRepliesPicker({
  onInsert,
  onClose,
}: {
  onInsert: (body: string) => void;
  onClose: () => void;
}) {
  const { data: replies, error } = useQuery(savedRepliesQuery);
  const [filter, setFilter] = useState("");
  const needle = filter.trim().toLowerCase();
  const matches = (replies ?? []).filter(
    (r) => !needle || r.name.toLowerCase().includes(needle) || r.body.toLowerCase().includes(needle),
  );

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Escape") {
      event.preventDefault();
      onClose();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (matches[0]) onInsert(matches[0].body);
    }
  }

  return (
    <div className="saved-reply-picker">
      <input
        // biome-ignore lint/a11y/noAutofocus: the picker opens on request, so the filter box takes the typing
        autoFocus
        type="search"
        aria-label="Find a saved reply"
        placeholder="Find a saved reply…"
        value={filter}
        onChange={(e) => setFilter(e.target.value)}
        onKeyDown={onKeyDown}
      />
      {error ? (
        <p className="form-error">Saved replies could not be loaded.</p>
      ) : !replies ? (
        <p className="hint">Loading saved replies…</p>
      ) : matches.length === 0 ? (
        <p className="hint">
          {replies.length === 0 ? "No saved replies yet (Settings → Saved replies)." : "No match."}
        </p>
      ) : (
        <ul className="saved-reply-list" aria-label="Saved replies">
          {matches.slice(0, 20).map((reply) => (
            <li key={reply.id}>
              <button type="button" className="saved-reply-option" onClick={() => onInsert(reply.body)}>
                <strong>{reply.name}</strong>
                <span className="hint">{reply.body.slice(0, 90)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
