import { useQueryClient } from "@tanstack/react-query";
import { type KeyboardEvent, lazy, Suspense, useEffect, useRef, useState } from "react";
import { ApiError } from "../api/client.ts";
import { postMessage, updateConversation } from "../api/conversations.ts";
import type { Conversation } from "../api/types.ts";
import { useCommand } from "../lib/commands.ts";
import { clearDraft, type Draft, loadDraft, saveDraft } from "../lib/drafts.ts";
import { useStream } from "../realtime/StreamContext.tsx";

// Loaded on first use, so the help center's code stays out of the first download.
const ArticlePicker = lazy(() =>
  import("./help-center/ArticlePicker.tsx").then((m) => ({ default: m.ArticlePicker })),
);

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
  const textarea = useRef<HTMLTextAreaElement>(null);
  const stream = useStream();
  const typedAt = useRef(0);

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

  async function send(resolve: boolean) {
    if (!draft.text.trim() || sending) return;
    setSending(true);
    setError(null);
    try {
      await postMessage(queryClient, myId, conversation.id, {
        kind: draft.mode === "note" ? "note" : "outgoing",
        body_text: draft.text,
      });
      clearDraft(conversation.id);
      setDraft((d) => ({ mode: d.mode, text: "" }));
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
      aria-label="Composer"
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
        onChange={(e) => edit(e.target.value)}
        onKeyDown={onKeyDown}
        aria-describedby={error ? "composer-error" : undefined}
      />
      {error && (
        <p className="form-error" id="composer-error" role="alert">
          {error}
        </p>
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
            disabled={sending || empty}
            onClick={() => void send(true)}
          >
            Send and resolve
          </button>
        )}
        <button type="submit" className="button button-primary" disabled={sending || empty}>
          {sending ? "Sending…" : isNote ? "Add note" : "Send"}
        </button>
      </div>
    </form>
  );
}
