/** The line under a form's button: the server's form-level problem, or that the change was saved. */
export function FormStatus({ problem, saved }: { problem?: string; saved: boolean }) {
  if (problem)
    return (
      <p className="form-error" role="alert">
        {problem}
      </p>
    );
  return (
    <output className="form-saved" aria-live="polite">
      {saved ? "Saved" : ""}
    </output>
  );
}
