import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client.ts";
import { Field } from "../../components/Field.tsx";
import { formatDate } from "./dates.ts";
import { FormStatus } from "./FormStatus.tsx";
import { useSubmit } from "./forms.ts";
import { SettingsCard, SettingsPage } from "./SettingsPage.tsx";

interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  created_at: string;
}

const tokensQuery = {
  queryKey: ["api-tokens"],
  queryFn: async () => (await api<{ data: ApiToken[] }>("/tokens")).data,
};

/** API tokens act as the agent who made them, with that agent's role; the secret is shown once. */
export function TokenSettings() {
  const queryClient = useQueryClient();
  const { data: tokens = [] } = useQuery(tokensQuery);
  const [name, setName] = useState("");
  const [days, setDays] = useState("");
  const [secret, setSecret] = useState<string>();
  const form = useSubmit(["name", "expires_in_days"]);
  const list = useSubmit([]);
  const refresh = () => queryClient.invalidateQueries({ queryKey: tokensQuery.queryKey });

  async function create(event: FormEvent) {
    event.preventDefault();
    setSecret(undefined);
    await form.run(async () => {
      const body: Record<string, unknown> = { name: name.trim() };
      if (days.trim()) body.expires_in_days = Number(days);
      const created = await api<{ token: string }>("/tokens", { method: "POST", body });
      setSecret(created.token);
      setName("");
      setDays("");
      await refresh();
    });
  }

  const revoke = (token: ApiToken) => {
    if (!window.confirm(`Revoke “${token.name}”? Programs using it stop working at once.`)) return;
    void list.run(async () => {
      await api(`/tokens/${token.id}`, { method: "DELETE" });
      await refresh();
    });
  };

  return (
    <SettingsPage
      title="API tokens"
      description="A token lets a program use the Keepwell API as you, with your role. Keep it secret."
    >
      <SettingsCard title="New token">
        <form className="settings-form settings-inline-form" onSubmit={create} noValidate>
          <Field label="Name" error={form.fieldError("name")}>
            {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <Field label="Expires after (days, optional)" error={form.fieldError("expires_in_days")}>
            {(props) => (
              <input {...props} inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} />
            )}
          </Field>
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={form.busy}>
              Create token
            </button>
            <FormStatus problem={form.formLevel} saved={false} />
          </div>
        </form>
        {secret && (
          <div className="secret" role="status">
            <p>Copy this token now; it is not shown again:</p>
            <code>{secret}</code>
          </div>
        )}
      </SettingsCard>
      <SettingsCard title="Your tokens">
        {tokens.length === 0 ? (
          <p className="hint">No tokens yet.</p>
        ) : (
          <ul className="settings-rows" aria-label="API tokens">
            {tokens.map((token) => (
              <li key={token.id} className="settings-row">
                <span className="settings-row-main">
                  <strong>{token.name}</strong>
                  <span className="hint">
                    {token.prefix}… · created {formatDate(token.created_at)}
                    {token.last_used_at ? ` · last used ${formatDate(token.last_used_at)}` : " · never used"}
                    {token.expires_at ? ` · expires ${formatDate(token.expires_at)}` : ""}
                    {token.revoked_at ? " · revoked" : ""}
                  </span>
                </span>
                {!token.revoked_at && (
                  <button type="button" className="button" onClick={() => revoke(token)}>
                    Revoke
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
        <FormStatus problem={list.formLevel} saved={false} />
      </SettingsCard>
    </SettingsPage>
  );
}
