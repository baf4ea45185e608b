import { queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "./client.ts";
import type { Company, Contact, Inbox, Tag, TeamMember, Workspace } from "./types.ts";

/* The workspace's slow-changing records. Realtime events invalidate them (realtime/apply-event.ts). */

const FIVE_MINUTES = 5 * 60_000;
export const DEFAULT_TARGET_MINUTES = 60;

export const workspaceQuery = queryOptions({
  queryKey: ["workspace"],
  queryFn: () => api<Workspace>("/workspace"),
  staleTime: FIVE_MINUTES,
});

export const agentsQuery = queryOptions({
  queryKey: ["agents"],
  queryFn: async () => (await api<{ data: TeamMember[] }>("/agents")).data,
  staleTime: FIVE_MINUTES,
});

export const inboxesQuery = queryOptions({
  queryKey: ["inboxes"],
  queryFn: async () => (await api<{ data: Inbox[] }>("/inboxes")).data,
  staleTime: FIVE_MINUTES,
});

export const tagsQuery = queryOptions({
  queryKey: ["tags"],
  queryFn: async () => (await api<{ data: Tag[] }>("/tags")).data,
  staleTime: FIVE_MINUTES,
});

export const contactQuery = (id: string) =>
  queryOptions({
    queryKey: ["contact", id],
    queryFn: ({ signal }) => api<Contact>(`/contacts/${id}`, { signal }),
    staleTime: FIVE_MINUTES,
  });

export const companyQuery = (id: string) =>
  queryOptions({
    queryKey: ["company", id],
    queryFn: ({ signal }) => api<Company>(`/companies/${id}`, { signal }),
    staleTime: FIVE_MINUTES,
  });

/** The workspace's target for a first answer, in minutes. */
export function useTargetMinutes(): number {
  const { data } = useQuery(workspaceQuery);
  return data?.settings?.target_response_minutes ?? DEFAULT_TARGET_MINUTES;
}

export function useAgents(): TeamMember[] {
  return useQuery(agentsQuery).data ?? [];
}

export function useTags(): Tag[] {
  return useQuery(tagsQuery).data ?? [];
}

export function useInboxes(): Inbox[] {
  return useQuery(inboxesQuery).data ?? [];
}

/** A conversation's customer and their company, loaded on demand and shared by every row that shows them. */
export function useContactAndCompany(contactId: string): { contact?: Contact; company?: Company } {
  const contact = useQuery(contactQuery(contactId)).data;
  const companyId = contact?.company_id ?? null;
  const company = useQuery({ ...companyQuery(companyId ?? ""), enabled: companyId !== null }).data;
  return { contact, company: companyId ? company : undefined };
}

export function contactName(contact: Contact | undefined): string {
  if (!contact) return "…";
  return contact.name || contact.email || contact.phone || "Unknown customer";
}
