import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { useSubmit } from "../settings/forms.ts";
import { createRequest, linkConversation, listRequests, STATUS_LABEL } from "./api.ts";
import "./features.css";

/**
 * The composer's "Feature request" tool: while writing, find a request by title (or create it) and
 * link this conversation to it, so the customer is counted and hears when it ships.
 */
export function ComposerFeatureRequest({ conversationId }: { conversationId: string }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  return (
    <>
      <button
        type="button"
        className="button"
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        onClick={() => setOpen(!open)}
      >
        Feature request
      </button>
      {open && (
        <FeatureRequestPicker id={panelId} conversationId={conversationId} onClose={() => setOpen(false)} />
      )}
    </>
  );
}

function FeatureRequestPicker({
  id,
  conversationId,
  onClose,
}: {
  id: string;
  conversationId: string;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [q, setQ] = useState("");
  const [linked, setLinked] = useState<string | null>(null);
  const wanted = q.trim();
  const matches = useQuery({
    queryKey: ["feature-requests", "search", wanted],
    queryFn: ({ signal }) => listRequests({ sort: "count", q: wanted || undefined }, signal),
    staleTime: 30_000,
  });
  const form = useSubmit(["title", "conversation_id"]);
  useEffect(() => input.current?.focus(), []);
  const exact = matches.data?.data.some((r) => r.title.toLowerCase() === wanted.toLowerCase());

  async function link(requestId: string | null, title: string) {
    const ok = await form.run(async () => {
      const target = requestId ?? (await createRequest(title)).id;
      await linkConversation(target, conversationId);
      await queryClient.invalidateQueries({ queryKey: ["feature-requests"] });
    });
    if (ok) {
      setLinked(title);
      setQ("");
    }
  }

  return (
    <section
      id={id}
      className="composer-feature-request"
      aria-label="Link a feature request"
      onKeyDown={(e) => {
        if (e.key === "Escape") onClose();
      }}
    >
      <input
        ref={input}
        type="search"
        aria-label="Find or create a feature request"
        placeholder="Find or create a feature request"
        value={q}
        onChange={(e) => setQ(e.target.value)}
      />
      <ul className="composer-feature-matches">
        {matches.data?.data.slice(0, 8).map((r) => (
          <li key={r.id}>
            <button
              type="button"
              className="link-button"
              disabled={form.busy}
              onClick={() => void link(r.id, r.title)}
            >
              {r.title}
            </button>{" "}
            <span className="hint">
              {STATUS_LABEL[r.status]} · {r.contact_count} asked
            </span>
          </li>
        ))}
        {wanted && !exact && (
          <li>
            <button
              type="button"
              className="link-button"
              disabled={form.busy}
              onClick={() => void link(null, wanted)}
            >
              Create “{wanted}” and link
            </button>
          </li>
        )}
      </ul>
      {linked && <output className="form-saved">Linked to “{linked}”</output>}
      {form.error && <p className="field-error">{form.error.problem.title}</p>}
    </section>
  );
}
