import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { api } from "../../api/client.ts";
import { useAgents, useInboxes } from "../../api/directory.ts";
import { useSession } from "../../api/session.ts";
import { Field } from "../../components/Field.tsx";
import { FormStatus } from "./FormStatus.tsx";
import { useSubmit } from "./forms.ts";
import { SettingsCard, SettingsPage } from "./SettingsPage.tsx";
import { isAdminRole } from "./SettingsShell.tsx";
import "./customer-settings.css";

/* The workspace's Stripe connection and what happens when a customer's payment fails
 * (the server declares it in modules/billing/schemas.ts: BillingSettings, BillingSettingsBody). */

type AfterGrace = "pause" | "cancel" | "none";

interface Billing {
  stripe_connected: boolean;
  stripe_key_hint: string | null;
  webhook_secret_set: boolean;
  webhook_url: string;
  grace_days: number;
  reminder_days: number[];
  after_grace: AfterGrace;
  sender_agent_id: string | null;
  inbox_id: string | null;
  update_card_url: string | null;
  downgrade_plan: string | null;
}

const billingQuery = {
  queryKey: ["billing-settings"],
  queryFn: () => api<Billing>("/billing/settings"),
};

const AFTER_GRACE: [AfterGrace, string][] = [
  ["pause", "Pause the subscription"],
  ["cancel", "Cancel the subscription"],
  ["none", "Nothing: leave it to us"],
];

/** Owners and admins connect Stripe and set the dunning rules; the server refuses anyone else. */
export function BillingSettings() {
  const admin = isAdminRole(useSession().workspace.role);
  return (
    <SettingsPage
      title="Billing"
      description="Connect Stripe so failed payments open a dunning case: reminders by email, a grace period, then the action you choose."
    >
      {admin ? <BillingForms /> : <p className="hint">Only owners and admins manage billing.</p>}
    </SettingsPage>
  );
}

function BillingForms() {
  const queryClient = useQueryClient();
  const { data: billing } = useQuery(billingQuery);
  if (!billing) return <p className="hint">Loading…</p>;
  const onSaved = (saved: Billing) => queryClient.setQueryData(billingQuery.queryKey, saved);
  return (
    <>
      <StripeConnection billing={billing} onSaved={onSaved} />
      <WebhookUrl url={billing.webhook_url} />
      <Dunning billing={billing} onSaved={onSaved} />
    </>
  );
}

const saveBilling = (body: Record<string, unknown>) =>
  api<Billing>("/billing/settings", { method: "PUT", body });

