import { useQueryClient } from "@tanstack/react-query";
import {
  type ChangeEvent,
  type DragEvent,
  type KeyboardEvent,
  lazy,
  Suspense,
  useEffect,
  useRef,
  useState,
} from "react";
import { fillVariables, firstName } from "../../../../packages/contracts/src/saved-reply-variables.ts";
import { ApiError, type Problem } from "../api/client.ts";
import { postMessage, updateConversation } from "../api/conversations.ts";
import { useContactAndCompany } from "../api/directory.ts";
import { useSession } from "../api/session.ts";
import type { Conversation } from "../api/types.ts";
import { useCommand } from "../lib/commands.ts";
import { clearDraft, type Draft, loadDraft, saveDraft } from "../lib/drafts.ts";
import { useStream } from "../realtime/StreamContext.tsx";

// Loaded on first use, so the help center's code stays out of the first download.
const ArticlePicker = lazy(() =>
  import("./help-center/ArticlePicker.tsx").then((m) => ({ default: m.ArticlePicker })),
);

const SavedRepliesPicker = lazy(() =>
  import("./settings/SavedRepliesPicker.tsx").then((m) => ({ default: m.SavedRepliesPicker })),
);

/** A file being attached: uploading, uploaded (it has an id) or refused (it has an error). */
interface PendingFile {
  key: string;
  name: string;
  size: number;
  id?: string;
  error?: string;
}

/** Sizes as people read them: 900 B, 12 KB, 3.4 MB. */
function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Uploads one file (multipart, as the API wants it) and answers its attachment id. */
async function uploadFile(file: File, csrfToken: string | null): Promise<string> {
  const form = new FormData();
  form.append("file", file, file.name);
  const response = await fetch("/api/v1/attachments", {
    method: "POST",
    body: form,
    credentials: "same-origin",
    headers: csrfToken ? { "x-csrf-token": csrfToken } : {},
  });
  const body = (await response.json().catch(() => null)) as (Problem & { id?: string }) | null;
  if (!response.ok || !body?.id) throw new Error(body?.title ?? `The server answered ${response.status}`);
  return body.id;
}

/** Colleagues see "typing" for a few seconds after each frame; repeating it this often keeps it lit. */
const TYPING_EVERY_MS = 2000;

/**
 * Reply or note. What is typed is saved per conversation as it is typed, so a reload, a crash or a
 * failed send loses nothing; the draft is cleared only once the server has the message.
 */
