import { useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { ApiError } from "../api/client.ts";
import { signIn } from "../api/session.ts";
import { Field } from "../components/Field.tsx";
import { DEFAULT_SEARCH } from "../lib/views.ts";

const FIELDS = ["email", "password"] as const;

export function SignIn() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const search = useSearch({ strict: false }) as { redirect?: string };
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  // Take the keyboard to the field the server complained about.
  useEffect(() => {
    if (error) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [error]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(queryClient, email.trim(), password);
      if (search.redirect) await navigate({ href: search.redirect, replace: true });
      else await navigate({ to: "/conversations", search: DEFAULT_SEARCH, replace: true });
    } catch (caught) {
      setError(
        caught instanceof ApiError
          ? caught
          : new ApiError({ type: "client", title: String(caught), status: 0 }),
      );
      setBusy(false);
    }
  }

  // A problem that names a field is shown by it; anything else (wrong password, throttling) above the button.
  const formLevel = error && !error.namesField(FIELDS) ? error.problem.title : undefined;

  return (
    <main className="sign-in">
      <form ref={form} className="sign-in-card" onSubmit={submit} noValidate aria-labelledby="sign-in-title">
        <div className="brand brand-large">
          <img src="/favicon.svg" alt="" width="32" height="32" />
          <span>Keepwell</span>
        </div>
        <h1 id="sign-in-title">Sign in</h1>
        <Field label="Email" error={error?.fieldMessage("email")}>
          {(props) => (
            <input
              {...props}
              type="email"
              name="email"
              autoComplete="username"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              required
            />
          )}
        </Field>
        <Field label="Password" error={error?.fieldMessage("password")}>
          {(props) => (
            <input
              {...props}
              type="password"
              name="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
            />
          )}
        </Field>
        {formLevel && (
          <p className="form-error" role="alert">
            {formLevel}
          </p>
        )}
        <button type="submit" className="button button-primary button-wide" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        <p className="hint account-links">
          <Link to="/forgot-password">Forgot your password?</Link>
        </p>
      </form>
    </main>
  );
}
