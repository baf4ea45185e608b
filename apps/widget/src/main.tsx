import { render } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { CallbackForm } from "./callback.tsx";
import {
  type ChatAttachment,
  type ChatConnection as Connection,
  ChatConnection,
  type ChatMessage,
  type ChatState,
  type ChatSurvey,
} from "./connection.ts";
import { fill, pickLanguage, type Text, texts } from "./i18n.ts";
import { STYLES } from "./styles.ts";

/*
 * The chat inside the frame. It learns the visitor's identity from the loader (postMessage from the
 * host page), keeps its own token in this origin's storage, and speaks to Keepwell over one socket.
 */

interface WidgetConfig {
  callbacks?: boolean;
  color: string;
  greeting: string;
  languages: string[];
  offline_behaviour: "ask_email" | "hide";
}

const root = document.getElementById("kw-root") as HTMLElement;
const key = root.dataset.key ?? "";
/** The standalone callback page (/callback/{key}) shows only the form. */
const standalone = root.dataset.view === "callback";
const hashLang = new URLSearchParams(location.hash.slice(1)).get("lang") ?? navigator.language;
const toParent = (message: Record<string, unknown>) => {
  if (window.parent !== window) window.parent.postMessage({ kw: 1, ...message }, "*");
};

function App() {
  const [config, setConfig] = useState<WidgetConfig | null>(null);
  const [chat, setChat] = useState<ChatState | null>(null);
  const [view, setView] = useState<"chat" | "callback">(standalone ? "callback" : "chat");
  const connection = useRef<Connection | null>(null);

  useEffect(() => {
    fetch(`/widget/v1/${key}/config`)
      .then((r) => r.json())
      .then((c: WidgetConfig) => {
        setConfig(c);
        toParent({ type: "config", color: c.color });
      })
      .catch(() =>
        setConfig({ color: "#2563eb", greeting: "", languages: ["en"], offline_behaviour: "ask_email" }),
      );
    if (standalone) return;
    const conn = new ChatConnection(key, setChat);
    connection.current = conn;
    let started = false;
    const start = (identity: unknown) => {
      if (started) return;
      started = true;
      void conn.start(identity);
    };
    const onMessage = (event: MessageEvent) => {
      if (event.source !== window.parent) return;
      const data = event.data as {
        kw?: number;
        type?: string;
        identity?: unknown;
        attributes?: unknown;
        page?: unknown;
      };
      if (data?.kw !== 1) return;
      if (data.page) conn.setPage(data.page);
      if (data.type === "init" || data.type === "attributes") conn.setAttributes(data.attributes);
      if (data.type === "init") start(data.identity ?? null);
      if (data.type === "identify")
        started ? conn.identify(data.identity ?? null) : start(data.identity ?? null);
      if (data.type === "open") conn.read();
    };
    window.addEventListener("message", onMessage);
    toParent({ type: "hello" });
    // Opened on its own (no loader answering): start anonymously.
    const fallback = setTimeout(() => start(null), window.parent === window ? 0 : 1500);
    return () => {
      clearTimeout(fallback);
      window.removeEventListener("message", onMessage);
      conn.stop();
    };
  }, []);

  const lang = pickLanguage(hashLang, config?.languages);
  const t = texts[lang];
  const color = config?.color ?? "#2563eb";
  // Once the offered languages are known, the server learns which one the visitor reads.
  useEffect(() => {
    if (config) connection.current?.setLanguage(lang);
  }, [config, lang]);

  return (
    <div class="kw" lang={lang} style={{ "--kw-color": color }}>
      <style>{STYLES}</style>
      <header>
        <div>
          <h1>{standalone ? t.callbackTitle : t.title}</h1>
          <Availability t={t} chat={chat} lang={lang} />
          <Founder t={t} founder={chat?.availability?.founder ?? null} />
        </div>
        {!standalone && (
          <button type="button" class="icon" aria-label={t.close} onClick={() => toParent({ type: "close" })}>
            ×
          </button>
        )}
      </header>
      {view === "callback" ? (
        <CallbackForm t={t} widgetKey={key} onBack={standalone ? null : () => setView("chat")} />
      ) : (
        <ChatView
          t={t}
          lang={lang}
          chat={chat}
          config={config}
          connection={connection.current}
          onCallback={() => setView("callback")}
        />
      )}
    </div>
  );
}

/** During a founder's office hours the visitor knows who is answering today. */
function Founder({ t, founder }: { t: Text; founder: { name: string; avatar_url: string } | null }) {
  const [pictureFailed, setPictureFailed] = useState(false);
  if (!founder) return null;
  return (
    <p class="founder" data-testid="founder">
      {pictureFailed ? (
        <span class="avatar" aria-hidden="true">
          {founder.name.slice(0, 1).toUpperCase()}
        </span>
      ) : (
        <img class="avatar" src={founder.avatar_url} alt="" onError={() => setPictureFailed(true)} />
      )}
      {fill(t.founder, { name: founder.name })}
    </p>
  );
}

