import { useState } from "react";
import { ApiError } from "../../api/client.ts";

/** Any failure as an ApiError, so a form can always ask it which field it names. */
export function asApiError(caught: unknown): ApiError {
  return caught instanceof ApiError
    ? caught
    : new ApiError({ type: "client", title: String(caught), status: 0 });
}

/**
 * The state of one form's submission: busy while it runs, the server's problem after a failure
 * (shown by the field it names, or above the button), and a short "Saved" after success.
 */
export function useSubmit(fields: readonly string[]) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);

  async function run(action: () => Promise<unknown>): Promise<boolean> {
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await action();
      setSaved(true);
      return true;
    } catch (caught) {
      setError(asApiError(caught));
      return false;
    } finally {
      setBusy(false);
    }
  }

  const formLevel = error && !error.namesField(fields) ? error.problem.title : undefined;
  return { busy, error, saved, formLevel, run, fieldError: (f: string) => error?.fieldMessage(f) };
}

/** Every IANA time zone the browser knows, for a select. */
export function timeZones(): string[] {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch {
    return ["UTC"];
  }
}
