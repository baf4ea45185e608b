import { useQueryClient } from "@tanstack/react-query";
import { type DragEvent, lazy, Suspense, useEffect, useRef, useState } from "react";
import { fillVariables, firstName } from "../../../../packages/contracts/src/saved-reply-variables.ts";
import { ApiError, type Problem } from "../api/client.ts";
import { postMessage, updateConversation } from "../api/conversations.ts";
import { useContactAndCompany } from "../api/directory.ts";
import { useSession } from "../api/session.ts";
import type { Conversation } from "../api/types.ts";
import { useCommand } from "../lib/commands.ts";
import { clearDraft, type Draft, EMPTY_DRAFT, loadDraft, saveDraft } from "../lib/drafts.ts";
import { useStream } from "../realtime/StreamContext.tsx";
import type { RichEditorHandle } from "./composer/RichEditor.tsx";
import { textToHtml } from "./composer/rich-text.ts";
import { ComposerFeatureRequest } from "./features/ComposerFeatureRequest.tsx";

// The editor library is the composer's largest piece: it loads on its own, after the inbox shows.
const RichEditor = lazy(() => import("./composer/RichEditor.tsx").then((m) => ({ default: m.RichEditor })));

// Loaded on first use, so the help center's code stays out of the first download.
const ArticlePicker = lazy(() =>
  import("./help-center/ArticlePicker.tsx").then((m) => ({ default: m.ArticlePicker })),
);

const SavedRepliesPicker = lazy(() =>
  import("./settings/SavedRepliesPicker.tsx").then((m) => ({ default: m.SavedRepliesPicker })),
);

/** A file on its way up, or refused (it has an error); once uploaded it moves into the draft. */
interface PendingFile {
  key: string;
  name: string;
  size: number;
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
 * Reply or note, in rich text. What is written, and the files already uploaded for it, are saved
 * per conversation as they change, so a reload, a crash or a failed send loses nothing; the draft
 * is cleared only once the server has the message.
 */
export function Composer({ conversation, myId }: { conversation: Conversation; myId: string }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => loadDraft(conversation.id) ?? EMPTY_DRAFT);
  // The editor starts from the saved HTML once; after that it owns the content.
  const [initialHtml] = useState(() => draft.html || (draft.text ? textToHtml(draft.text) : ""));
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [picking, setPicking] = useState(false);
  const [pending, setPending] = useState<PendingFile[]>([]);
  const [dragging, setDragging] = useState(false);
  /** Where the saved reply goes: over a typed "/" (at its position), or at the caret. */
  const [replyPicker, setReplyPicker] = useState<{ at: number | null } | null>(null);
  const session = useSession();
  const { contact, company } = useContactAndCompany(conversation.contact_id);
  const fileInput = useRef<HTMLInputElement>(null);
  const editor = useRef<RichEditorHandle>(null);
  const stream = useStream();
  const typedAt = useRef(0);

  function addFiles(list: FileList | null) {
    for (const file of Array.from(list ?? [])) {
      const key = `${Date.now()}-${Math.random()}`;
      setPending((all) => [...all, { key, name: file.name, size: file.size }]);
      uploadFile(file, session.csrf_token).then(
        (id) => {
          setPending((all) => all.filter((f) => f.key !== key));
          setDraft((d) => ({
            ...d,
            attachments: [...d.attachments, { id, name: file.name, size: file.size }],
          }));
        },
        (caught: unknown) =>
          setPending((all) =>
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
    const at = replyPicker?.at;
    editor.current?.insertText(filled, at != null ? { from: at, to: at + 1 } : undefined);
    setReplyPicker(null);
  }

  function edit(html: string, text: string) {
    setDraft((d) => ({ ...d, html, text }));
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

  // "r" or "n" pressed before the editor's code arrived: focus it as soon as it is there.
  const focusWhenReady = useRef(false);
  function focusAs(mode: Draft["mode"]) {
    setDraft((d) => ({ ...d, mode }));
    if (editor.current) editor.current.focus();
    else focusWhenReady.current = true;
  }
  useCommand("reply", () => focusAs("reply"));
  useCommand("note", () => focusAs("note"));

  const uploading = pending.some((f) => !f.error);
  const attachmentIds = draft.attachments.map((a) => a.id);
  // A message may be only files; it still needs a line of text for the customer's mail.
  const empty = !draft.text.trim();

  async function send(resolve: boolean) {
    if (empty || sending || uploading) return;
    setSending(true);
    setError(null);
    try {
      await postMessage(queryClient, myId, conversation.id, {
        kind: draft.mode === "note" ? "note" : "outgoing",
        body_text: draft.text,
        ...(draft.html ? { body_html: draft.html } : {}),
        ...(attachmentIds.length > 0 ? { attachment_ids: attachmentIds } : {}),
      });
      clearDraft(conversation.id);
      editor.current?.clear();
      setDraft((d) => ({ ...EMPTY_DRAFT, mode: d.mode }));
      setPending([]);
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

  const isNote = draft.mode === "note";
  const chips = [
    ...draft.attachments.map((a) => ({ key: a.id, name: a.name, size: a.size, state: "" })),
    ...pending.map((f) => ({
      key: f.key,
      name: f.name,
      size: f.size,
      state: f.error ? ` · not uploaded: ${f.error}` : " · uploading…",
    })),
  ];
  function removeChip(key: string) {
    setPending((all) => all.filter((f) => f.key !== key));
    setDraft((d) => ({ ...d, attachments: d.attachments.filter((a) => a.id !== key) }));
  }
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
      <Suspense fallback={<div className="composer-editor-loading hint">Loading the editor…</div>}>
        <RichEditor
          handle={editor}
          initialHtml={initialHtml}
          label={isNote ? "Internal note (only your team sees it)" : "Reply to the customer"}
          placeholder={isNote ? "Write a note only your team will see…" : "Write your reply…"}
          describedBy={error ? "composer-error" : undefined}
          onChange={edit}
          onSubmit={() => void send(false)}
          onSlash={(at) => setReplyPicker({ at })}
          onPasteFiles={addFiles}
          onReady={() => {
            if (focusWhenReady.current) editor.current?.focus();
            focusWhenReady.current = false;
          }}
        />
      </Suspense>
      {error && (
        <p className="form-error" id="composer-error" role="alert">
          {error}
        </p>
      )}
      {chips.length > 0 && (
        <ul className="attachments composer-files" aria-label="Attached files">
          {chips.map((f) => (
            <li key={f.key} className="attachment">
              <span>{f.name}</span>{" "}
              <span className={f.state.includes("not uploaded") ? "form-error" : "attachment-size"}>
                {formatSize(f.size)}
                {f.state}
              </span>
              <button
                type="button"
                className="icon-button"
                aria-label={`Remove ${f.name}`}
                onClick={() => removeChip(f.key)}
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
              editor.current?.focus();
            }}
          />
        </Suspense>
      )}
      {picking && (
        <Suspense fallback={<p className="hint">Loading the help center…</p>}>
          <ArticlePicker
            onInsert={(text) => {
              editor.current?.appendText(text);
              setPicking(false);
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
          onClick={() => setReplyPicker(replyPicker ? null : { at: null })}
        >
          Saved reply <kbd>/</kbd>
        </button>
        <button type="button" className="button" onClick={() => fileInput.current?.click()}>
          Attach file
        </button>
        <ComposerFeatureRequest conversationId={conversation.id} />
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
        {/* Extra tools slot: other screens may add one toolbar element each here (e.g. a picker). */}
        <span className="composer-extra-tools" />
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
