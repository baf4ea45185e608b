import MarkdownIt from "markdown-it";

/*
 * Sequence mail is Markdown with variables: {{contact.first_name}}, {{company.name}},
 * {{contact.attributes.plan}}, with an optional fallback: {{contact.first_name | "there"}}.
 * A variable the contact lacks renders its fallback (or nothing) and is reported as a warning, so
 * a sent mail never shows the raw {{…}} text. Unknown variable names are refused when saving.
 */

export interface TemplateSubject {
  contact: { name: string | null; email: string | null; attributes: Record<string, unknown> };
  company: { name: string; plan: string | null; attributes: Record<string, unknown> } | null;
}

const VARIABLE = /\{\{\s*([a-z_][a-z0-9_.]*)\s*(?:\|\s*"([^"]*)"\s*)?\}\}/gi;
const LEFTOVER = /\{\{[^}]*\}\}/g;

const KNOWN = new Set([
  "contact.name",
  "contact.first_name",
  "contact.email",
  "company.name",
  "company.plan",
]);

/** The variable names a template uses that Keepwell does not know; empty when all are fine. */
export function unknownVariables(template: string): string[] {
  const unknown: string[] = [];
  for (const match of template.matchAll(VARIABLE)) {
    const name = match[1].toLowerCase();
    if (!KNOWN.has(name) && !/^(contact|company)\.attributes\.[a-z0-9_]+$/i.test(match[1]))
      unknown.push(match[1]);
  }
  const stripped = template.replace(VARIABLE, "");
  for (const match of stripped.matchAll(LEFTOVER)) unknown.push(match[0]);
  return unknown;
}

function lookup(name: string, subject: TemplateSubject): string | null {
  const [root, key, attribute] = name.split(".");
  const text = (value: unknown) =>
    value === null || value === undefined || value === "" ? null : String(value).trim() || null;
  if (root === "contact") {
    const c = subject.contact;
    if (key === "name") return text(c.name);
    if (key === "first_name") return text(c.name?.trim().split(/\s+/)[0]);
    if (key === "email") return text(c.email);
    if (key === "attributes" && attribute) return text(c.attributes[attribute]);
  }
  if (root === "company" && subject.company) {
    const c = subject.company;
    if (key === "name") return text(c.name);
    if (key === "plan") return text(c.plan);
    if (key === "attributes" && attribute) return text(c.attributes[attribute]);
  }
  return null;
}

/** Fills the variables; `missing` names those the contact lacked (their fallback, or nothing, was used). */
export function render(template: string, subject: TemplateSubject): { text: string; missing: string[] } {
  const missing: string[] = [];
  const text = template
    .replace(VARIABLE, (_all, name: string, fallback: string | undefined) => {
      const value = lookup(name, subject);
      if (value !== null) return value;
      missing.push(name);
      return fallback ?? "";
    })
    .replace(LEFTOVER, "");
  return { text, missing: [...new Set(missing)] };
}

const markdown = new MarkdownIt({ html: false, linkify: true, breaks: true });

/** The HTML part of a sequence mail (raw HTML in the Markdown is shown as text, never passed on). */
export function markdownToHtml(text: string): string {
  return markdown.render(text);
}
