import type { TemplateSubject } from "./template.ts";

/*
 * Conditions on contact or company attributes and on events, for entering a sequence and for each
 * step: all must hold. A field is contact.email, contact.name, company.name, company.plan,
 * company.mrr_cents, contact.attributes.<key> / company.attributes.<key>, or event.<name>: when an
 * API event of that name was last recorded for the contact ("exists": it happened; "not_exists": not).
 */

export type Operator = "eq" | "neq" | "exists" | "not_exists" | "gt" | "lt" | "contains";

export interface Condition {
  field: string;
  op: Operator;
  value?: string | number | boolean;
}

export type ConditionSubject = TemplateSubject & {
  company: (TemplateSubject["company"] & { mrr_cents: number }) | null;
  /** Event name → when it last happened for the contact. */
  events?: Record<string, string>;
};

export const FIELD_PATTERN =
  "^(contact\\.(email|name)|company\\.(name|plan|mrr_cents)|(contact|company)\\.attributes\\.[A-Za-z0-9_]+|event\\.[A-Za-z0-9_.:-]{1,100})$";

function fieldValue(field: string, subject: ConditionSubject): unknown {
  if (field.startsWith("event.")) return subject.events?.[field.slice("event.".length)];
  const [root, key, attribute] = field.split(".");
  const record = root === "contact" ? subject.contact : subject.company;
  if (!record) return undefined;
  if (key === "attributes") return record.attributes[attribute];
  return (record as unknown as Record<string, unknown>)[key];
}

function holds(condition: Condition, subject: ConditionSubject): boolean {
  const actual = fieldValue(condition.field, subject);
  const present = actual !== undefined && actual !== null && actual !== "";
  switch (condition.op) {
    case "exists":
      return present;
    case "not_exists":
      return !present;
    case "eq":
      return present && String(actual) === String(condition.value);
    case "neq":
      return !present || String(actual) !== String(condition.value);
    case "gt":
      return present && Number(actual) > Number(condition.value);
    case "lt":
      return present && Number(actual) < Number(condition.value);
    case "contains":
      return (
        present &&
        String(actual)
          .toLowerCase()
          .includes(String(condition.value ?? "").toLowerCase())
      );
  }
}

export function allHold(conditions: readonly Condition[], subject: ConditionSubject): boolean {
  return conditions.every((condition) => holds(condition, subject));
}
