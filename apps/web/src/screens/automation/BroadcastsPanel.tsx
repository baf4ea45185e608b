import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useInboxes } from "../../api/directory.ts";
import { Field } from "../../components/Field.tsx";
import { formatDateTime } from "../../lib/time.ts";
import { FormStatus } from "../settings/FormStatus.tsx";
import { useSubmit } from "../settings/forms.ts";
import { ConditionsEditor, cleanConditions } from "./ConditionsEditor.tsx";
import {
  type BroadcastInput,
  type BroadcastPreview,
  listSequences,
  previewBroadcast,
  sendBroadcast,
} from "./api.ts";

const FIELDS = ["name", "inbox_id", "subject", "body", "segment", "segment.conditions"];

/**
 * A one-off announcement to a segment, under the rules of automated mail: the preview shows how
 * many receive it (and a sample with missing-variable warnings) and who is left out and why.
 */
export function BroadcastsPanel() {
  const queryClient = useQueryClient();
  const emailInboxes = useInboxes().filter((i) => i.channel === "email");
  const [inboxId, setInboxId] = useState("");
  const [subject, setSubject] = useState("");
  const [body, setBody] = useState("");
  const [conditions, setConditions] = useState<BroadcastInput["segment"]["conditions"]>([]);
  const [preview, setPreview] = useState<BroadcastPreview | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const previewForm = useSubmit(FIELDS);
  const sendForm = useSubmit(FIELDS);
  const inbox = inboxId || emailInboxes[0]?.id || "";
  const input = (): BroadcastInput => ({
    inbox_id: inbox,
    subject,
    body,
    segment: { conditions: cleanConditions(conditions) },
  });
  // Any edit makes the preview stale: it must be looked at again before sending.
  const edited =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setPreview(null);
      setSent(null);
    };
  const error = (field: string) => sendForm.fieldError(field) ?? previewForm.fieldError(field);

  async function showPreview(event: FormEvent) {
    event.preventDefault();
    await previewForm.run(async () => setPreview(await previewBroadcast(input())));
  }
  async function send() {
    await sendForm.run(async () => {
      const result = await sendBroadcast(input());
      setSent(`Sent to ${result.enrolled} ${result.enrolled === 1 ? "contact" : "contacts"}`);
      setPreview(null);
      await queryClient.invalidateQueries({ queryKey: ["sequences"] });
    });
  }

  return (
    <div className="automation-split">
      <form className="automation-broadcast" aria-label="Broadcast" onSubmit={showPreview} noValidate>
        <h2>New broadcast</h2>
        <Field label="Sent from" error={error("inbox_id")}>
          {(props) => (
            <select {...props} value={inbox} onChange={(e) => edited(setInboxId)(e.target.value)}>
              {emailInboxes.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.name} ({i.address})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Subject" error={error("subject")}>
          {(props) => (
            <input {...props} value={subject} onChange={(e) => edited(setSubject)(e.target.value)} />
          )}
        </Field>
        <Field label="Message" error={error("body")}>
          {(props) => (
            <textarea {...props} rows={8} value={body} onChange={(e) => edited(setBody)(e.target.value)} />
          )}
        </Field>
        <ConditionsEditor
          label="Segment condition"
          conditions={conditions}
          onChange={edited(setConditions)}
          error={error("segment") ?? error("segment.conditions")}
        />
        <div className="automation-actions">
          <button type="submit" className="button" disabled={previewForm.busy}>
            Preview recipients
          </button>
          <button
            type="button"
            className="button button-primary"
            disabled={!preview || preview.recipients === 0 || sendForm.busy}
            onClick={() => void send()}
          >
            {preview ? `Send to ${preview.recipients}` : "Send"}
          </button>
          <FormStatus problem={sendForm.formLevel ?? previewForm.formLevel} saved={false} />
        </div>
        {sent && <output className="form-saved">{sent}</output>}
      </form>
      <div className="automation-detail">
        {preview ? <PreviewList preview={preview} /> : <PastBroadcasts />}
      </div>
    </div>
  );
}

function PreviewList({ preview }: { preview: BroadcastPreview }) {
  return (
    <section aria-labelledby="broadcast-preview-title">
      <h2 id="broadcast-preview-title">
        {preview.recipients} {preview.recipients === 1 ? "recipient" : "recipients"}
      </h2>
      {preview.sample.length > 0 && (
        <ul className="automation-sample" aria-label="Sample recipients">
          {preview.sample.map((r) => (
            <li key={r.contact_id}>
              <strong>{r.name ?? r.email}</strong> <span className="hint">{r.email}</span>
              <div>{r.subject}</div>
              {r.warnings.length > 0 && (
                <ul className="automation-warnings">
                  {r.warnings.map((w) => (
                    <li key={w}>{w}</li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
      {preview.skipped.length > 0 && (
        <p className="hint">
          Left out: {preview.skipped.length} ({[...new Set(preview.skipped.map((s) => s.reason))].join("; ")})
        </p>
      )}
    </section>
  );
}

function PastBroadcasts() {
  const list = useQuery({ queryKey: ["sequences"], queryFn: ({ signal }) => listSequences(signal) });
  const past = (list.data?.data ?? []).filter((s) => s.kind === "broadcast");
  return (
    <section aria-labelledby="past-broadcasts-title">
      <h2 id="past-broadcasts-title">Sent broadcasts</h2>
      {past.length === 0 ? (
        <p className="hint">None yet. Write one, preview who receives it, then send.</p>
      ) : (
        <ul className="history">
          {past.map((b) => (
            <li key={b.id}>
              {b.name} <span className="hint">· {formatDateTime(b.created_at)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
