import { useEffect, useRef } from "react";
import { contactName, useAgents, useContactAndCompany } from "../api/directory.ts";
import type { Conversation, Message } from "../api/types.ts";
import { AgentAvatar } from "../components/Avatar.tsx";
import { PaperclipIcon } from "../components/icons.tsx";
import { formatDateTime, formatFullDateTime } from "../lib/time.ts";
import type { InboxSearch } from "../lib/views.ts";
import { SplitButton } from "./MergeTools.tsx";

const KIND_LABEL = { incoming: "Customer", outgoing: "Reply", note: "Internal note", activity: "" } as const;

/** The conversation's history, oldest first, scrolled to the newest entry. */
export function Thread({
  conversation,
  messages,
  error,
  search,
}: {
  conversation: Conversation;
  messages: Message[] | undefined;
  error: Error | null;
  search: InboxSearch;
}) {
  const { contact } = useContactAndCompany(conversation.contact_id);
  const agents = useAgents();
  const end = useRef<HTMLDivElement>(null);
  const count = messages?.length ?? 0;

  useEffect(() => {
    if (count > 0) end.current?.scrollIntoView({ block: "end" });
  }, [count]);

  if (error) {
    return (
      <div className="thread thread-empty" role="alert">
        The messages could not be loaded: {error.message}
      </div>
    );
  }
  if (!messages) return <div className="thread thread-empty">Loading messages…</div>;

  // The first message is the conversation itself; any later customer message can be split out.
  const firstId = messages.find((m) => m.kind === "incoming" || m.kind === "outgoing")?.id;
  const authorOf = (m: Message) =>
    m.kind === "incoming"
      ? contactName(contact)
      : (agents.find((a) => a.id === m.author_agent_id)?.name ??
        (m.author_agent_id ? "An agent" : "Keepwell"));

  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: the thread scrolls, so keyboard users must be able to reach it
    <section className="thread" tabIndex={0} aria-label="Messages">
      <ol className="messages">
        {messages.map((m) =>
          m.kind === "activity" ? (
            <li key={m.id} className="activity">
              <span>{m.body_text}</span>
              <time dateTime={m.created_at} title={formatFullDateTime(m.created_at)}>
                {formatDateTime(m.created_at)}
              </time>
            </li>
          ) : (
            <li key={m.id} className={`message message-${m.kind}`}>
              <div className="message-meta">
                {m.author_agent_id && <AgentAvatar agentId={m.author_agent_id} size={20} />}
                <span className="message-author">{authorOf(m)}</span>
                <span className="message-kind">{KIND_LABEL[m.kind]}</span>
                <time dateTime={m.created_at} title={formatFullDateTime(m.created_at)}>
                  {formatDateTime(m.created_at)}
                </time>
                <DeliveryState message={m} />
                {m.kind === "incoming" && m.id !== firstId && (
                  <SplitButton conversation={conversation} message={m} search={search} />
                )}
              </div>
              <MessageBody message={m} author={authorOf(m)} />
              {m.attachments.length > 0 && <Attachments message={m} />}
            </li>
          ),
        )}
      </ol>
      <div ref={end} />
    </section>
  );
}

function MessageBody({ message: m, author }: { message: Message; author: string }) {
  if (m.body_html && m.kind === "incoming") {
    // The server renders customer HTML as a sanitized page with its own CSP; the sandbox (no
    // scripts, no same-origin) is the second wall. Its height cannot be measured from here, so it
    // is estimated from the text and the agent can drag it taller.
    const lines = m.body_text.split("\n").length + Math.ceil(m.body_text.length / 90);
    const height = Math.min(560, Math.max(120, lines * 22 + 40));
    return (
      <iframe
        className="message-frame"
        title={`Email from ${author}`}
        src={`/api/v1/messages/${m.id}/html`}
        sandbox="allow-popups allow-popups-to-escape-sandbox"
        referrerPolicy="no-referrer"
        loading="lazy"
        style={{ height }}
      />
    );
  }
  const folded = foldedText(m);
  if (folded) {
    // The customer's new words first; the quoted thread and signature one click away.
    return (
      <div className="message-text">
        {folded}
        <details className="quoted-text">
          <summary>Show quoted text</summary>
          {m.body_text}
        </details>
      </div>
    );
  }
  return <div className="message-text">{m.body_text}</div>;
}

/** The new text of a customer's email reply, when the server found a quote or signature to fold. */
function foldedText(m: Message): string | null {
  if (m.kind !== "incoming" || m.metadata.quoted_text_folded !== true) return null;
  const visible = m.metadata.visible_text;
  return typeof visible === "string" && visible.trim() ? visible : null;
}

function DeliveryState({ message: m }: { message: Message }) {
  if (m.kind !== "outgoing" || !m.delivery_state) return null;
  if (m.delivery_state === "failed") {
    return (
      <span className="delivery delivery-failed" role="status">
        Not delivered{m.delivery_error ? `: ${m.delivery_error}` : ""}
      </span>
    );
  }
  return (
    <span className={`delivery delivery-${m.delivery_state}`}>
      {m.delivery_state === "queued" ? "Sending…" : "Sent"}
    </span>
  );
}

function Attachments({ message }: { message: Message }) {
  return (
    <ul className="attachments" aria-label="Attachments">
      {message.attachments.map((a) => (
        <li key={a.id}>
          {a.content_type.startsWith("image/") && !a.content_type.includes("svg") ? (
            <a href={`/api/v1/attachments/${a.id}`} target="_blank" rel="noreferrer">
              <img
                src={`/api/v1/attachments/${a.id}`}
                alt={a.filename}
                className="attachment-image"
                loading="lazy"
              />
            </a>
          ) : (
            <a href={`/api/v1/attachments/${a.id}`} target="_blank" rel="noreferrer" className="attachment">
              <PaperclipIcon /> {a.filename}{" "}
              <span className="attachment-size">{formatSize(a.size_bytes)}</span>
            </a>
          )}
        </li>
      ))}
    </ul>
  );
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
