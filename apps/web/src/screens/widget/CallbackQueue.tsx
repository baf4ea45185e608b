import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client.ts";
import { DEFAULT_SEARCH } from "../../lib/views.ts";
import { FormStatus } from "../settings/FormStatus.tsx";
import { useSubmit } from "../settings/forms.ts";

/*
 * The callback queue: customers who asked to be called, earliest window first. Each shows the
 * number as a tel: link ("call now"), the window in the agent's and the customer's time, the reason,
 * and a form for the outcome of the call with notes. The first attempt is the callback's answer.
 */

interface Callback {
  conversation_id: string;
  contact: { id: string; name: string | null };
  phone: string;
  tel_url: string;
  time_zone: string;
  window_start: string;
  window_end: string;
  reason: string;
  state: "waiting" | "done";
  outcome: "reached" | "no_answer" | "retry_later" | null;
  attempts: number;
  speed_of_answer_ms: number | null;
}

const OUTCOMES: [Callback["outcome"] & string, string][] = [
  ["reached", "Reached"],
  ["no_answer", "No answer"],
  ["retry_later", "Retry later"],
];

const queueKey = (state: "waiting" | "done") => ["callbacks", state];

export function CallbackQueue() {
  const [state, setState] = useState<"waiting" | "done">("waiting");
  const { data, isLoading } = useQuery({
    queryKey: queueKey(state),
    queryFn: () => api<{ data: Callback[] }>(`/callbacks?state=${state}&limit=100`).then((r) => r.data),
    refetchInterval: 15_000,
  });
  const callbacks = data ?? [];
  return (
    // The shared stylesheet has no single-column page frame; this screen sets its own.
    <main style={{ flex: 1, minHeight: 0, overflowY: "auto", padding: "16px 24px" }}>
      <section className="settings-page" aria-labelledby="callbacks-title">
        <h1 id="callbacks-title">Callbacks</h1>
        <p className="hint settings-description">
          Customers who asked for a call, the earliest window first. The time from request to first call is
          the callback's speed of answer.
        </p>
        <fieldset
          className="form-actions"
          aria-label="Show"
          style={{ border: 0, padding: 0, flexWrap: "nowrap" }}
        >
          <button
            type="button"
            className={state === "waiting" ? "button button-primary" : "button"}
            aria-pressed={state === "waiting"}
            onClick={() => setState("waiting")}
          >
            To call
          </button>
          <button
            type="button"
            className={state === "done" ? "button button-primary" : "button"}
            aria-pressed={state === "done"}
            onClick={() => setState("done")}
          >
            Completed
          </button>
        </fieldset>
        {isLoading ? null : callbacks.length === 0 ? (
          <p className="hint">
            {state === "waiting" ? "Nobody is waiting for a call." : "No completed calls yet."}
          </p>
        ) : (
          <ul className="settings-rows" aria-label="Callback requests">
            {callbacks.map((callback) => (
              <CallbackRow key={callback.conversation_id} callback={callback} />
            ))}
          </ul>
        )}
      </section>
    </main>
  );
}

function when(iso: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    timeZone,
  }).format(new Date(iso));
}

function CallbackRow({ callback }: { callback: Callback }) {
  const queryClient = useQueryClient();
  const [outcome, setOutcome] = useState<string>("reached");
  const [notes, setNotes] = useState("");
  const form = useSubmit(["outcome", "notes"]);
  const name = callback.contact.name ?? callback.phone;
  const late = callback.state === "waiting" && new Date(callback.window_end).getTime() < Date.now();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const ok = await form.run(() =>
      api(`/conversations/${callback.conversation_id}/callback/attempts`, {
        method: "POST",
        body: { outcome, ...(notes.trim() ? { notes: notes.trim() } : {}) },
      }),
    );
    if (ok) {
      setNotes("");
      await queryClient.invalidateQueries({ queryKey: ["callbacks"] });
    }
  }

  return (
    <li className="settings-row" aria-label={`Callback for ${name}`} style={{ alignItems: "flex-start" }}>
      <div className="settings-row-main">
        <strong>{name}</strong>
        <span>
          <a href={callback.tel_url} className="button button-primary">
            Call now {callback.phone}
          </a>
        </span>
        <span className={late ? "form-error" : "hint"}>
          {when(callback.window_start)} – {when(callback.window_end)} your time
          {" · "}
          {when(callback.window_start, callback.time_zone)} in {callback.time_zone}
          {late ? " · window passed" : ""}
        </span>
        {callback.reason && <span>{callback.reason}</span>}
        <span className="hint">
          {callback.attempts === 0
            ? "Not called yet"
            : `${callback.attempts} attempt(s), last: ${callback.outcome}`}
          {" · "}
          <Link
            to="/conversations/$conversationId"
            params={{ conversationId: callback.conversation_id }}
            search={DEFAULT_SEARCH}
          >
            Open the conversation
          </Link>
        </span>
      </div>
      {callback.state === "waiting" && (
        <form className="settings-row-form" onSubmit={submit}>
          <label>
            Outcome{" "}
            <select value={outcome} onChange={(e) => setOutcome(e.target.value)}>
              {OUTCOMES.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Notes <input value={notes} onChange={(e) => setNotes(e.target.value)} maxLength={5000} />
          </label>
          <button type="submit" className="button" disabled={form.busy}>
            Record the call
          </button>
          <FormStatus problem={form.formLevel ?? form.fieldError("notes")} saved={false} />
        </form>
      )}
    </li>
  );
}
