import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { type BulkChange, bulkUpdate } from "../api/bulk.ts";
import { useAgents } from "../api/directory.ts";
import { useSession } from "../api/session.ts";
import { CloseIcon } from "../components/icons.tsx";
import { asApiError } from "./settings/forms.ts";

/** What to do with the selected conversations: assign, tag, resolve. Replaces the list header while a selection exists. */
export function BulkBar({
  selected,
  allSelected,
  onSelectAll,
  onClear,
  onDone,
}: {
  selected: string[];
  allSelected: boolean;
  onSelectAll: (all: boolean) => void;
  onClear: () => void;
  onDone: (message: string) => void;
}) {
  const queryClient = useQueryClient();
  const session = useSession();
  const agents = useAgents().filter((a) => a.role !== "viewer");
  const [tag, setTag] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();

  async function apply(change: BulkChange, what: string) {
    setBusy(true);
    setProblem(undefined);
    try {
      const updated = await bulkUpdate(queryClient, selected, change);
      onDone(`${what}: ${updated.length} conversation${updated.length === 1 ? "" : "s"} changed`);
      setTag("");
      onClear();
    } catch (caught) {
      setProblem(asApiError(caught).problem.title);
    } finally {
      setBusy(false);
    }
  }

  function addTag(event: FormEvent) {
    event.preventDefault();
    const name = tag.trim();
    if (name) void apply({ add_tags: [name] }, `Tagged ${name}`);
  }

  return (
    <div className="bulk-bar" role="toolbar" aria-label="Selected conversations">
      <input
        type="checkbox"
        checked={allSelected}
        aria-label="Select every loaded conversation"
        onChange={(e) => onSelectAll(e.target.checked)}
      />
      <span className="bulk-count">{selected.length} selected</span>
      <select
        aria-label="Assign the selected conversations"
        value=""
        disabled={busy}
        onChange={(e) => {
          const value = e.target.value;
          if (!value) return;
          const assignee = value === "none" ? null : value;
          void apply({ assignee_id: assignee }, assignee ? "Assigned" : "Unassigned");
        }}
      >
        <option value="">Assign…</option>
        <option value={session.agent.id}>Me ({session.agent.name})</option>
        {agents
          .filter((a) => a.id !== session.agent.id)
          .map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        <option value="none">Unassigned</option>
      </select>
      <form className="bulk-tag" onSubmit={addTag}>
        <input
          aria-label="Tag the selected conversations"
          placeholder="Tag…"
          value={tag}
          maxLength={50}
          onChange={(e) => setTag(e.target.value)}
        />
      </form>
      <button
        type="button"
        className="button button-primary"
        disabled={busy}
        onClick={() => void apply({ status: "resolved" }, "Resolved")}
      >
        Resolve
      </button>
      <button type="button" className="icon-button" aria-label="Clear the selection" onClick={onClear}>
        <CloseIcon />
      </button>
      {problem && (
        <p className="form-error bulk-message" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
