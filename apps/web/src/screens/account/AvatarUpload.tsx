import { useQueryClient } from "@tanstack/react-query";
import { useId, useRef, useState } from "react";
import { ApiError, api, type Problem } from "../../api/client.ts";
import { agentsQuery } from "../../api/directory.ts";
import { useSession } from "../../api/session.ts";
import { Avatar } from "../../components/Avatar.tsx";

/** The server checks the bytes too; this only spares a round trip for an obviously wrong pick. */
const ACCEPTED = "image/png,image/jpeg,image/webp";
const MAX_BYTES = 512 * 1024;

/** Sends the picture as the API wants it (multipart) and answers the problem when refused. */
async function putAvatar(file: File, csrfToken: string | null): Promise<void> {
  const form = new FormData();
  form.append("file", file, file.name);
  const response = await fetch("/api/v1/me/avatar", {
    method: "PUT",
    body: form,
    credentials: "same-origin",
    headers: csrfToken ? { "x-csrf-token": csrfToken } : {},
  });
  if (response.ok) return;
  const problem = (await response.json().catch(() => null)) as Problem | null;
  throw new Error(problem?.title ?? `The server answered ${response.status}`);
}

/** The agent's picture on their profile: upload a new one or go back to initials. */
export function AvatarUpload({ name, url }: { name: string; url: string | null }) {
  const queryClient = useQueryClient();
  const session = useSession();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const id = useId();

  async function change(run: () => Promise<unknown>) {
    setBusy(true);
    setError(undefined);
    try {
      await run();
      // The profile, the header, the team list and the thread all read one of these.
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ["me"] }),
        queryClient.invalidateQueries({ queryKey: agentsQuery.queryKey }),
      ]);
    } catch (caught) {
      setError(
        caught instanceof ApiError
          ? caught.problem.title
          : caught instanceof Error
            ? caught.message
            : String(caught),
      );
    } finally {
      setBusy(false);
    }
  }

  function picked(file: File | undefined) {
    if (!file) return;
    if (file.size > MAX_BYTES) {
      setError(`The image is larger than ${MAX_BYTES / 1024} KB; pick a smaller one`);
      return;
    }
    void change(() => putAvatar(file, session.csrf_token));
  }

  return (
    <div className="avatar-line">
      <Avatar name={name} url={url} size={48} />
      <div className="field">
        <label htmlFor={id}>Profile picture</label>
        <input
          ref={input}
          id={id}
          type="file"
          accept={ACCEPTED}
          disabled={busy}
          aria-invalid={Boolean(error)}
          aria-describedby={`${id}-hint${error ? ` ${id}-error` : ""}`}
          onChange={(e) => {
            picked(e.target.files?.[0]);
            e.target.value = "";
          }}
        />
        <p className="hint" id={`${id}-hint`}>
          PNG, JPEG or WebP, up to {MAX_BYTES / 1024} KB. Without one, your initials show.
        </p>
        {error && (
          <p className="field-error" id={`${id}-error`} role="alert">
            {error}
          </p>
        )}
        {url && (
          <button
            type="button"
            className="button avatar-remove"
            disabled={busy}
            onClick={() => void change(() => api("/me/avatar", { method: "DELETE" }))}
          >
            Remove picture
          </button>
        )}
      </div>
    </div>
  );
}
