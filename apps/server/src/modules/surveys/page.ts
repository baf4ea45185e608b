import { createHash } from "node:crypto";
import type { SurveyRating } from "../../db/schema.ts";
import { escapeHtml } from "../email/display/document.ts";
import { fill, type Language, type SurveyText, texts } from "./i18n.ts";
import { CHOICES } from "./tokens.ts";

/*
 * The public survey pages: small, server-rendered, no cookies, no third-party anything. The one
 * inline style and the one inline script are allowed by their hashes, so the policy stays strict
 * ('unsafe-inline' nowhere) without a per-request nonce.
 */

const STYLE = `
*{box-sizing:border-box}
body{margin:0;background:#f3f4f6;color:#111827;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Bengali","Noto Sans Tamil","Noto Sans Devanagari",sans-serif}
main{max-width:560px;margin:24px auto;background:#fff;border-radius:10px;padding:24px}
h1{font-size:22px;margin:0 0 8px}
p{margin:8px 0}
.choices{display:flex;flex-wrap:wrap;gap:8px;margin:16px 0}
.choice{flex:1 1 110px;text-align:center;padding:10px 8px;border:2px solid #d1d5db;border-radius:8px;color:#111827;text-decoration:none}
.choice[aria-current=true]{border-color:#1d4ed8;background:#dbeafe;font-weight:bold}
.status{font-weight:bold}
label{display:block;font-weight:bold;margin:16px 0 6px}
textarea{width:100%;font:inherit;padding:8px;border:1px solid #9ca3af;border-radius:6px}
button{margin-top:10px;font:inherit;font-weight:bold;padding:10px 18px;border:0;border-radius:6px;background:#1d4ed8;color:#fff;cursor:pointer}
[hidden]{display:none!important}
`;

/*
 * Posts the answer as soon as a browser has loaded the page (a mail scanner fetches but never runs
 * it), then shows the comment box with the nonce the server returned. Without JavaScript, the
 * Confirm button posts the same form.
 */
const SCRIPT = `(function(){
var form=document.getElementById("confirm");if(!form)return;
var status=document.getElementById("status");var comment=document.getElementById("comment");
form.hidden=true;status.hidden=false;
fetch(form.action,{method:"POST",headers:{"content-type":"application/x-www-form-urlencoded",accept:"application/json"},body:new URLSearchParams(new FormData(form)).toString(),credentials:"omit"})
.then(function(r){return r.json();})
.then(function(b){status.textContent=b.message;if(b.comment_nonce){comment.elements.nonce.value=b.comment_nonce;comment.hidden=false;}})
.catch(function(){form.hidden=false;status.hidden=true;});
})();`;

const hash = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

export const SURVEY_CSP = [
  "default-src 'none'",
  `script-src ${hash(SCRIPT)}`,
  `style-src ${hash(STYLE)}`,
  "connect-src 'self'",
  "form-action 'self'",
  "img-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

function layout(language: Language, title: string, body: string, script = false): string {
  return `<!doctype html>
<html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex,nofollow">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main>${script ? `<script>${SCRIPT}</script>` : ""}</body></html>
`;
}

function choicesBlock(t: SurveyText, current: SurveyRating, links: Record<SurveyRating, string>): string {
  const items = CHOICES.map(
    (choice) =>
      `<a class="choice" href="${escapeHtml(links[choice])}"${choice === current ? ' aria-current="true"' : ""}>${escapeHtml(t.choices[choice])}</a>`,
  ).join("");
  return `<div class="choices" role="group" aria-label="${escapeHtml(t.change)}">${items}</div>`;
}

function commentForm(t: SurveyText, action: string, nonce: string, hidden: boolean): string {
  return `<form id="comment" method="post" action="${escapeHtml(action)}"${hidden ? " hidden" : ""}>
<label for="comment-text">${escapeHtml(t.commentQuestion)}</label>
<textarea id="comment-text" name="comment" rows="4" maxlength="2000"></textarea>
<input type="hidden" name="nonce" value="${escapeHtml(nonce)}">
<button type="submit">${escapeHtml(t.send)}</button></form>`;
}

export interface AnswerPage {
  language: Language;
  question: string | null;
  choice: SurveyRating;
  links: Record<SurveyRating, string>;
  action: string;
  commentAction: string;
  nonce: string;
}

/** The page a link opens: the chosen answer highlighted, not yet recorded, with its nonce. */
export function answerPage(page: AnswerPage): string {
  const t = texts[page.language];
  const body = `<h1>${escapeHtml(t.subject)}</h1>
<p>${escapeHtml(page.question?.trim() || t.question)}</p>
${choicesBlock(t, page.choice, page.links)}
<form id="confirm" method="post" action="${escapeHtml(page.action)}">
<input type="hidden" name="nonce" value="${escapeHtml(page.nonce)}">
<p>${escapeHtml(t.confirmHint)}</p><button type="submit">${escapeHtml(t.confirm)}</button></form>
<p id="status" class="status" role="status" hidden>${escapeHtml(t.recording)}</p>
${commentForm(t, page.commentAction, "", true)}`;
  return layout(page.language, t.subject, body, true);
}

/** After a recorded answer without JavaScript: the thanks, and the comment box. */
export function recordedPage(page: Omit<AnswerPage, "nonce"> & { commentNonce: string }): string {
  const t = texts[page.language];
  const body = `<h1>${escapeHtml(t.subject)}</h1>
${choicesBlock(t, page.choice, page.links)}
<p class="status" role="status">${escapeHtml(recordedMessage(page.language, page.choice))}</p>
${commentForm(t, page.commentAction, page.commentNonce, false)}`;
  return layout(page.language, t.subject, body);
}

export function recordedMessage(language: Language, choice: SurveyRating): string {
  const t = texts[language];
  return fill(t.recorded, { choice: t.choices[choice] });
}

export function thanksPage(language: Language): string {
  const t = texts[language];
  return layout(
    language,
    t.subject,
    `<h1>${escapeHtml(t.subject)}</h1><p class="status" role="status">${escapeHtml(t.commentThanks)}</p>`,
  );
}

export type FriendlyReason = "invalid" | "expired" | "replayed" | "busy";

export function friendlyMessage(language: Language, reason: FriendlyReason): string {
  const t = texts[language];
  return { invalid: t.invalid, expired: t.expired, replayed: t.replayed, busy: t.error }[reason];
}

/** What a bad, expired or used link gets: a kind explanation, and the assurance that nothing changed. */
export function friendlyPage(language: Language, reason: FriendlyReason): string {
  const t = texts[language];
  const title = reason === "replayed" || reason === "busy" ? t.subject : t.invalidTitle;
  return layout(
    language,
    title,
    `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(friendlyMessage(language, reason))}</p>`,
  );
}
