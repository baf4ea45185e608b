import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Field } from "../../components/Field.tsx";
import { FormStatus } from "../settings/FormStatus.tsx";
import { useSubmit } from "../settings/forms.ts";
import { ConditionsEditor, cleanConditions } from "./ConditionsEditor.tsx";
import { replaceSteps, type SequenceDetail, type Step, VARIABLES } from "./api.ts";

const blankStep = (): Step => ({
  delay_amount: 1,
  delay_unit: "days",
  subject: "",
  body: "",
  conditions: [],
});

/**
 * The steps of a sequence, saved together. Contacts already in the sequence keep their place and
 * get the new text of every step they have not reached yet (the server's editing rule).
 */
export function StepsEditor({ sequence }: { sequence: SequenceDetail }) {
  const queryClient = useQueryClient();
  const [steps, setSteps] = useState<Step[]>(() =>
    sequence.steps.map(({ delay_amount, delay_unit, subject, body, conditions }) => ({
      delay_amount,
      delay_unit,
      subject,
      body,
      conditions,
    })),
  );
  const fields = steps.flatMap((_, i) =>
    ["delay_amount", "delay_unit", "subject", "body", "conditions"].map((f) => `steps.${i}.${f}`),
  );
  const form = useSubmit(fields);
  const set = (i: number, change: Partial<Step>) =>
    setSteps((all) => all.map((s, j) => (j === i ? { ...s, ...change } : s)));
  const errorOf = (i: number, field: string) =>
    form.error?.fieldMessage(`steps.${i}.${field}`) ??
    // Ajv names a bad condition by its own path inside the step.
    form.error?.problem.errors?.find((e) => e.field.startsWith(`steps.${i}.${field}.`))?.message ??
    (form.error?.problem.field?.startsWith(`steps.${i}.${field}.`) ? form.error.problem.title : undefined);

  async function save(event: FormEvent) {
    event.preventDefault();
    await form.run(async () => {
      const saved = await replaceSteps(
        sequence.id,
        steps.map((s) => ({ ...s, conditions: cleanConditions(s.conditions) })),
      );
      queryClient.setQueryData(["sequence", sequence.id], saved);
      await queryClient.invalidateQueries({ queryKey: ["sequence-preview", sequence.id] });
    });
  }

  return (
    <form className="automation-steps" aria-label="Steps" onSubmit={save} noValidate>
      <h3>Steps</h3>
      <p className="hint">
        Markdown with variables: {VARIABLES.map((v) => `{{${v}}}`).join(", ")}. Give a fallback with{" "}
        <code>{'{{contact.first_name | "there"}}'}</code>. Edits apply to the steps a contact has not reached
        yet.
      </p>
      <ol className="automation-step-list">
        {steps.map((step, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a step is its position
          <li key={i} className="automation-step">
            <fieldset>
              <legend>Step {i + 1}</legend>
              <div className="automation-delay">
                <Field label={`Step ${i + 1}: wait`} error={errorOf(i, "delay_amount")}>
                  {(props) => (
                    <input
                      {...props}
                      type="number"
                      min={0}
                      max={365}
                      value={step.delay_amount}
                      onChange={(e) => set(i, { delay_amount: Number(e.target.value) })}
                    />
                  )}
                </Field>
                <Field label={`Step ${i + 1}: unit`} error={errorOf(i, "delay_unit")}>
                  {(props) => (
                    <select
                      {...props}
                      value={step.delay_unit}
                      onChange={(e) => set(i, { delay_unit: e.target.value as Step["delay_unit"] })}
                    >
                      <option value="days">days</option>
                      <option value="business_days">business days</option>
                    </select>
                  )}
                </Field>
                <span className="hint">{i === 0 ? "after entering" : "after the previous step"}</span>
              </div>
              <Field label={`Step ${i + 1}: subject`} error={errorOf(i, "subject")}>
                {(props) => (
                  <input
                    {...props}
                    value={step.subject}
                    onChange={(e) => set(i, { subject: e.target.value })}
                  />
                )}
              </Field>
              <Field label={`Step ${i + 1}: message`} error={errorOf(i, "body")}>
                {(props) => (
                  <textarea
                    {...props}
                    rows={5}
                    value={step.body}
                    onChange={(e) => set(i, { body: e.target.value })}
                  />
                )}
              </Field>
              <ConditionsEditor
                label={`Step ${i + 1} condition`}
                conditions={step.conditions}
                onChange={(conditions) => set(i, { conditions })}
                error={errorOf(i, "conditions")}
              />
              <button
                type="button"
                className="button"
                onClick={() => setSteps((all) => all.filter((_, j) => j !== i))}
              >
                Remove step {i + 1}
              </button>
            </fieldset>
          </li>
        ))}
      </ol>
      <div className="automation-actions">
        <button type="button" className="button" onClick={() => setSteps((all) => [...all, blankStep()])}>
          Add step
        </button>
        <button type="submit" className="button button-primary" disabled={form.busy}>
          Save steps
        </button>
        <FormStatus problem={form.formLevel} saved={form.saved} />
      </div>
    </form>
  );
}