/** The two credentials are write-only: the form shows whether each is set, never the value. */
function StripeConnection({ billing, onSaved }: { billing: Billing; onSaved: (b: Billing) => void }) {
  const [secretKey, setSecretKey] = useState("");
  const [webhookSecret, setWebhookSecret] = useState("");
  const form = useSubmit(["stripe_secret_key", "stripe_webhook_secret"]);
  const connected = billing.stripe_connected || billing.webhook_secret_set;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const body: Record<string, string> = {};
    // An empty field keeps what is stored.
    if (secretKey.trim()) body.stripe_secret_key = secretKey.trim();
    if (webhookSecret.trim()) body.stripe_webhook_secret = webhookSecret.trim();
    const ok = await form.run(async () => onSaved(await saveBilling(body)));
    if (ok) {
      setSecretKey("");
      setWebhookSecret("");
    }
  }

  async function disconnect() {
    if (!window.confirm("Disconnect Stripe? Keepwell stops reading payments until you connect it again."))
      return;
    await form.run(async () =>
      onSaved(await saveBilling({ stripe_secret_key: null, stripe_webhook_secret: null })),
    );
  }

  return (
    <SettingsCard title="Stripe connection">
      <p className="billing-status">
        {billing.stripe_connected ? <strong>Connected.</strong> : <strong>Not connected.</strong>}{" "}
        {billing.stripe_connected && !billing.webhook_secret_set
          ? "Add the webhook signing secret so Keepwell can trust Stripe's events."
          : ""}
      </p>
      <form className="settings-form" onSubmit={submit} noValidate>
        <Field
          label="Stripe secret key"
          error={form.fieldError("stripe_secret_key")}
          hint={
            billing.stripe_key_hint
              ? `Set, ending in ${billing.stripe_key_hint}. Leave empty to keep it.`
              : "Starts with sk_ (or rk_ for a restricted key), from Stripe → Developers → API keys."
          }
        >
          {(props) => (
            <input
              {...props}
              type="password"
              autoComplete="off"
              spellCheck={false}
              value={secretKey}
              onChange={(e) => setSecretKey(e.target.value)}
            />
          )}
        </Field>
        <Field
          label="Webhook signing secret"
          error={form.fieldError("stripe_webhook_secret")}
          hint={
            billing.webhook_secret_set
              ? "Set. Leave empty to keep it."
              : "Starts with whsec_; Stripe shows it on the webhook endpoint you add below."
          }
        >
          {(props) => (
            <input
              {...props}
              type="password"
              autoComplete="off"
              spellCheck={false}
              value={webhookSecret}
              onChange={(e) => setWebhookSecret(e.target.value)}
            />
          )}
        </Field>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={form.busy}>
            {billing.stripe_connected ? "Save keys" : "Connect Stripe"}
          </button>
          {connected && (
            <button type="button" className="button" onClick={disconnect} disabled={form.busy}>
              Disconnect
            </button>
          )}
          <FormStatus problem={form.formLevel} saved={form.saved} />
        </div>
      </form>
    </SettingsCard>
  );
}

function WebhookUrl({ url }: { url: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <SettingsCard title="Webhook endpoint">
      <Field
        label="Webhook URL"
        hint="In Stripe → Developers → Webhooks, add an endpoint with this URL for the customer.*, customer.subscription.*, invoice.* and payment_method.attached events."
      >
        {(props) => (
          // A text area, so the whole address wraps into view on a phone instead of scrolling out of it.
          <textarea
            {...props}
            className="billing-url"
            readOnly
            rows={2}
            value={url}
            onFocus={(e) => e.target.select()}
          />
        )}
      </Field>
      <div className="form-actions">
        <button
          type="button"
          className="button"
          onClick={async () => {
            await navigator.clipboard?.writeText(url).catch(() => {});
            setCopied(true);
          }}
        >
          Copy URL
        </button>
        <output aria-live="polite">{copied ? "Copied" : ""}</output>
      </div>
    </SettingsCard>
  );
}

/** A problem with one reminder names it ("reminder_days.1"); it shows by the reminders field. */
const REMINDER_FIELDS = ["reminder_days", ...[0, 1, 2, 3, 4, 5].map((i) => `reminder_days.${i}`)];
const DUNNING_FIELDS = [
  "grace_days",
  ...REMINDER_FIELDS,
  "after_grace",
  "sender_agent_id",
  "inbox_id",
  "update_card_url",
  "downgrade_plan",
];

/** "0, 3, 7" → [0, 3, 7]; anything that is not a whole number goes as is, so the server names the field. */
function parseDays(text: string): unknown[] {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

const numberOr = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : text);
const textOrNull = (text: string) => text.trim() || null;

