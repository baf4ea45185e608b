/*
 * "Turn this reply into an article": the conversation view stores the reply's text here and opens
 * /help-center?article=new; the editor starts from it. sessionStorage keeps it out of the URL
 * (customer text must not end up in history or logs) and out of other tabs.
 */
const KEY = "keepwell.help-center.from-reply";

export function startArticleFromReply(text: string, title = ""): string {
  sessionStorage.setItem(KEY, JSON.stringify({ text, title }));
  return "/help-center?article=new";
}

export function takeReplyDraft(): { text: string; title: string } | null {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return null;
  sessionStorage.removeItem(KEY);
  try {
    const parsed = JSON.parse(raw) as { text?: unknown; title?: unknown };
    return { text: String(parsed.text ?? ""), title: String(parsed.title ?? "") };
  } catch {
    return null;
  }
}
