import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { Contact } from "../../api/types.ts";
import { formatDateTime } from "../../lib/time.ts";
import { useSubmit } from "../settings/forms.ts";
import { ContactPicker } from "./ContactPicker.tsx";
import {
  changeEnrollment,
  type EnrollResult,
  enroll,
  previewSequence,
  type SequenceDetail,
  sequencesOfContact,
} from "./api.ts";

/**
 * One contact and this sequence: every step as they would receive it (with a warning for each
 * variable they lack), adding them by hand, and their history here with pause, resume and stop.
 */
export function SequenceContact({ sequence }: { sequence: SequenceDetail }) {
  const [contact, setContact] = useState<Contact | null>(null);
  return (
    <section className="automation-contact-panel" aria-labelledby="sequence-contact-title">
      <h3 id="sequence-contact-title">Preview and people</h3>
      <ContactPicker label="Contact" value={contact} onChange={setContact} />
      <Preview sequenceId={sequence.id} contact={contact} />
      {contact && <Membership sequence={sequence} contact={contact} />}
    </section>
  );
}

function Preview({ sequenceId, contact }: { sequenceId: string; contact: Contact | null }) {
  const preview = useQuery({
    queryKey: ["sequence-preview", sequenceId, contact?.id ?? null],
    queryFn: ({ signal }) => previewSequence(sequenceId, contact?.id, signal),
  });
  if (preview.isPending) return <p className="hint">Rendering…</p>;
  if (preview.isError) return <p className="field-error">{preview.error.message}</p>;
  if (preview.data.steps.length === 0) return <p className="hint">Add a step to preview it.</p>;
  return (
    <ol className="automation-preview" aria-label="Preview">
      {preview.data.steps.map((step) => (
        <li key={step.position} className="automation-preview-step">
          <p>
            <strong>{step.subject || "(no subject)"}</strong>
            {!step.conditions_met && (
              <span className="hint"> · skipped for this contact: its conditions are not met</span>
            )}
          </p>
          {step.warnings.length > 0 && (
            <ul className="automation-warnings" aria-label={`Warnings for step ${step.position + 1}`}>
              {step.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          )}
          <div
            className="automation-mail"
            // Rendered by the server's markdown-it with raw HTML off and unsafe links refused: the mail's own HTML part.
            // biome-ignore lint/security/noDangerouslySetInnerHtml: produced by the server without raw HTML
            dangerouslySetInnerHTML={{ __html: step.html }}
          />
        </li>
      ))}
    </ol>
  );
}

function Membership({ sequence, contact }: { sequence: SequenceDetail; contact: Contact }) {
  const queryClient = useQueryClient();
  const key = ["contact-sequences", contact.id];
  const list = useQuery({ queryKey: key, queryFn: ({ signal }) => sequencesOfContact(contact.id, signal) });
  const form = useSubmit(["contact_ids", "state"]);
  const [result, setResult] = useState<EnrollResult | null>(null);
  const who = contact.name ?? contact.email ?? "this contact";
  const mine = list.data?.data.find((e) => e.sequence.id === sequence.id);
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: key });
    await queryClient.invalidateQueries({ queryKey: ["sequence", sequence.id] });
  };

  async function add() {
    await form.run(async () => {
      setResult(await enroll(sequence.id, [contact.id]));
      await refresh();
    });
  }
  async function change(state: "paused" | "active" | "stopped") {
    if (!mine) return;
    await form.run(async () => {
      await changeEnrollment(mine.id, state);
      await refresh();
    });
  }

  return (
    <div className="automation-membership">
      {list.data?.suppressed && (
        <p className="hint">
          {who} {list.data.suppressed}: automation never emails them.
        </p>
      )}
      {mine ? (
        <>
          <p>
            {who} is <strong>{mine.state}</strong> here
            {mine.state === "paused" && mine.pause_reason ? ` (${mine.pause_reason})` : ""}
            {mine.state === "active" && mine.due_at
              ? `: step ${mine.next_position + 1} due ${formatDateTime(mine.due_at)}`
              : ""}
            .
          </p>
          {(mine.state === "active" || mine.state === "paused") && (
            <div className="automation-actions">
              {mine.state === "active" ? (
                <button
                  type="button"
                  className="button"
                  disabled={form.busy}
                  onClick={() => void change("paused")}
                >
                  Pause
                </button>
              ) : (
                <button
                  type="button"
                  className="button"
                  disabled={form.busy}
                  onClick={() => void change("active")}
                >
                  Resume
                </button>
              )}
              <button
                type="button"
                className="button"
                disabled={form.busy}
                onClick={() => void change("stopped")}
              >
                Stop
              </button>
            </div>
          )}
          <h4>History</h4>
          {mine.history.length === 0 ? (
            <p className="hint">
              Entered {formatDateTime(mine.entered_at)} ({mine.entered_via}); nothing sent yet.
            </p>
          ) : (
            <ol className="history" aria-label="History">
              {mine.history.map((h) => (
                <li key={`${h.position}-${h.at}`}>
                  Step {h.position + 1}: {h.state} {formatDateTime(h.at)}
                  {h.detail ? <span className="hint"> · {h.detail}</span> : null}
                </li>
              ))}
            </ol>
          )}
        </>
      ) : (
        list.data && (
          <button type="button" className="button" disabled={form.busy} onClick={() => void add()}>
            Add {who} to this sequence
          </button>
        )
      )}
      {result && result.skipped.length > 0 && (
        <p className="field-error">Not added: {result.skipped.map((s) => s.reason).join("; ")}</p>
      )}
      {form.error && <p className="field-error">{form.error.problem.title}</p>}
    </div>
  );
}
