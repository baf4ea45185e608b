import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useRef, useState } from "react";
import { ApiError } from "../api/client.ts";
import { addTag, removeTag, updateConversation } from "../api/conversations.ts";
import { tagsQuery, useAgents } from "../api/directory.ts";
import type { Conversation, ConversationPatch } from "../api/types.ts";
import { AgentAvatar } from "../components/Avatar.tsx";
import { CloseIcon } from "../components/icons.tsx";
import { useCommand } from "../lib/commands.ts";
import { STATUSES } from "../lib/views.ts";

/** Snooze choices, as the moment each ends. */
function snoozeChoices(now = new Date()) {
  const at = (days: number, hour: number) => {
    const d = new Date(now);
    d.setDate(d.getDate() + days);
    d.setHours(hour, 0, 0, 0);
    return d;
  };
  const nextMonday = (8 - now.getDay()) % 7 || 7;
  return [
    { label: "For 1 hour", until: new Date(now.getTime() + 3_600_000) },
    { label: "For 4 hours", until: new Date(now.getTime() + 4 * 3_600_000) },
    { label: "Until tomorrow 9:00", until: at(1, 9) },
    { label: "Until Monday 9:00", until: at(nextMonday, 9) },
  ];
}

function openPicker(element: HTMLSelectElement | null) {
  if (!element) return;
  element.focus();
  try {
    element.showPicker();
  } catch {
    // Not every browser opens a select on demand; focus is enough to pick with the arrow keys.
  }
}

/** Assignee, status, snooze and tags of the open conversation. */
export function ConversationActions({ conversation: c, myId }: { conversation: Conversation; myId: string }) {
  const queryClient = useQueryClient();
  const agents = useAgents();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const assignRef = useRef<HTMLSelectElement>(null);
  const snoozeRef = useRef<HTMLSelectElement>(null);

  async function act(what: string, action: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(`Could not ${what}: ${caught instanceof ApiError ? caught.problem.title : String(caught)}`);
    } finally {
      setBusy(false);
    }
  }
  const patch = (what: string, body: ConversationPatch) =>
    act(what, () => updateConversation(queryClient, myId, c.id, body));

  const resolved = c.status === "resolved";
  const toggleResolved = () =>
    patch(resolved ? "reopen" : "resolve", { status: resolved ? "open" : "resolved" });

  useCommand("resolve", () => void toggleResolved());
  useCommand("assign", () => openPicker(assignRef.current));
  useCommand("snooze", () => openPicker(snoozeRef.current));

  const me = agents.find((a) => a.id === myId);
  const others = agents.filter((a) => a.id !== myId && a.role !== "viewer");

  return (
    <div className="actions">
      <div className="actions-row">
        <label className="inline-field">
          <AgentAvatar agentId={c.assignee_id} size={20} />
          <span>Assignee</span>
          <select
            ref={assignRef}
            value={c.assignee_id ?? ""}
            disabled={busy}
            onChange={(e) => {
              // Leave the field, so the next shortcut is a shortcut and not a type-ahead in the list.
              e.target.blur();
              void patch("assign", { assignee_id: e.target.value || null });
            }}
          >
            <option value="">Unassigned</option>
            {me && <option value={me.id}>Me ({me.name})</option>}
            {others.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-field">
          <span>Status</span>
          <select
            value={c.status}
            disabled={busy}
            onChange={(e) =>
              void patch("change the status", { status: e.target.value as Conversation["status"] })
            }
          >
            {STATUSES.map((s) => (
              <option key={s.value} value={s.value} disabled={s.value === "snoozed"}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-field">
          <span>Snooze</span>
          <select
            ref={snoozeRef}
            value=""
            disabled={busy}
            onChange={(e) => {
              e.target.blur();
              const choice = snoozeChoices()[Number(e.target.value)];
              if (choice)
                void patch("snooze", { status: "snoozed", snoozed_until: choice.until.toISOString() });
            }}
          >
            <option value="">{c.status === "snoozed" && c.snoozed_until ? "Snoozed" : "Not snoozed"}</option>
            {snoozeChoices().map((choice, index) => (
              <option key={choice.label} value={index}>
                {choice.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="button" disabled={busy} onClick={() => void toggleResolved()}>
          {resolved ? "Reopen" : "Resolve"} <kbd>e</kbd>
        </button>
      </div>
      <Tags conversation={c} onAct={act} myId={myId} />
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function Tags({
  conversation: c,
  myId,
  onAct,
}: {
  conversation: Conversation;
  myId: string;
  onAct: (what: string, action: () => Promise<unknown>) => Promise<void>;
}) {
  const queryClient = useQueryClient();
  const known = useQuery(tagsQuery).data ?? [];
  const [name, setName] = useState("");

  function submit(event: FormEvent) {
    event.preventDefault();
    const tag = name.trim();
    if (!tag) return;
    void onAct("add the tag", async () => {
      await addTag(queryClient, myId, c.id, tag);
      setName("");
    });
  }

  return (
    <form className="tags-editor" onSubmit={submit} aria-label="Tags">
      <ul className="tag-list">
        {c.tags.map((t) => (
          <li key={t.id} className="tag" style={{ borderColor: t.color }}>
            {t.name}
            <button
              type="button"
              className="tag-remove"
              aria-label={`Remove the tag ${t.name}`}
              onClick={() => void onAct("remove the tag", () => removeTag(queryClient, myId, c.id, t.id))}
            >
              <CloseIcon />
            </button>
          </li>
        ))}
      </ul>
      <label htmlFor="tag-input" className="visually-hidden">
        Add a tag
      </label>
      <input
        id="tag-input"
        className="tag-input"
        list="known-tags"
        placeholder="Add a tag"
        value={name}
        maxLength={50}
        onChange={(e) => setName(e.target.value)}
      />
      <datalist id="known-tags">
        {known.map((t) => (
          <option key={t.id} value={t.name} />
        ))}
      </datalist>
    </form>
  );
}
