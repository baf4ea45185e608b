import { api, query } from "../../api/client.ts";

/* The feature requests API as this screen uses it (the server declares it in modules/feature-requests/schemas.ts). */

export type RequestStatus = "under_review" | "planned" | "in_progress" | "shipped" | "declined";
export type SortKey = "mrr" | "count" | "recent";

export const STATUS_LABEL: Record<RequestStatus, string> = {
  under_review: "Under review",
  planned: "Planned",
  in_progress: "In progress",
  shipped: "Shipped",
  declined: "Declined",
};

export interface FeatureRequest {
  id: string;
  title: string;
  description: string;
  status: RequestStatus;
  ask_count: number;
  contact_count: number;
  company_count: number;
  total_mrr_cents: number;
  first_asked_at: string | null;
  last_asked_at: string | null;
  shipped_at: string | null;
  first_ask_to_ship_ms: number | null;
}

export interface Ask {
  id: string;
  asked_at: string;
  note: string | null;
  conversation_id: string | null;
  linked_by: { id: string; name: string } | null;
  contact: { id: string; name: string | null; email: string | null };
  company: { id: string; name: string; mrr_cents: number } | null;
}

export interface RequestDetail extends FeatureRequest {
  asks: Ask[];
  companies: { id: string; name: string; mrr_cents: number; first_asked_at: string }[];
}

export interface Notice {
  id: string;
  contact: { id: string; name: string | null; email: string | null };
  sender: { id: string; name: string } | null;
  subject: string;
  body: string;
  state: "draft" | "sent" | "skipped";
  skip_reason: string | null;
  sent_conversation_id: string | null;
  sent_at: string | null;
}

export const listRequests = (
  params: { sort: SortKey; status?: RequestStatus; q?: string },
  signal?: AbortSignal,
) =>
  api<{ data: FeatureRequest[]; next_cursor: string | null }>(
    `/feature-requests${query({ ...params, limit: 100 })}`,
    { signal },
  );

export const getRequest = (id: string, signal?: AbortSignal) =>
  api<RequestDetail>(`/feature-requests/${id}`, { signal });

export const createRequest = (title: string) =>
  api<FeatureRequest>("/feature-requests", { method: "POST", body: { title } });

export const updateRequest = (
  id: string,
  change: { status?: RequestStatus; title?: string; description?: string },
) => api<FeatureRequest>(`/feature-requests/${id}`, { method: "PATCH", body: change });

export const linkConversation = (id: string, conversationId: string) =>
  api(`/feature-requests/${id}/asks`, { method: "POST", body: { conversation_id: conversationId } });

export const requestsOfConversation = (conversationId: string, signal?: AbortSignal) =>
  api<{
    data: {
      ask_id: string;
      asked_at: string;
      request: { id: string; title: string; status: RequestStatus };
    }[];
  }>(`/conversations/${conversationId}/feature-requests`, { signal });

export const listNotices = (id: string, signal?: AbortSignal) =>
  api<{ data: Notice[] }>(`/feature-requests/${id}/notices`, { signal });

export const updateNotice = (
  id: string,
  noticeId: string,
  change: { subject?: string; body?: string; skip?: boolean },
) => api<Notice>(`/feature-requests/${id}/notices/${noticeId}`, { method: "PATCH", body: change });

export const sendNotices = (id: string) =>
  api<{ sent: number; skipped: { notice_id: string; reason: string }[] }>(
    `/feature-requests/${id}/notices/send`,
    {
      method: "POST",
      body: {},
    },
  );

const money = new Intl.NumberFormat(undefined, {
  style: "currency",
  currency: "USD",
  maximumFractionDigits: 0,
});
export const formatMrr = (cents: number) => money.format(cents / 100);

/** "43 days" from milliseconds, for the time from first ask to shipped. */
export function formatDays(ms: number): string {
  const days = Math.round(ms / 86_400_000);
  return days === 1 ? "1 day" : `${days} days`;
}
