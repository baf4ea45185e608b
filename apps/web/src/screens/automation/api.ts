import { api, query } from "../../api/client.ts";
import type { Contact, Page } from "../../api/types.ts";

/* The lifecycle API as these screens use it (the server declares it in modules/sequences and modules/office-hours). */

export type Operator = "eq" | "neq" | "exists" | "not_exists" | "gt" | "lt" | "contains";
export interface Condition {
  field: string;
  op: Operator;
  value?: string | number | boolean;
}

export type DelayUnit = "days" | "business_days";
export interface Step {
  delay_amount: number;
  delay_unit: DelayUnit;
  subject: string;
  body: string;
  conditions: Condition[];
}

export type SequenceState = "draft" | "active" | "archived";
export interface Sequence {
  id: string;
  name: string;
  kind: "sequence" | "broadcast";
  inbox_id: string;
  state: SequenceState;
  entry_event: string | null;
  entry_conditions: Condition[];
  quiet_hours: number;
  created_at: string;
  updated_at: string;
}
export interface SequenceDetail extends Sequence {
  steps: (Step & { position: number })[];
  enrollments: Record<string, number>;
}

export interface PreviewStep {
  position: number;
  subject: string;
  text: string;
  html: string;
  warnings: string[];
  conditions_met: boolean;
}

export interface Enrollment {
  id: string;
  sequence: { id: string; name: string };
  contact_id: string;
  state: "active" | "paused" | "completed" | "stopped" | "unsubscribed";
  next_position: number;
  due_at: string | null;
  pause_reason: string | null;
  resume_at: string | null;
  entered_via: string;
  entered_at: string;
  history: { position: number; state: string; detail: string | null; at: string }[];
}

export interface EnrollResult {
  enrolled: number;
  skipped: { contact_id: string; reason: string }[];
}

export interface Segment {
  company_id?: string;
  conditions: Condition[];
}

export interface BroadcastInput {
  name?: string;
  inbox_id: string;
  subject: string;
  body: string;
  segment: Segment;
}

export interface BroadcastPreview {
  recipients: number;
  sample: { contact_id: string; name: string | null; email: string; subject: string; warnings: string[] }[];
  skipped: { contact_id: string; reason: string }[];
}

export const listSequences = (signal?: AbortSignal) => api<{ data: Sequence[] }>("/sequences", { signal });
export const getSequence = (id: string, signal?: AbortSignal) =>
  api<SequenceDetail>(`/sequences/${id}`, { signal });
export const createSequence = (input: { name: string; inbox_id: string; steps: Step[] }) =>
  api<SequenceDetail>("/sequences", { method: "POST", body: input });
export const updateSequence = (
  id: string,
  change: Partial<Pick<Sequence, "name" | "state" | "entry_event" | "entry_conditions" | "quiet_hours">>,
) => api<SequenceDetail>(`/sequences/${id}`, { method: "PATCH", body: change });
export const replaceSteps = (id: string, steps: Step[]) =>
  api<SequenceDetail>(`/sequences/${id}/steps`, { method: "PUT", body: { steps } });
export const previewSequence = (id: string, contactId: string | undefined, signal?: AbortSignal) =>
  api<{ steps: PreviewStep[] }>(`/sequences/${id}/preview${query({ contact_id: contactId })}`, { signal });
export const enroll = (id: string, contactIds: string[]) =>
  api<EnrollResult>(`/sequences/${id}/enrollments`, { method: "POST", body: { contact_ids: contactIds } });
export const sequencesOfContact = (contactId: string, signal?: AbortSignal) =>
  api<{ suppressed: string | null; data: Enrollment[] }>(`/contacts/${contactId}/sequences`, { signal });
export const changeEnrollment = (id: string, state: "paused" | "active" | "stopped") =>
  api<Enrollment>(`/sequence-enrollments/${id}`, { method: "PATCH", body: { state } });

export const previewBroadcast = (input: BroadcastInput) =>
  api<BroadcastPreview>("/broadcasts/preview", { method: "POST", body: input });
export const sendBroadcast = (input: BroadcastInput) =>
  api<{ sequence_id: string } & EnrollResult>("/broadcasts", { method: "POST", body: input });

export const searchContacts = (q: string, signal?: AbortSignal) =>
  api<Page<Contact>>(`/contacts${query({ q, limit: 10 })}`, { signal });

export interface OfficeHoursSlot {
  id: string;
  agent: { id: string; name: string };
  weekday: number;
  start: string;
  end: string;
}
export interface PresenceWeek {
  week_start: string;
  founders: {
    agent: { id: string; name: string };
    sessions_scheduled: number;
    sessions_held: number;
    chats_routed: number;
    chats_answered: number;
  }[];
}

export const listOfficeHours = (signal?: AbortSignal) =>
  api<{ data: OfficeHoursSlot[]; on_duty: { agent_id: string; name: string; until: string } | null }>(
    "/office-hours",
    { signal },
  );
export const addOfficeHours = (slot: { weekday: number; start: string; end: string }) =>
  api<OfficeHoursSlot>("/office-hours", { method: "POST", body: slot });
export const removeOfficeHours = (id: string) => api(`/office-hours/${id}`, { method: "DELETE" });
export const presenceReport = (weeks: number, signal?: AbortSignal) =>
  api<{ time_zone: string; weeks: PresenceWeek[] }>(`/office-hours/report${query({ weeks })}`, { signal });

export const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/** The variables a step may use, for the editor's hint (the server refuses any other). */
export const VARIABLES = [
  "contact.first_name",
  "contact.name",
  "contact.email",
  "company.name",
  "company.plan",
  "contact.attributes.<key>",
];
