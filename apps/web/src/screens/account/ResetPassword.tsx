import { Link, useSearch } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client.ts";
import { Field } from "../../components/Field.tsx";
import { FormStatus } from "../settings/FormStatus.tsx";
import { useSubmit } from "../settings/forms.ts";
import { AccountCard } from "./AccountCard.tsx";

/** The page a reset link opens: choose a new password, then sign in with it. */
export function ResetPassword() {
  const { token = "" } = useSearch({ strict: false }) as { token?: string };
  const [password, setPassword] = useState("");
  const [done, setDone] = useState(false);
  const form = useSubmit(["password"]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const ok = await form.run(() =>
      api("/auth/password-reset/confirm", { method: "POST", body: { token, password } }),
    );
    if (ok) setDone(true);
  }

  if (done) {
    return (
      <AccountCard title="Password changed">
        <p role="status">Your new password is set, and your other sessions were signed out.</p>
        <Link to="/sign-in" search={{}} className="button button-primary button-wide">
          Sign in
        </Link>
      </AccountCard>
    );
  }
  // A token problem (used, expired) names the token, which is not a field here: it shows above the button.
  const tokenProblem = form.fieldError("token");
  return (
    <AccountCard title="Choose a new password" onSubmit={submit}>
      <Field label="New password (at least 10 characters)" error={form.fieldError("password")}>
        {(props) => (
          <input
            {...props}
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        )}
      </Field>
      <FormStatus problem={tokenProblem ?? form.formLevel} saved={false} />
      <button type="submit" className="button button-primary button-wide" disabled={form.busy}>
        Set the new password
      </button>
      <p className="hint account-links">
        <Link to="/forgot-password">Ask for a new link</Link>
      </p>
    </AccountCard>
  );
}
