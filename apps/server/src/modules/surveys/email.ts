import type { SendMailOptions } from "nodemailer";
import type { SurveyRating } from "../../db/schema.ts";
import { escapeHtml } from "../email/display/document.ts";
import { fill, type Language, texts } from "./i18n.ts";
import { CHOICES } from "./tokens.ts";

/** Button colors per answer: readable white text, distinct without relying on color alone (labels). */
const COLORS: Record<SurveyRating, string> = {
  great: "#15803d",
  good: "#4d7c0f",
  okay: "#b45309",
  bad: "#b91c1c",
};
const FACES: Record<SurveyRating, string> = { great: "😀", good: "🙂", okay: "😐", bad: "🙁" };

export interface SurveyMailInput {
  language: Language;
  /** The inbox's own wording, or null for the translated default. */
  question: string | null;
  contactName: string | null;
  conversationNumber: number;
  conversationSubject: string | null;
  links: Record<SurveyRating, string>;
  from: { name: string; address: string };
  to: { name: string | null; address: string };
}

/**
 * The survey email: one short question and the four answers as buttons. Buttons are table cells
 * with inline styles and a solid background color, the form that Outlook, Gmail and Apple Mail all
 * render; each is a plain link, and the text part lists the same links for clients without HTML.
 */
export function composeSurveyMail(input: SurveyMailInput): SendMailOptions {
  const t = texts[input.language];
  const question = input.question?.trim() || t.question;
  const greeting = fill(t.greeting, { name: input.contactName?.trim() || "" }).replace(/\s+,/, ",");
  const about = `#${input.conversationNumber}${input.conversationSubject ? ` ${input.conversationSubject}` : ""}`;
  const buttons = CHOICES.map(
    (choice) =>
      `<td align="center" bgcolor="${COLORS[choice]}" style="background-color:${COLORS[choice]};border-radius:6px;padding:0">` +
      `<a href="${escapeHtml(input.links[choice])}" target="_blank" rel="noopener" ` +
      `style="display:inline-block;padding:12px 16px;font-family:Arial,Helvetica,sans-serif;font-size:16px;font-weight:bold;color:#ffffff;text-decoration:none;border-radius:6px">` +
      `${FACES[choice]}&nbsp;${escapeHtml(t.choices[choice])}</a></td>`,
  ).join('<td width="8" style="width:8px;font-size:0;line-height:0">&nbsp;</td>');
  const html = `<!doctype html>
<html lang="${input.language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(t.subject)}</title></head>
<body style="margin:0;padding:0;background-color:#f3f4f6">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#f3f4f6" style="background-color:#f3f4f6"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="560" cellpadding="0" cellspacing="0" border="0" bgcolor="#ffffff" style="max-width:560px;width:100%;background-color:#ffffff;border-radius:8px">
<tr><td style="padding:24px;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:24px;color:#111827">
<p style="margin:0 0 12px 0">${escapeHtml(greeting)}</p>
<p style="margin:0 0 20px 0;font-size:18px;font-weight:bold">${escapeHtml(question)}</p>
<table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr>${buttons}</tr></table>
<p style="margin:20px 0 0 0;font-size:14px;line-height:20px;color:#4b5563">${escapeHtml(t.emailHint)}</p>
<p style="margin:12px 0 0 0;font-size:12px;line-height:18px;color:#6b7280">${escapeHtml(about)}</p>
</td></tr></table>
</td></tr></table>
</body></html>
`;
  const text = [
    greeting,
    "",
    question,
    "",
    ...CHOICES.map((choice) => `${t.choices[choice]}: ${input.links[choice]}`),
    "",
    t.emailHint,
    "",
    about,
    "",
  ].join("\n");
  return {
    from: input.from,
    to: input.to.name ? { name: input.to.name, address: input.to.address } : input.to.address,
    subject: `${t.subject} (${about})`.replace(/[\r\n]+/g, " "),
    text,
    html,
    // RFC 3834: a machine sent this, so vacation responders and ticket systems do not answer it.
    headers: { "Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All" },
  };
}
