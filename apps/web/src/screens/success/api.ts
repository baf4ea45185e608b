import { api, query } from "../../api/client.ts";

/* Customer health and billing as these screens use them (the server declares them in
 * modules/health/schemas.ts and modules/billing/schemas.ts). */

export type Flag = "at_risk" | "upsell" | "advocate";

export interface Reason {
  factor: string;
  impact: number;
  text: string;
  flag?: Flag;
}

export interface Health {
  company_id: string;
  score: number;
  at_risk: boolean;
  upsell: boolean;
  advocate: boolean;
  reasons: Reason[];
  computed_at: string;
}

export interface FlaggedCompany extends Health {
  id: string;
  name: string;
  plan: string | null;
  mrr_cents: number;
}

export interface DunningCase {
  id: string;
  state: "open" | "recovered" | "expired";
  outcome: string | null;
  opened_at: string;
  grace_ends_at: string;
  closed_at: string | null;
  action_error: string | null;
  notices: {
    step: number;
    subject: string;
    to_email: string;
    conversation_id: string | null;
    sent_at: string;
  }[];
}

export interface CompanyBilling {
  company_id: string;
  dunning: DunningCase[];
  choices: { id: string; choice: string; months: number | null; reason: string | null; created_at: string }[];
}

export const FLAG_LABEL: Record<Flag, string> = {
  at_risk: "At risk",
  upsell: "Upsell prospect",
  advocate: "Advocate",
};

export const flaggedCompanies = (flag: Flag, cursor: string | undefined, signal?: AbortSignal) =>
  api<{ data: FlaggedCompany[]; next_cursor: string | null }>(
    `/health/companies${query({ flag, cursor, limit: 50 })}`,
    { signal },
  );

export const companyHealth = (companyId: string, signal?: AbortSignal) =>
  api<Health>(`/companies/${companyId}/health`, { signal });

export const companyBilling = (companyId: string, signal?: AbortSignal) =>
  api<CompanyBilling>(`/companies/${companyId}/billing`, { signal });

export const flagsOf = (health: Health): Flag[] =>
  (["at_risk", "upsell", "advocate"] as const).filter((flag) => health[flag]);

const money = new Intl.NumberFormat(undefined, {
  style: "currency",
  currency: "USD",
  maximumFractionDigits: 0,
});
export const formatMrr = (cents: number) => money.format(cents / 100);
