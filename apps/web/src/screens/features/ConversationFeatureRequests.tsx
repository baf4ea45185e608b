import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { type FormEvent, useId, useState } from "react";
import { useSubmit } from "../settings/forms.ts";
import {
  createRequest,
  linkConversation,
  listRequests,
  requestsOfConversation,
  STATUS_LABEL,
} from "./api.ts";

/**
 * The sidebar's feature requests: what this conversation is linked to, and a field to link it to a
 * request found by title or created on the spot.
 */
export function ConversationFeatureRequests({ conversationId }: { conversationId: string }) {
  const queryClient = useQueryClient();
  const listId = useId();
  const [title, setTitle] = useState("");
  const linked = useQuery({
    queryKey: ["feature-requests", "of-conversation", conversationId],
    queryFn: ({ signal }) => requestsOfConversation(conversationId, signal),
  });
  const matches = useQuery({
    queryKey: ["feature-requests", "search", title.trim()],
    queryFn: ({ signal }) => listRequests({ sort: "count", q: title.trim() || undefined }, signal),
    enabled: title.trim().length > 0,
    staleTime: 30_000,
  });
  const form = useSubmit(["title", "conversation_id"]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const wanted = title.trim();
    if (!wanted) return;
    const ok = await form.run(async () => {
      const existing = matches.data?.data.find((r) => r.title.toLowerCase() === wanted.toLowerCase());
      const id = existing?.id ?? (await createRequest(wanted)).id;
      await linkConversation(id, conversationId);
      await queryClient.invalidateQueries({ queryKey: ["feature-requests"] });
    });
    if (ok) setTitle("");
  }

  return (
    <section className="sidebar-section" aria-labelledby={`${listId}-title`}>
      <h3 id={`${listId}-title`}>
        <Link to="/feature-requests">Feature requests</Link>
      </h3>
      {(linked.data?.data ?? []).length > 0 && (
        <ul className="history">
          {linked.data?.data.map((entry) => (
            <li key={entry.ask_id}>
              {entry.request.title} <span className="hint">· {STATUS_LABEL[entry.request.status]}</span>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={submit} noValidate>
        <input
          aria-label="Link to a feature request"
          placeholder="Search or create a request"
          list={`${listId}-options`}
          value={title}
          onChange={(e) => setTitle(e.target.value)}
        />
        <datalist id={`${listId}-options`}>
          {matches.data?.data.map((r) => (
            <option key={r.id} value={r.title} />
          ))}
        </datalist>{" "}
        <button type="submit" className="button" disabled={form.busy || !title.trim()}>
          Link
        </button>
        {form.error && <p className="field-error">{form.error.problem.title}</p>}
      </form>
    </section>
  );
}
