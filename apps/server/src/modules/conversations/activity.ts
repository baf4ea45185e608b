/*
 * Activity lines are the conversation's own history ("Dana assigned this to Sam"). The text is a
 * readable English default; `metadata.action` and its fields let a client render it in any language.
 */

export interface Activity {
  text: string;
  metadata: { action: string } & Record<string, unknown>;
}

const when = (at: Date) => `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;

export const activities = {
  assigned: (actor: { id: string; name: string }, assignee: { id: string; name: string }): Activity => ({
    text:
      actor.id === assignee.id
        ? `${actor.name} assigned this to themselves`
        : `${actor.name} assigned this to ${assignee.name}`,
    metadata: { action: "assigned", assignee_id: assignee.id },
  }),
  unassigned: (actor: { name: string }, previousId: string | null): Activity => ({
    text: `${actor.name} unassigned this`,
    metadata: { action: "unassigned", previous_assignee_id: previousId },
  }),
  resolved: (actor: { name: string }): Activity => ({
    text: `Resolved by ${actor.name}`,
    metadata: { action: "resolved" },
  }),
  reopened: (actor: { name: string }): Activity => ({
    text: `Reopened by ${actor.name}`,
    metadata: { action: "reopened" },
  }),
  markedOpen: (actor: { name: string }): Activity => ({
    text: `${actor.name} marked this open`,
    metadata: { action: "opened" },
  }),
  markedPending: (actor: { name: string }): Activity => ({
    text: `${actor.name} marked this pending`,
    metadata: { action: "pending" },
  }),
  snoozed: (actor: { name: string }, until: Date): Activity => ({
    text: `${actor.name} snoozed this until ${when(until)}`,
    metadata: { action: "snoozed", until: until.toISOString() },
  }),
  priority: (actor: { name: string }, priority: string): Activity => ({
    text: `${actor.name} set the priority to ${priority}`,
    metadata: { action: "priority", priority },
  }),
  subject: (actor: { name: string }, subject: string): Activity => ({
    text: subject ? `${actor.name} changed the subject to “${subject}”` : `${actor.name} removed the subject`,
    metadata: { action: "subject", subject: subject || null },
  }),
  reopenedByCustomer: (): Activity => ({
    text: "Reopened by a new message from the customer",
    metadata: { action: "reopened_by_customer" },
  }),
  snoozeEnded: (): Activity => ({
    text: "Snooze ended; the conversation is open again",
    metadata: { action: "snooze_ended" },
  }),
};

export type { PendingEvent } from "../../events/types.ts";
