import type { Condition, Operator } from "./api.ts";

const OPERATORS: { value: Operator; label: string }[] = [
  { value: "eq", label: "is" },
  { value: "neq", label: "is not" },
  { value: "contains", label: "contains" },
  { value: "gt", label: "greater than" },
  { value: "lt", label: "less than" },
  { value: "exists", label: "is set / happened" },
  { value: "not_exists", label: "is not set / never happened" },
];

const needsValue = (op: Operator) => op !== "exists" && op !== "not_exists";

/**
 * Conditions on contact or company attributes and events (all must hold). Fields are typed as the
 * server names them (contact.email, company.plan, contact.attributes.role, event.signed_up), so
 * the server's message for a bad one appears under the list.
 */
export function ConditionsEditor({
  label,
  conditions,
  onChange,
  error,
}: {
  label: string;
  conditions: Condition[];
  onChange: (next: Condition[]) => void;
  error?: string;
}) {
  const set = (i: number, change: Partial<Condition>) =>
    onChange(conditions.map((c, j) => (j === i ? { ...c, ...change } : c)));
  return (
    <fieldset className="automation-conditions">
      <legend>{label}</legend>
      {conditions.length === 0 && <p className="hint">No conditions: everyone.</p>}
      {conditions.map((condition, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity beyond their place
        <div className="automation-condition" key={i}>
          <input
            aria-label={`${label} ${i + 1}: field`}
            placeholder="company.plan"
            list="automation-condition-fields"
            value={condition.field}
            onChange={(e) => set(i, { field: e.target.value.trim() })}
          />
          <select
            aria-label={`${label} ${i + 1}: test`}
            value={condition.op}
            onChange={(e) => {
              const op = e.target.value as Operator;
              set(i, needsValue(op) ? { op } : { op, value: undefined });
            }}
          >
            {OPERATORS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
          {needsValue(condition.op) && (
            <input
              aria-label={`${label} ${i + 1}: value`}
              value={condition.value === undefined ? "" : String(condition.value)}
              onChange={(e) => set(i, { value: e.target.value })}
            />
          )}
          <button
            type="button"
            className="icon-button"
            aria-label={`Remove ${label.toLowerCase()} ${i + 1}`}
            onClick={() => onChange(conditions.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </div>
      ))}
      <button
        type="button"
        className="button"
        onClick={() => onChange([...conditions, { field: "", op: "eq", value: "" }])}
      >
        Add condition
      </button>
      {error && <p className="field-error">{error}</p>}
      <datalist id="automation-condition-fields">
        {[
          "contact.email",
          "contact.name",
          "company.name",
          "company.plan",
          "company.mrr_cents",
          "contact.attributes.",
          "company.attributes.",
          "event.",
        ].map((f) => (
          <option key={f} value={f} />
        ))}
      </datalist>
    </fieldset>
  );
}

/** Numbers typed into a value field go to the server as numbers, so "mrr_cents greater than 5000" compares numerically. */
export function cleanConditions(conditions: Condition[]): Condition[] {
  return conditions.map(({ field, op, value }) => {
    if (op === "exists" || op === "not_exists") return { field, op };
    const text = String(value ?? "");
    return { field, op, value: text.trim() !== "" && Number.isFinite(Number(text)) ? Number(text) : text };
  });
}
