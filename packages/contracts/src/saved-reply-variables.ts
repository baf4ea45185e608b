/*
 * Saved-reply variables: `{{contact.first_name}}`, with an optional fallback for when the value is
 * unknown: `{{contact.first_name | there}}`. Pure code, shared by the server (which refuses unknown
 * variables at save) and the agent app's composer (which fills them in).
 */

export const SAVED_REPLY_VARIABLES = [
  "contact.first_name",
  "contact.name",
  "contact.email",
  "agent.name",
  "company.name",
] as const;

export type SavedReplyVariable = (typeof SAVED_REPLY_VARIABLES)[number];
export type VariableValues = Partial<Record<SavedReplyVariable, string | null | undefined>>;

/** `{{ name }}` or `{{ name | fallback }}`; the name and the fallback stop at `}` or `|`. */
const PLACEHOLDER = /\{\{\s*([^{}|]*?)\s*(?:\|\s*([^{}]*?)\s*)?\}\}/g;

const known = new Set<string>(SAVED_REPLY_VARIABLES);

/** The variable names a body uses that are not known, in the order they appear, once each. */
export function unknownVariables(body: string): string[] {
  const unknown = new Set<string>();
  for (const match of body.matchAll(PLACEHOLDER)) {
    if (!known.has(match[1] ?? "")) unknown.add(match[1] ?? "");
  }
  return [...unknown];
}

/** The body with every variable replaced by its value, its fallback, or nothing. */
export function fillVariables(body: string, values: VariableValues): string {
  return body.replace(PLACEHOLDER, (whole, name: string, fallback: string | undefined) => {
    if (!known.has(name)) return whole;
    const value = values[name as SavedReplyVariable]?.trim();
    return value ? value : (fallback ?? "");
  });
}

/** A person's first name as people address them: the first word of their name. */
export function firstName(name: string | null | undefined): string | undefined {
  return name?.trim().split(/\s+/u)[0] || undefined;
}
