import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { api } from "../../api/client.ts";
import { Field } from "../../components/Field.tsx";
import { FormStatus } from "./FormStatus.tsx";
import { useSubmit } from "./forms.ts";

interface SurveySettings {
  enabled: boolean;
  delay_minutes: number;
  question: string | null;
  min_days_between: number;
}

const FIELDS = ["enabled", "delay_minutes", "question", "min_days_between"];

/** An inbox's one-click satisfaction survey: on or off, when it goes out, what it asks, how often. */
export function SurveySettingsForm({ inboxId, inboxName }: { inboxId: string; inboxName: string }) {
  const queryClient = useQueryClient();
  const key = ["survey-settings", inboxId];
  const { data } = useQuery({
    queryKey: key,
    queryFn: () => api<SurveySettings>(`/inboxes/${inboxId}/survey-settings`),
  });
  const [enabled, setEnabled] = useState(false);
  const [delay, setDelay] = useState("0");
  const [question, setQuestion] = useState("");
  const [days, setDays] = useState("0");
  const form = useSubmit(FIELDS);
  useEffect(() => {
    if (!data) return;
    setEnabled(data.enabled);
    setDelay(String(data.delay_minutes));
    setQuestion(data.question ?? "");
    setDays(String(data.min_days_between));
  }, [data]);

  // A value that is not a whole number goes as typed, so the server names the field.
  const asNumber = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text) : text);

  async function submit(event: FormEvent) {
    event.preventDefault();
    await form.run(async () => {
      const saved = await api<SurveySettings>(`/inboxes/${inboxId}/survey-settings`, {
        method: "PUT",
        body: {
          enabled,
          delay_minutes: asNumber(delay),
          question: question.trim() || null,
          min_days_between: asNumber(days),
        },
      });
      queryClient.setQueryData(key, saved);
    });
  }

  if (!data) return <p className="hint">Loading the survey settings…</p>;
  return (
    <form
      className="settings-form survey-settings"
      onSubmit={submit}
      noValidate
      aria-label={`Survey of ${inboxName}`}
    >
      <h3>Satisfaction survey</h3>
      <label className="check">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        Ask customers to rate the answer when a conversation is resolved
      </label>
      <div className="settings-inline-form">
        <Field label="Send after (minutes)" error={form.fieldError("delay_minutes")}>
          {(props) => (
            <input {...props} inputMode="numeric" value={delay} onChange={(e) => setDelay(e.target.value)} />
          )}
        </Field>
        <Field label="At most once per contact every (days)" error={form.fieldError("min_days_between")}>
          {(props) => (
            <input {...props} inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} />
          )}
        </Field>
      </div>
      <Field label="Question (empty for the default wording)" error={form.fieldError("question")}>
        {(props) => <input {...props} value={question} onChange={(e) => setQuestion(e.target.value)} />}
      </Field>
      <div className="form-actions">
        <button type="submit" className="button" disabled={form.busy}>
          Save survey
        </button>
        <FormStatus problem={form.formLevel} saved={form.saved} />
      </div>
    </form>
  );
}