function Dunning({ billing, onSaved }: { billing: Billing; onSaved: (b: Billing) => void }) {
  const agents = useAgents();
  const inboxes = useInboxes();
  const initial = () => ({
    grace: String(billing.grace_days),
    reminders: billing.reminder_days.join(", "),
    afterGrace: billing.after_grace,
    sender: billing.sender_agent_id ?? "",
    inbox: billing.inbox_id ?? "",
    updateCardUrl: billing.update_card_url ?? "",
    downgradePlan: billing.downgrade_plan ?? "",
  });
  const [values, setValues] = useState(initial);
  const set = (change: Partial<ReturnType<typeof initial>>) => setValues((old) => ({ ...old, ...change }));
  // Reload only when these saved rules change: saving the Stripe keys above keeps unsaved edits here.
  const saved = JSON.stringify(initial());
  useEffect(() => setValues(JSON.parse(saved)), [saved]);
  const form = useSubmit(DUNNING_FIELDS);
  const reminderError = REMINDER_FIELDS.map(form.fieldError).find(Boolean);

  async function submit(event: FormEvent) {
    event.preventDefault();
    await form.run(async () =>
      onSaved(
        await saveBilling({
          grace_days: numberOr(values.grace),
          reminder_days: parseDays(values.reminders),
          after_grace: values.afterGrace,
          sender_agent_id: values.sender || null,
          inbox_id: values.inbox || null,
          update_card_url: textOrNull(values.updateCardUrl),
          downgrade_plan: textOrNull(values.downgradePlan),
        }),
      ),
    );
  }

  return (
    <SettingsCard title="When a payment fails">
      <form className="settings-form" onSubmit={submit} noValidate>
        <Field
          label="Grace period (days)"
          error={form.fieldError("grace_days")}
          hint="How long the customer has to pay before the action below (0 to 90)."
        >
          {(props) => (
            <input
              {...props}
              inputMode="numeric"
              value={values.grace}
              onChange={(e) => set({ grace: e.target.value })}
            />
          )}
        </Field>
        <Field
          label="Reminders (days after the failure, comma-separated)"
          error={reminderError}
          hint="Up to six, e.g. 0, 3, 7. Empty sends no reminders."
        >
          {(props) => (
            <input {...props} value={values.reminders} onChange={(e) => set({ reminders: e.target.value })} />
          )}
        </Field>
        <Field label="After the grace period" error={form.fieldError("after_grace")}>
          {(props) => (
            <select
              {...props}
              value={values.afterGrace}
              onChange={(e) => set({ afterGrace: e.target.value as AfterGrace })}
            >
              {AFTER_GRACE.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="Reminders are sent by"
          error={form.fieldError("sender_agent_id")}
          hint="Reminders go out only when both a sender and an inbox are chosen."
        >
          {(props) => (
            <select {...props} value={values.sender} onChange={(e) => set({ sender: e.target.value })}>
              <option value="">Nobody (no reminders)</option>
              {agents.map((agent) => (
                <option key={agent.id} value={agent.id}>
                  {agent.name} ({agent.email})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="Replies to reminders arrive in"
          error={form.fieldError("inbox_id")}
          hint="Each reminder starts a conversation in this inbox."
        >
          {(props) => (
            <select {...props} value={values.inbox} onChange={(e) => set({ inbox: e.target.value })}>
              <option value="">No inbox (no reminders)</option>
              {inboxes.map((inbox) => (
                <option key={inbox.id} value={inbox.id}>
                  {inbox.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="Update-card page"
          error={form.fieldError("update_card_url")}
          hint="Where reminders send the customer to enter a new card, e.g. your Stripe customer portal."
        >
          {(props) => (
            <input
              {...props}
              type="url"
              placeholder="https://billing.example.com/card"
              value={values.updateCardUrl}
              onChange={(e) => set({ updateCardUrl: e.target.value })}
            />
          )}
        </Field>
        <Field
          label="Cheaper plan offered on the pause page"
          error={form.fieldError("downgrade_plan")}
          hint="The Stripe price id (price_…) to move a customer to instead of cancelling; empty offers no downgrade."
        >
          {(props) => (
            <input
              {...props}
              spellCheck={false}
              value={values.downgradePlan}
              onChange={(e) => set({ downgradePlan: e.target.value })}
            />
          )}
        </Field>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={form.busy}>
            Save payment rules
          </button>
          <FormStatus problem={form.formLevel} saved={form.saved} />
        </div>
      </form>
    </SettingsCard>
  );
}
