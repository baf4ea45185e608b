import { Link } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client.ts";
import { Field } from "../../components/Field.tsx";
import { FormStatus } from "../settings/FormStatus.tsx";
import { useSubmit } from "../settings/forms.ts";
import { AccountCard } from "./AccountCard.tsx";

/** Asks for a reset link. The answer is the same for known and unknown addresses. */
export function ForgotPassword() {
  const [email, setEmail] = useState("");
  const [answer, setAnswer] = useState<string>();
  const form = useSubmit(["email"]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    await form.run(async () => {
      const result = await api<{ status: string }>("/auth/password-reset", {
        method: "POST",
        body: { email: email.trim() },
      });
      setAnswer(result.status);
    });
  }

  return (
    <AccountCard title="Reset your password" onSubmit={submit}>
      {answer ? (
        <p role="status">{answer}</p>
      ) : (
        <>
          <Field label="Email" error={form.fieldError("email")}>
            {(props) => (
              <input
                {...props}
                type="email"
                autoComplete="username"
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            )}
          </Field>
          <FormStatus problem={form.formLevel} saved={false} />
          <button type="submit" className="button button-primary button-wide" disabled={form.busy}>
            Email me a reset link
          </button>
        </>
      )}
      <p className="hint account-links">
        <Link to="/sign-in" search={{}}>
          Back to sign in
        </Link>
      </p>
    </AccountCard>
  );
}
