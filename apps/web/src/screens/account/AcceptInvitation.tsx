import { useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { acceptInvitation } from "../../api/session.ts";
import { Field } from "../../components/Field.tsx";
import { DEFAULT_SEARCH } from "../../lib/views.ts";
import { FormStatus } from "../settings/FormStatus.tsx";
import { useSubmit } from "../settings/forms.ts";
import { AccountCard } from "./AccountCard.tsx";

/**
 * The page an invitation link opens. Someone new picks a name and a password; someone who already
 * has a Keepwell account enters its password (the server says which, by the field it names).
 */
export function AcceptInvitation() {
  const { token = "" } = useSearch({ strict: false }) as { token?: string };
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const form = useSubmit(["name", "password"]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const ok = await form.run(() =>
      acceptInvitation(queryClient, { token, password, ...(name.trim() ? { name: name.trim() } : {}) }),
    );
    if (ok) await navigate({ to: "/conversations", search: DEFAULT_SEARCH, replace: true });
  }

  return (
    <AccountCard title="Join your team on Keepwell" onSubmit={submit}>
      <p className="hint">
        New to Keepwell? Choose your name and a password. Already have an account? Enter its password.
      </p>
      <Field label="Your name" error={form.fieldError("name")}>
        {(props) => (
          <input {...props} autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
        )}
      </Field>
      <Field label="Password" error={form.fieldError("password")}>
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
      <FormStatus problem={form.fieldError("token") ?? form.formLevel} saved={false} />
      <button type="submit" className="button button-primary button-wide" disabled={form.busy}>
        Join
      </button>
      <p className="hint account-links">
        <Link to="/sign-in" search={{}}>
          I have signed in before
        </Link>
      </p>
    </AccountCard>
  );
}
