import type { Channel, ConversationStatus, MessageKind } from "../../db/schema.ts";
import { businessMs, type Schedule } from "./business-hours.ts";
import { localDateOf, wallClockAt } from "./zoned-time.ts";

/** What the metrics need of a conversation. */
export interface TimelineConversation {
  id: string;
  inbox_id: string;
  channel: Channel;
  status: ConversationStatus;
  assignee_id: string | null;
  resolved_at: Date | null;
  created_at: Date;
}

/** What the metrics need of each message, oldest first. */
export interface TimelineMessage {
  kind: MessageKind;
  sent_by_human: boolean;
  author_agent_id: string | null;
  created_at: Date;
  /** Sent by a machine on the customer's side (auto-reply, bounce): never a customer's request. */
  automated: boolean;
  /** metadata.action of activity lines ("callback_placed" answers a callback request). */
  action: string | null;
}

/** One conversation's figures, as stored in conversation_metrics. Durations in milliseconds. */
export interface ConversationMetrics {
  inbox_id: string;
  channel: Channel;
  /** Who answered first (the ASA answer), else the assignee, else nobody. */
  agent_id: string | null;
  requested_at: Date | null;
  /** Local date (workspace time zone) and hour of the request, or of the creation without one. */
  day: string;
  hour: number;
  first_response_at: Date | null;
  first_response_ms: number | null;
  first_response_business_ms: number | null;
  answered_at: Date | null;
  asa_ms: number | null;
  asa_business_ms: number | null;
  resolved_at: Date | null;
  resolution_day: string | null;
  resolution_ms: number | null;
  resolution_business_ms: number | null;
  replies: number;
}

const LIVE_CHANNELS = new Set<Channel>(["chat", "callback"]);

/**
 * Keepwell's metric definitions, applied to one conversation's timeline:
 * - the request is the first incoming message not sent by a machine;
 * - first response time runs from the request to the first outgoing message a human sent after it
 *   (notes, activity lines, auto-replies and bot messages are not responses; a reply an agent sent
 *   from their own mail client is one);
 * - ASA is the first response time, except on live channels (chat, callback requests), where a
 *   callback placed by an agent ("callback_placed" activity) answers too, whichever comes first;
 * - resolution time runs from the request to the resolve that is in force: a reopened conversation
 *   has none until it is resolved again, and then counts to that later resolve;
 * - replies counts every outgoing message a human sent.
 * Business-hours variants count only the schedule's opening hours between the same two instants.
 */
export function computeMetrics(
  conversation: TimelineConversation,
  messages: readonly TimelineMessage[],
  schedule: Schedule,
): ConversationMetrics {
  const request = messages.find((m) => m.kind === "incoming" && !m.automated) ?? null;
  const requestedAt = request?.created_at ?? null;
  const after = (m: TimelineMessage) =>
    requestedAt !== null && m.created_at.getTime() >= requestedAt.getTime();
  const firstResponse = messages.find((m) => m.kind === "outgoing" && m.sent_by_human && after(m)) ?? null;
  let answer = firstResponse;
  if (LIVE_CHANNELS.has(conversation.channel)) {
    const callback = messages.find(
      (m) =>
        m.kind === "activity" && m.action === "callback_placed" && m.author_agent_id !== null && after(m),
    );
    if (callback && (!answer || callback.created_at.getTime() < answer.created_at.getTime()))
      answer = callback;
  }
  const resolvedAt = conversation.status === "resolved" ? conversation.resolved_at : null;
  const resolution = requestedAt && resolvedAt ? span(requestedAt, resolvedAt, schedule) : null;
  const anchor = (requestedAt ?? conversation.created_at).getTime();
  const fr = requestedAt && firstResponse ? span(requestedAt, firstResponse.created_at, schedule) : null;
  const asa = requestedAt && answer ? span(requestedAt, answer.created_at, schedule) : null;
  return {
    inbox_id: conversation.inbox_id,
    channel: conversation.channel,
    agent_id: answer?.author_agent_id ?? conversation.assignee_id ?? null,
    requested_at: requestedAt,
    day: localDateOf(anchor, schedule.timeZone),
    hour: wallClockAt(anchor, schedule.timeZone).hour,
    first_response_at: firstResponse?.created_at ?? null,
    first_response_ms: fr?.wall ?? null,
    first_response_business_ms: fr?.business ?? null,
    answered_at: answer?.created_at ?? null,
    asa_ms: asa?.wall ?? null,
    asa_business_ms: asa?.business ?? null,
    resolved_at: resolution ? resolvedAt : null,
    resolution_day: resolution && resolvedAt ? localDateOf(resolvedAt.getTime(), schedule.timeZone) : null,
    resolution_ms: resolution?.wall ?? null,
    resolution_business_ms: resolution?.business ?? null,
    replies: messages.filter((m) => m.kind === "outgoing" && m.sent_by_human).length,
  };
}

function span(from: Date, to: Date, schedule: Schedule): { wall: number; business: number } {
  const start = from.getTime();
  const end = Math.max(start, to.getTime());
  return { wall: end - start, business: businessMs(start, end, schedule) };
}

/** True when two computations would contribute the same to every rollup. */
export function sameMetrics(a: ConversationMetrics, b: ConversationMetrics): boolean {
  const keys = Object.keys(a) as (keyof ConversationMetrics)[];
  return keys.every((key) => {
    const x = a[key];
    const y = b[key];
    if (x instanceof Date || y instanceof Date) {
      return x instanceof Date && y instanceof Date && x.getTime() === y.getTime();
    }
    return x === y;
  });
}