function Availability({ t, chat, lang }: { t: Text; chat: ChatState | null; lang: string }) {
  const availability = chat?.availability;
  if (!availability) return <p class="sub">{t.human}</p>;
  if (availability.online) {
    const reply = { minutes: t.replyMinutes, hours: t.replyHours, day: t.replyDay }[availability.reply_time];
    return <p class="sub">{reply}</p>;
  }
  const back = availability.next_open_at
    ? fill(t.backAt, {
        time: new Intl.DateTimeFormat(lang, { weekday: "short", hour: "numeric", minute: "2-digit" }).format(
          new Date(availability.next_open_at),
        ),
      })
    : "";
  return (
    <p class="sub" data-testid="offline">
      {t.offline} {back}
    </p>
  );
}

function ChatView(props: {
  t: Text;
  lang: string;
  chat: ChatState | null;
  config: WidgetConfig | null;
  connection: Connection | null;
  onCallback: () => void;
}) {
  const { t, chat, config, connection } = props;
  const [draft, setDraft] = useState("");
  const list = useRef<HTMLDivElement>(null);
  const messages = chat?.messages ?? [];
  const suggestions = useSuggestions(draft, props.lang);
  const lastVisitor = useMemo(
    () => [...messages].reverse().find((m) => m.from === "visitor" && !m.state),
    [messages],
  );

  // Runs when the number of messages changes: scroll to the newest and tell the team it was read.
  const count = messages.length;
  useEffect(() => {
    if (count === 0) return;
    list.current?.scrollTo({ top: list.current.scrollHeight });
    if (document.hasFocus()) connection?.read();
  }, [count, connection]);
  // The question arrives below the last message: bring it into view.
  const surveyId = chat?.survey?.survey_id;
  useEffect(() => {
    if (surveyId) list.current?.scrollTo({ top: list.current.scrollHeight });
  }, [surveyId]);

  if (chat?.status === "refused") return <p class="notice">{t.identityRequired}</p>;

  const submit = (event: Event) => {
    event.preventDefault();
    const body = draft.trim();
    if (!body || !connection) return;
    connection.send(body);
    setDraft("");
  };
  const offline = chat?.availability && !chat.availability.online;

  return (
    <>
      <div class="messages" ref={list} role="log" aria-live="polite">
        <p class="bubble agent">{config?.greeting || t.greeting}</p>
        {messages.map((m) => (
          <Message
            key={m.client_id ?? m.id}
            m={m}
            t={t}
            onRetry={() => connection?.retry(m)}
            onDownload={(file) => connection?.download(file)}
          />
        ))}
        {lastVisitor && chat?.seenAt && chat.seenAt >= lastVisitor.created_at && (
          <p class="meta right">{t.seen}</p>
        )}
        {chat?.typing && <p class="meta">{fill(t.typing, { name: chat.typing })}</p>}
        {chat?.survey && connection && <Survey t={t} survey={chat.survey} connection={connection} />}
        {offline && config?.offline_behaviour === "ask_email" && (
          <EmailForm t={t} email={chat?.email ?? null} onSave={(email) => connection?.saveEmail(email)} />
        )}
      </div>
      {suggestions.length > 0 && (
        <div class="suggestions" aria-live="polite">
          <p class="meta">{t.maybeHelps}</p>
          <ul>
            {suggestions.map((article) => (
              <li key={article.id}>
                <a href={article.url} target="_blank" rel="noopener noreferrer">
                  {article.title}
                </a>
              </li>
            ))}
          </ul>
        </div>
      )}
      {chat?.status === "reconnecting" && <p class="status">{t.reconnecting}</p>}
      {chat?.error && (
        <p class="error" role="alert">
          {chat.error}
        </p>
      )}
      <form class="composer" onSubmit={submit}>
        <label class="attach" title={t.attach}>
          <svg
            width="20"
            height="20"
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            aria-hidden="true"
          >
            <path
              stroke-width="2"
              stroke-linecap="round"
              d="M21 11.5l-8.6 8.6a5 5 0 0 1-7.1-7.1l8.6-8.6a3.3 3.3 0 0 1 4.7 4.7l-8.6 8.6a1.7 1.7 0 0 1-2.4-2.4l7.9-7.9"
            />
          </svg>
          <input
            type="file"
            aria-label={t.attach}
            accept="image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain,text/csv"
            onChange={(e) => {
              const input = e.target as HTMLInputElement;
              const file = input.files?.[0];
              if (file) void connection?.sendFile(file, { tooBig: t.fileTooBig, wrongType: t.fileType });
              input.value = "";
            }}
          />
        </label>
        <textarea
          aria-label={t.placeholder}
          placeholder={t.placeholder}
          value={draft}
          rows={2}
          maxLength={5000}
          onInput={(e) => {
            setDraft((e.target as HTMLTextAreaElement).value);
            connection?.typing();
          }}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey) submit(e);
          }}
        />
        <button type="submit" class="send" disabled={!draft.trim()}>
          {t.send}
        </button>
      </form>
      {config?.callbacks && (
        <p class="footer">
          <button type="button" class="link" onClick={props.onCallback}>
            {t.callback}
          </button>
        </p>
      )}
      {chat?.verified && (
        <p class="footer">
          <button
            type="button"
            class="link"
            onClick={async () => {
              const url = await connection?.pauseLink();
              if (url) window.open(url, "_blank", "noopener");
            }}
          >
            {t.manageSubscription}
          </button>
        </p>
      )}
    </>
  );
}

