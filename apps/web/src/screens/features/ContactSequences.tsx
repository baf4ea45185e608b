import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useId } from "react";
import { api } from "../../api/client.ts";
import { formatDateTime } from "../../lib/time.ts";
import { useSubmit } from "../settings/forms.ts";

interface Enrollment {
  id: string;
  sequence: { id: string; name: string };
  state: "active" | "paused" | "completed" | "stopped" | "unsubscribed";
  pause_reason: string | null;
  resume_at: string | null;
  due_at: string | null;
}

/**
 * The contact's lifecycle sequences beside the conversation: whether each is running or paused
 * (and why: a human conversation pauses them by itself), with pause, resume and stop at hand.
 */
export function ContactSequences({ contactId }: { contactId: string }) {
  const titleId = useId();
  const queryClient = useQueryClient();
  const key = ["contact-sequences", contactId];
  const list = useQuery({
    queryKey: key,
    queryFn: ({ signal }) =>
      api<{ suppressed: string | null; data: Enrollment[] }>(`/contacts/${contactId}/sequences`, { signal }),
  });
  const form = useSubmit([]);
  const running = (list.data?.data ?? []).filter((e) => e.state === "active" || e.state === "paused");
  if (!list.data || (running.length === 0 && !list.data.suppressed)) return null;

  async function change(id: string, state: "paused" | "active" | "stopped") {
    await form.run(async () => {
      await api(`/sequence-enrollments/${id}`, { method: "PATCH", body: { state } });
      await queryClient.invalidateQueries({ queryKey: key });
    });
  }

  return (
    <section className="sidebar-section" aria-labelledby={titleId}>
      <h3 id={titleId}>Automated email</h3>
      {list.data.suppressed && (
        <p className="hint">This contact {list.data.suppressed}: no automated email.</p>
      )}
      <ul className="history">
        {running.map((e) => (
          <li key={e.id}>
            <strong>{e.sequence.name}</strong>{" "}
            <span className="hint">
              {e.state === "paused"
                ? `paused: ${e.pause_reason ?? "by hand"}${e.resume_at ? ` (resumes ${formatDateTime(e.resume_at)})` : ""}`
                : e.due_at
                  ? `next email ${formatDateTime(e.due_at)}`
                  : "running"}
            </span>{" "}
            {e.state === "active" ? (
              <button
                type="button"
                className="button"
                disabled={form.busy}
                onClick={() => void change(e.id, "paused")}
              >
                Pause
              </button>
            ) : (
              <button
                type="button"
                className="button"
                disabled={form.busy}
                onClick={() => void change(e.id, "active")}
              >
                Resume
              </button>
            )}{" "}
            <button
              type="button"
              className="button"
              disabled={form.busy}
              onClick={() => void change(e.id, "stopped")}
            >
              Stop
            </button>
          </li>
        ))}
      </ul>
      {form.formLevel && <p className="field-error">{form.formLevel}</p>}
    </section>
  );
}