export function Composer({ conversation, myId }: { conversation: Conversation; myId: string }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => loadDraft(conversation.id) ?? { mode: "reply", text: "" });
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [picking, setPicking] = useState(false);
  const [files, setFiles] = useState<PendingFile[]>([]);
  const [dragging, setDragging] = useState(false);
  /** Where the saved reply goes: the position of a typed "/" (which it replaces), or the caret. */
  const [replyPicker, setReplyPicker] = useState<{ at: number; slash: boolean } | null>(null);
  const session = useSession();
  const { contact, company } = useContactAndCompany(conversation.contact_id);
  const fileInput = useRef<HTMLInputElement>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const stream = useStream();
  const typedAt = useRef(0);

  function addFiles(list: FileList | null) {
    for (const file of Array.from(list ?? [])) {
      const key = `${Date.now()}-${Math.random()}`;
      setFiles((all) => [...all, { key, name: file.name, size: file.size }]);
      uploadFile(file, session.csrf_token).then(
        (id) => setFiles((all) => all.map((f) => (f.key === key ? { ...f, id } : f))),
        (caught: unknown) =>
          setFiles((all) =>
            all.map((f) =>
              f.key === key ? { ...f, error: caught instanceof Error ? caught.message : String(caught) } : f,
            ),
          ),
      );
    }
  }

  function onDrop(event: DragEvent<HTMLFormElement>) {
    if (!event.dataTransfer.types.includes("Files")) return;
    event.preventDefault();
    setDragging(false);
    addFiles(event.dataTransfer.files);
  }

  /** The saved reply with its variables filled from this conversation's customer and the agent. */
  function insertSavedReply(body: string) {
    const filled = fillVariables(body, {
      "contact.first_name": firstName(contact?.name),
      "contact.name": contact?.name,
      "contact.email": contact?.email,
      "agent.name": session.agent.name,
      "company.name": company?.name,
    });
    const at = replyPicker?.at ?? draft.text.length;
    const after = draft.text.slice(at + (replyPicker?.slash ? 1 : 0));
    edit(draft.text.slice(0, at) + filled + after);
    setReplyPicker(null);
    const caret = at + filled.length;
    requestAnimationFrame(() => {
      textarea.current?.focus();
      textarea.current?.setSelectionRange(caret, caret);
    });
  }

  /** A "/" typed at the start of a line or after a space opens the saved-reply picker. */
  function onTextChange(event: ChangeEvent<HTMLTextAreaElement>) {
    const text = event.target.value;
    const caret = event.target.selectionStart;
    const typedSlash =
      text.length === draft.text.length + 1 &&
      caret > 0 &&
      text[caret - 1] === "/" &&
      /^\s?$/u.test(text[caret - 2] ?? "");
    edit(text);
    if (typedSlash) setReplyPicker({ at: caret - 1, slash: true });
  }

  function edit(text: string) {
    setDraft({ mode: draft.mode, text });
    if (text.trim() && Date.now() - typedAt.current > TYPING_EVERY_MS) {
      typedAt.current = Date.now();
      stream?.send({ type: "typing", conversation_id: conversation.id });
    }
  }

  useEffect(() => {
    const timer = setTimeout(() => saveDraft(conversation.id, draft), 250);
    return () => clearTimeout(timer);
  }, [conversation.id, draft]);

  // Save at once when the tab goes away, so the last keystrokes survive too.
  useEffect(() => {
    const flush = () => saveDraft(conversation.id, draft);
    window.addEventListener("pagehide", flush);
    return () => {
      window.removeEventListener("pagehide", flush);
      flush();
    };
  }, [conversation.id, draft]);

  function focusAs(mode: Draft["mode"]) {
    setDraft((d) => ({ ...d, mode }));
    textarea.current?.focus();
  }
  useCommand("reply", () => focusAs("reply"));
  useCommand("note", () => focusAs("note"));

  const uploading = files.some((f) => !f.id && !f.error);
  const attachmentIds = files.flatMap((f) => (f.id ? [f.id] : []));

  async function send(resolve: boolean) {
    if (!draft.text.trim() || sending || uploading) return;
    setSending(true);
    setError(null);
    try {
      await postMessage(queryClient, myId, conversation.id, {
        kind: draft.mode === "note" ? "note" : "outgoing",
        body_text: draft.text,
        ...(attachmentIds.length > 0 ? { attachment_ids: attachmentIds } : {}),
      });
      clearDraft(conversation.id);
      setDraft((d) => ({ mode: d.mode, text: "" }));
      setFiles([]);
    } catch (caught) {
      setError(
        `Not sent: ${caught instanceof ApiError ? caught.problem.title : String(caught)}. Your text is kept.`,
      );
      setSending(false);
      return;
    }
    if (resolve) {
      try {
        await updateConversation(queryClient, myId, conversation.id, { status: "resolved" });
      } catch (caught) {
        setError(
          `Sent, but not resolved: ${caught instanceof ApiError ? caught.problem.title : String(caught)}`,
        );
      }
    }
    setSending(false);
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void send(false);
    }
  }

  const isNote = draft.mode === "note";
  const empty = !draft.text.trim();
  return (
    <form
      className={`composer${isNote ? " composer-note" : ""}`}
      // A dashed frame while a file is dragged over says "drop here" (styles.css is not this file's).
      style={dragging ? { outline: "2px dashed var(--accent)", outlineOffset: -4 } : undefined}
      aria-label="Composer"
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes("Files")) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={onDrop}
      onSubmit={(e) => {
        e.preventDefault();
        void send(false);
      }}
    >
      <fieldset className="composer-modes">
        <legend className="visually-hidden">Write a reply or a note</legend>
        <button type="button" className="mode" aria-pressed={!isNote} onClick={() => focusAs("reply")}>
          Reply <kbd>r</kbd>
        </button>
        <button type="button" className="mode" aria-pressed={isNote} onClick={() => focusAs("note")}>
          Note <kbd>n</kbd>
        </button>
      </fieldset>
      <label htmlFor="composer-text" className="visually-hidden">
        {isNote ? "Internal note (only your team sees it)" : "Reply to the customer"}
      </label>
      <textarea
        id="composer-text"
        ref={textarea}
        value={draft.text}
        rows={4}
        placeholder={isNote ? "Write a note only your team will see…" : "Write your reply…"}
        onChange={onTextChange}
        onKeyDown={onKeyDown}
        aria-describedby={error ? "composer-error" : undefined}
      />
      {error && (
        <p className="form-error" id="composer-error" role="alert">
          {error}
        </p>
      )}
      {files.length > 0 && (
        <ul className="attachments composer-files" aria-label="Attached files">
          {files.map((f) => (
            <li key={f.key} className="attachment">
              <span>{f.name}</span>{" "}
              <span className={f.error ? "form-error" : "attachment-size"}>
                {formatSize(f.size)}
                {f.error ? ` · not uploaded: ${f.error}` : f.id ? "" : " · uploading…"}
              </span>
              <button
                type="button"
                className="icon-button"
                aria-label={`Remove ${f.name}`}
                onClick={() => setFiles((all) => all.filter((x) => x.key !== f.key))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {replyPicker && (
        <Suspense fallback={<p className="hint">Loading saved replies…</p>}>
          <SavedRepliesPicker
            onInsert={insertSavedReply}
            onClose={() => {
              setReplyPicker(null);
              textarea.current?.focus();
            }}
          />
        </Suspense>
      )}
      {picking && (
        <Suspense fallback={<p className="hint">Loading the help center…</p>}>
          <ArticlePicker
            onInsert={(text) => {
              edit(draft.text.trim() ? `${draft.text.trimEnd()}\n\n${text}` : text);
              setPicking(false);
              textarea.current?.focus();
            }}
          />
        </Suspense>
      )}
      <div className="composer-actions">
        <button type="button" className="button" aria-expanded={picking} onClick={() => setPicking(!picking)}>
          Help article
        </button>
        <button
          type="button"
          className="button"
          aria-expanded={replyPicker !== null}
          onClick={() =>
            setReplyPicker(
              replyPicker
                ? null
                : { at: textarea.current?.selectionStart ?? draft.text.length, slash: false },
            )
          }
        >
          Saved reply <kbd>/</kbd>
        </button>
        <button type="button" className="button" onClick={() => fileInput.current?.click()}>
          Attach file
        </button>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          aria-label="Attach files"
          onChange={(e) => {
            addFiles(e.target.files);
            e.target.value = "";
          }}
        />
        {!isNote && !empty && (
          <button
            type="button"
            className="button"
            title="Start a help center article from this reply"
            onClick={async () => {
              const { startArticleFromReply } = await import("./help-center/reply-to-article.ts");
              window.location.assign(startArticleFromReply(draft.text, conversation.subject ?? ""));
            }}
          >
            Make article
          </button>
        )}
        <span className="hint">
          <kbd>Ctrl</kbd> <kbd>Enter</kbd> to send
        </span>
        {!isNote && conversation.status !== "resolved" && (
          <button
            type="button"
            className="button"
            disabled={sending || empty || uploading}
            onClick={() => void send(true)}
          >
            Send and resolve
          </button>
        )}
        <button type="submit" className="button button-primary" disabled={sending || empty || uploading}>
          {sending ? "Sending…" : isNote ? "Add note" : "Send"}
        </button>
      </div>
    </form>
  );
}