interface Suggestion {
  id: string;
  title: string;
  url: string;
}

/** Help articles matching the draft, asked for once the visitor pauses typing; cleared when it is sent. */
function useSuggestions(draft: string, lang: string): Suggestion[] {
  const [found, setFound] = useState<Suggestion[]>([]);
  useEffect(() => {
    const query = draft.trim();
    if (query.length < 3) {
      setFound([]);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      fetch(`/widget/v1/${key}/articles?q=${encodeURIComponent(query.slice(0, 200))}&lang=${lang}`, {
        signal: controller.signal,
      })
        .then((r) => (r.ok ? r.json() : { data: [] }))
        .then((body: { data: Suggestion[] }) => setFound(body.data))
        .catch(() => {});
    }, 400);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [draft, lang]);
  return found;
}

function Message({
  m,
  t,
  onRetry,
  onDownload,
}: {
  m: ChatMessage;
  t: Text;
  onRetry: () => void;
  onDownload: (file: ChatAttachment) => void;
}) {
  return (
    <div class={`row ${m.from}`} data-testid={`message-${m.from}`}>
      {m.from === "agent" && m.agent && (
        <span class="avatar" aria-hidden="true">
          {m.agent.name.slice(0, 1).toUpperCase()}
        </span>
      )}
      <div>
        {m.from === "agent" && m.agent && <p class="name">{m.agent.name}</p>}
        {m.body && <p class={`bubble ${m.from}`}>{m.body}</p>}
        {m.attachments?.map((file) => (
          <button key={file.id} type="button" class="link file" onClick={() => onDownload(file)}>
            📎 {file.filename} ({Math.max(1, Math.round(file.size_bytes / 1024))} KB)
          </button>
        ))}
        {m.state === "sending" && <p class="meta right">{t.sending}</p>}
        {m.state === "failed" && (
          <button type="button" class="link meta right" onClick={onRetry}>
            {t.failed} ↻
          </button>
        )}
      </div>
    </div>
  );
}

const CHOICE_MARKS: Record<string, string> = { great: "😀", good: "😊", okay: "😐", bad: "😞" };

/** The satisfaction question, inline after a resolve: one click answers, a later click changes it. */
function Survey({ t, survey, connection }: { t: Text; survey: ChatSurvey; connection: Connection }) {
  const [comment, setComment] = useState("");
  const labels: Record<string, string> = { great: t.great, good: t.good, okay: t.okay, bad: t.bad };
  return (
    <div class="survey" data-testid="survey">
      <fieldset class="choices">
        <legend>{survey.question || t.rateQuestion}</legend>
        {survey.choices.map((choice) => (
          <button
            key={choice}
            type="button"
            data-choice={choice}
            aria-pressed={survey.rating === choice}
            onClick={() => connection.rate(choice)}
          >
            <span aria-hidden="true">{CHOICE_MARKS[choice]}</span> {labels[choice] ?? choice}
          </button>
        ))}
      </fieldset>
      {survey.rating &&
        (survey.comment ? (
          <p class="meta">{t.rateThanks}</p>
        ) : (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (comment.trim()) connection.comment(comment.trim());
            }}
          >
            <label>
              {t.rateComment}
              <textarea
                rows={2}
                maxLength={2000}
                value={comment}
                onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)}
              />
            </label>
            <button type="submit" class="send" disabled={!comment.trim()}>
              {t.rateSend}
            </button>
          </form>
        ))}
    </div>
  );
}

function EmailForm({ t, email, onSave }: { t: Text; email: string | null; onSave: (email: string) => void }) {
  const [value, setValue] = useState("");
  if (email) return <p class="notice">{fill(t.emailSaved, { email })}</p>;
  return (
    <form
      class="email"
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) onSave(value.trim());
      }}
    >
      <label>
        {t.leaveEmail}
        <input
          type="email"
          required
          placeholder="you@example.com"
          value={value}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
        />
      </label>
      <button type="submit">{t.save}</button>
    </form>
  );
}

render(<App />, root);
