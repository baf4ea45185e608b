import { useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { api } from "../../api/client.ts";
import { useSession } from "../../api/session.ts";
import { Field } from "../../components/Field.tsx";
import { getRequest, listRequests } from "../features/api.ts";
import { FormStatus } from "./FormStatus.tsx";
import { useSubmit } from "./forms.ts";
import { SettingsCard, SettingsPage } from "./SettingsPage.tsx";
import { isAdminRole } from "./SettingsShell.tsx";
import "./customer-settings.css";

/* How customer health is scored (the server declares it in modules/health/schemas.ts:
 * HealthSettings, HealthSettingsBody). Saving recomputes every company in the background. */

const FACTORS = [
  ["csat", "Satisfaction (CSAT)", "Share of good or great ratings in 90 days: up to +10, down to −25."],
  ["bad_ratings", "Bad ratings", "−8 for each bad rating in 30 days (at most −24); flags at risk."],
  ["unanswered_bad_ratings", "Unanswered bad ratings", "−10 for each bad rating nobody has answered yet."],
  ["conversation_trend", "More conversations", "−10 when conversations doubled against the 30 days before."],
  [
    "long_waits",
    "Long waits",
    "−5 for each conversation whose first answer took longer than the limit below.",
  ],
  ["failed_payment", "Failed payment", "−25 while an invoice is unpaid, −5 for a card about to expire."],
  ["usage_trend", "Product usage", "−20 when usage stopped, −15 when it halved, +10 when it grew by half."],
  ["seats", "Seats used", "+5 near the seats bought (an upsell sign), −10 when under 30% are used."],
  ["last_contact", "Quiet customer", "−5 when there was no conversation for the days set below."],
  [
    "higher_plan_asks",
    "Asks for a higher plan",
    "+5 for asking for a higher plan's feature (an upsell sign).",
  ],
] as const;
type Factor = (typeof FACTORS)[number][0];

interface Health {
  weights: Record<Factor, number>;
  at_risk_below: number;
  long_wait_hours: number;
  quiet_days: number;
  upsell_seat_share: number;
  plans: string[];
  feature_plans: Record<string, string>;
}

const healthSettingsQuery = {
  queryKey: ["health-settings"],
  queryFn: () => api<Health>("/health/settings"),
};

const saveHealth = (body: Record<string, unknown>) =>
  api<Health>("/health/settings", { method: "PATCH", body });

/** A number when the text is one; otherwise the text itself, so the server's message names the field. */
function numeric(text: string): number | string {
  const value = Number(text.trim());
  return text.trim() !== "" && Number.isFinite(value) ? value : text;
}

/** Owners and admins tune the score; the server refuses anyone else. */
export function HealthSettings() {
  const admin = isAdminRole(useSession().workspace.role);
  return (
    <SettingsPage
      title="Customer health"
      description="Each company starts from a base score; each signal adds or takes points, times its weight. Scores and flags show on the Customer health screen."
    >
      {admin ? <HealthForms /> : <p className="hint">Only owners and admins change how health is scored.</p>}
    </SettingsPage>
  );
}

function HealthForms() {
  const queryClient = useQueryClient();
  const { data: health } = useQuery(healthSettingsQuery);
  if (!health) return <p className="hint">Loading…</p>;
  const onSaved = (saved: Health) => queryClient.setQueryData(healthSettingsQuery.queryKey, saved);
  return (
    <>
      <Scoring health={health} onSaved={onSaved} />
      <Plans health={health} onSaved={onSaved} />
    </>
  );
}

/** Shown after a save: the server recomputes every company in the background. */
function Recomputing({ saved }: { saved: boolean }) {
  return (
    <output className="hint" aria-live="polite">
      {saved ? "Every company's score is being recomputed with these settings." : ""}
    </output>
  );
}

const THRESHOLDS = ["at_risk_below", "long_wait_hours", "quiet_days", "upsell_seat_share"] as const;

function Scoring({ health, onSaved }: { health: Health; onSaved: (h: Health) => void }) {
  const initial = () => ({
    weights: Object.fromEntries(FACTORS.map(([f]) => [f, String(health.weights[f])])) as Record<
      Factor,
      string
    >,
    thresholds: Object.fromEntries(THRESHOLDS.map((k) => [k, String(health[k])])) as Record<
      (typeof THRESHOLDS)[number],
      string
    >,
  });
  const [values, setValues] = useState(initial);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload only when the saved settings change
  useEffect(() => setValues(initial()), [health]);
  const form = useSubmit([...FACTORS.map(([f]) => `weights.${f}`), ...THRESHOLDS]);
  const setWeight = (factor: Factor, text: string) =>
    setValues((old) => ({ ...old, weights: { ...old.weights, [factor]: text } }));
  const setThreshold = (key: (typeof THRESHOLDS)[number], text: string) =>
    setValues((old) => ({ ...old, thresholds: { ...old.thresholds, [key]: text } }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    await form.run(async () =>
      onSaved(
        await saveHealth({
          weights: Object.fromEntries(FACTORS.map(([f]) => [f, numeric(values.weights[f])])),
          ...Object.fromEntries(THRESHOLDS.map((k) => [k, numeric(values.thresholds[k])])),
        }),
      ),
    );
  }

  const thresholdField = (key: (typeof THRESHOLDS)[number], label: string, hint: string) => (
    <Field label={label} error={form.fieldError(key)} hint={hint}>
      {(props) => (
        <input
          {...props}
          inputMode="decimal"
          value={values.thresholds[key]}
          onChange={(e) => setThreshold(key, e.target.value)}
        />
      )}
    </Field>
  );

  return (
    <SettingsCard title="Scoring">
      <form className="settings-form health-form" onSubmit={submit} noValidate>
        <fieldset className="settings-fieldset">
          <legend>Weights (0 switches a signal off, 1 is normal, up to 5)</legend>
          <div className="health-weights">
            {FACTORS.map(([factor, label, hint]) => (
              <Field key={factor} label={label} error={form.fieldError(`weights.${factor}`)} hint={hint}>
                {(props) => (
                  <input
                    {...props}
                    inputMode="decimal"
                    value={values.weights[factor]}
                    onChange={(e) => setWeight(factor, e.target.value)}
                  />
                )}
              </Field>
            ))}
          </div>
        </fieldset>
        <fieldset className="settings-fieldset">
          <legend>Flags and limits</legend>
          {thresholdField(
            "at_risk_below",
            "At risk below this score",
            "0 to 100. A company with an unpaid invoice is at risk whatever its score.",
          )}
          {thresholdField(
            "upsell_seat_share",
            "Upsell prospect from this share of seats used",
            "0.1 to 1: 0.9 means using 90% of the seats bought marks an upsell prospect.",
          )}
          {thresholdField(
            "long_wait_hours",
            "Long wait after (hours)",
            "A first answer slower than this counts as a long wait.",
          )}
          {thresholdField(
            "quiet_days",
            "Quiet after (days)",
            "This many days without any conversation counts against a company.",
          )}
        </fieldset>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={form.busy}>
            Save scoring
          </button>
          <FormStatus problem={form.formLevel} saved={form.saved} />
          <Recomputing saved={form.saved} />
        </div>
      </form>
    </SettingsCard>
  );
}

const plansOf = (text: string) =>
  text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);

/** The plans in order, and which feature requests belong to which (higher) plan. */
function Plans({ health, onSaved }: { health: Health; onSaved: (h: Health) => void }) {
  const [plansText, setPlansText] = useState(health.plans.join("\n"));
  const [featurePlans, setFeaturePlans] = useState(Object.entries(health.feature_plans));
  const [newFeature, setNewFeature] = useState("");
  const [newPlan, setNewPlan] = useState("");
  useEffect(() => {
    setPlansText(health.plans.join("\n"));
    setFeaturePlans(Object.entries(health.feature_plans));
  }, [health]);
  const plans = plansOf(plansText);
  const { data: requests = [] } = useQuery({
    queryKey: ["feature-requests", "count", "all"],
    queryFn: ({ signal }) => listRequests({ sort: "count" }, signal).then((page) => page.data),
  });
  // Requests mapped earlier but outside the list above are looked up one by one.
  const missing = featurePlans.map(([id]) => id).filter((id) => !requests.some((r) => r.id === id));
  const looked = useQueries({
    queries: missing.map((id) => ({
      queryKey: ["feature-request", id],
      queryFn: ({ signal }: { signal: AbortSignal }) => getRequest(id, signal),
      retry: false,
    })),
  });
  const titleOf = (id: string) =>
    requests.find((r) => r.id === id)?.title ??
    looked.find((q) => q.data?.id === id)?.data?.title ??
    "A deleted or unknown feature request";
  const form = useSubmit([
    "plans",
    ...plans.map((_, i) => `plans.${i}`),
    "feature_plans",
    ...featurePlans.map(([id]) => `feature_plans.${id}`),
  ]);
  const plansError = ["plans", ...plans.map((_, i) => `plans.${i}`)].map(form.fieldError).find(Boolean);
  const unmapped = requests.filter((r) => !featurePlans.some(([id]) => id === r.id));

  function add() {
    if (!newFeature || !plans.includes(newPlan)) return;
    setFeaturePlans((old) => [...old, [newFeature, newPlan]]);
    setNewFeature("");
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    await form.run(async () =>
      onSaved(await saveHealth({ plans, feature_plans: Object.fromEntries(featurePlans) })),
    );
  }

  return (
    <SettingsCard title="Plans and their features">
      <p className="hint">
        A company asking for a feature of a plan above its own is an upsell prospect (the “Asks for a higher
        plan” signal).
      </p>
      <form className="settings-form health-form" onSubmit={submit} noValidate>
        <Field
          label="Plans, cheapest first (one per line)"
          error={plansError}
          hint="Use the plan names your companies have, e.g. Starter, Growth, Scale."
        >
          {(props) => (
            <textarea
              {...props}
              rows={Math.max(3, plans.length + 1)}
              value={plansText}
              onChange={(e) => setPlansText(e.target.value)}
            />
          )}
        </Field>
        <fieldset className="settings-fieldset">
          <legend>Features that belong to a plan</legend>
          {featurePlans.length === 0 ? (
            <p className="hint">No feature is tied to a plan yet.</p>
          ) : (
            <ul className="settings-rows" aria-label="Features by plan">
              {featurePlans.map(([id, plan]) => {
                const error = form.fieldError(`feature_plans.${id}`);
                const title = titleOf(id);
                return (
                  <li key={id} className="settings-row">
                    <span className="settings-row-main">
                      <strong>{title}</strong>
                      {error && <span className="field-error">{error}</span>}
                    </span>
                    <select
                      aria-label={`Plan of ${title}`}
                      aria-invalid={Boolean(error)}
                      value={plan}
                      onChange={(e) =>
                        setFeaturePlans((old) => old.map(([i, p]) => [i, i === id ? e.target.value : p]))
                      }
                    >
                      {[...new Set([...plans, plan])].map((name) => (
                        <option key={name} value={name}>
                          {plans.includes(name) ? name : `${name} (not in the list)`}
                        </option>
                      ))}
                    </select>
                    <button
                      type="button"
                      className="button"
                      aria-label={`Remove ${title}`}
                      onClick={() => setFeaturePlans((old) => old.filter(([i]) => i !== id))}
                    >
                      Remove
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
          <div className="feature-plan-add">
            <Field label="Feature request">
              {(props) => (
                <select {...props} value={newFeature} onChange={(e) => setNewFeature(e.target.value)}>
                  <option value="">Choose a feature request…</option>
                  {unmapped.map((request) => (
                    <option key={request.id} value={request.id}>
                      {request.title}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Belongs to plan">
              {(props) => (
                <select {...props} value={newPlan} onChange={(e) => setNewPlan(e.target.value)}>
                  <option value="">Choose a plan…</option>
                  {plans.map((name) => (
                    <option key={name} value={name}>
                      {name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <button
              type="button"
              className="button"
              onClick={add}
              disabled={!newFeature || !plans.includes(newPlan)}
            >
              Add
            </button>
          </div>
          {form.fieldError("feature_plans") && (
            <p className="field-error">{form.fieldError("feature_plans")}</p>
          )}
        </fieldset>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={form.busy}>
            Save plans
          </button>
          <FormStatus problem={form.formLevel} saved={form.saved} />
          <Recomputing saved={form.saved} />
        </div>
      </form>
    </SettingsCard>
  );
}
