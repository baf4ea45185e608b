import type { Conversation } from "../../api/types.ts";
import { formatDateTime, useNow } from "../../lib/time.ts";
import { useChatVisitor } from "./visitor-query.ts";

/** The chat visitor's side of things: verified or not, the page they are on, browser, language, local time. */
export function VisitorPanel({ conversation }: { conversation: Conversation }) {
  const visitor = useChatVisitor(conversation);
  const now = useNow();
  if (conversation.channel !== "chat" || !visitor.data) return null;
  const v = visitor.data;
  const { context } = v;
  const localTime = context.time_zone ? timeIn(now, context.time_zone) : null;
  // The language the widget speaks to them, which an emailed reply uses too; else their browser's.
  const chatLanguage = v.language ?? context.language;
  const browserDiffers = Boolean(
    v.language && context.language && primaryTag(v.language) !== primaryTag(context.language),
  );
  return (
    <section className="sidebar-section" aria-labelledby="chat-visitor" data-testid="visitor-panel">
      <h3 id="chat-visitor">Chat visitor</h3>
      <dl className="facts">
        <dt>Identity</dt>
        <dd>
          {v.verified ? (
            <span className="plan" title="Signed by the site with the widget's identity secret">
              Verified user {v.user_id}
            </span>
          ) : (
            "Not verified (anonymous)"
          )}
        </dd>
        {v.email && (
          <>
            <dt>Email left</dt>
            <dd>{v.email}</dd>
          </>
        )}
        {context.page_url && (
          <>
            <dt>Page</dt>
            <dd>
              <a href={context.page_url} target="_blank" rel="noopener noreferrer nofollow">
                {context.page_title || context.page_url}
              </a>
            </dd>
          </>
        )}
        {(context.browser || context.os) && (
          <>
            <dt>Browser</dt>
            <dd>{[context.browser, context.os].filter(Boolean).join(" on ")}</dd>
          </>
        )}
        {chatLanguage && (
          <>
            <dt>Language</dt>
            <dd>
              {languageName(chatLanguage)}
              {browserDiffers && context.language && (
                <span className="hint"> (browser: {languageName(context.language)})</span>
              )}
            </dd>
          </>
        )}
        {localTime && (
          <>
            <dt>Local time</dt>
            <dd>
              {localTime} <span className="hint">({context.time_zone})</span>
            </dd>
          </>
        )}
        <dt>Last seen</dt>
        <dd>{formatDateTime(v.last_seen_at)}</dd>
      </dl>
    </section>
  );
}

function timeIn(now: number, timeZone: string): string | null {
  try {
    return new Intl.DateTimeFormat(undefined, {
      timeZone,
      weekday: "short",
      hour: "numeric",
      minute: "2-digit",
    }).format(now);
  } catch {
    return null;
  }
}

const primaryTag = (tag: string) => tag.split("-")[0].toLowerCase();

function languageName(tag: string): string {
  try {
    const name = new Intl.DisplayNames(undefined, { type: "language" }).of(tag);
    return name && name !== tag ? `${name} (${tag})` : tag;
  } catch {
    return tag;
  }
}
