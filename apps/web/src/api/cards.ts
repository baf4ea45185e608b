import { type QueryClient, queryOptions, useQuery } from "@tanstack/react-query";
import type { Static } from "typebox";
import type { CustomerCard } from "../../../../packages/contracts/src/conversation-tools.ts";
import { api } from "./client.ts";

export type Card = Static<typeof CustomerCard>;

/*
 * Each row of the queue shows its customer, company and plan. Rows ask for their card one by one;
 * the asks of one render are gathered here and sent as one request of up to 100 contacts, so a page
 * of 100 rows costs one extra request, not two hundred.
 */

const BATCH = 100;
let pending = new Map<string, { resolve: (card: Card | null) => void; reject: (e: unknown) => void }[]>();
let scheduled = false;

function flush() {
  scheduled = false;
  const asked = pending;
  pending = new Map();
  const ids = [...asked.keys()];
  for (let i = 0; i < ids.length; i += BATCH) {
    const chunk = ids.slice(i, i + BATCH);
    api<{ data: Card[] }>(`/contacts/cards?ids=${chunk.join(",")}`).then(
      ({ data }) => {
        const byId = new Map(data.map((card) => [card.id, card]));
        for (const id of chunk)
          for (const waiter of asked.get(id) ?? []) waiter.resolve(byId.get(id) ?? null);
      },
      (error) => {
        for (const id of chunk) for (const waiter of asked.get(id) ?? []) waiter.reject(error);
      },
    );
  }
}

function loadCard(id: string): Promise<Card | null> {
  return new Promise((resolve, reject) => {
    const waiters = pending.get(id) ?? [];
    waiters.push({ resolve, reject });
    pending.set(id, waiters);
    if (!scheduled) {
      scheduled = true;
      setTimeout(flush, 0);
    }
  });
}

export const cardQuery = (contactId: string) =>
  queryOptions({
    queryKey: ["card", contactId],
    queryFn: () => loadCard(contactId),
    staleTime: 5 * 60_000,
  });

export function useCustomerCard(contactId: string): Card | null | undefined {
  return useQuery(cardQuery(contactId)).data;
}

/** A contact or company changed: the cards that show it are fetched again when next shown. */
export function invalidateCards(queryClient: QueryClient): void {
  void queryClient.invalidateQueries({ queryKey: ["card"] });
}

export function cardName(card: Card | null | undefined): string {
  if (card === undefined) return "…";
  if (card === null) return "Unknown customer";
  return card.name || card.email || card.phone || "Unknown customer";
}
