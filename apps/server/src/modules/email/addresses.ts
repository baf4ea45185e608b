import type { Db } from "../../db/database.ts";
import { inboxAddresses } from "../inboxes/service.ts";
import { memberIdsByEmail } from "../workspaces/service.ts";

/*
 * Which inbox a recipient address means. Two kinds of address reach an inbox:
 * - the inbox's own address (support@acme.example), when its MX points at Keepwell;
 * - its forwarding address, inbox-<first 12 hex digits of the inbox id>@<SMTP_DOMAIN>, for teams
 *   that keep their mail provider and forward support mail to Keepwell.
 * Either may carry a "+tag" (support+<reply token>@acme.example): the tag is kept for threading.
 */

export const FORWARDING_PREFIX = "inbox-";
const FORWARDING_ID_HEX = 12;

export interface RecipientParts {
  /** The address without its +tag, lowercased: what inbox addresses are compared with. */
  base: string;
  local: string;
  domain: string;
  tag: string | null;
}

/** Splits an address into its base, local part, domain and optional +tag; null when it is no address. */
export function parseRecipient(address: string): RecipientParts | null {
  const trimmed = address.trim().replace(/^<|>$/g, "");
  const at = trimmed.lastIndexOf("@");
  if (at <= 0 || at === trimmed.length - 1 || trimmed.length > 320) return null;
  const domain = trimmed.slice(at + 1).toLowerCase();
  const fullLocal = trimmed.slice(0, at);
  const plus = fullLocal.indexOf("+");
  const local = (plus >= 0 ? fullLocal.slice(0, plus) : fullLocal).toLowerCase();
  const tag = plus >= 0 ? fullLocal.slice(plus + 1) : null;
  if (!local) return null;
  return { base: `${local}@${domain}`, local, domain, tag };
}

/** The forwarding address of an inbox, shown on its settings page. */
export function forwardingAddress(inboxId: string, domain: string): string {
  return `${FORWARDING_PREFIX}${inboxId.replaceAll("-", "").slice(0, FORWARDING_ID_HEX)}@${domain}`;
}

/** The inbox id prefix a forwarding address names, when the address is one of ours. */
export function forwardingIdPrefix(parts: RecipientParts, domain: string): string | null {
  if (parts.domain !== domain.toLowerCase() || !parts.local.startsWith(FORWARDING_PREFIX)) return null;
  const hex = parts.local.slice(FORWARDING_PREFIX.length);
  return new RegExp(`^[0-9a-f]{${FORWARDING_ID_HEX}}$`).test(hex) ? hex : null;
}

/** Lowercased bare addresses, for comparing senders and participants. */
export function normalizeAddress(address: string | undefined | null): string | null {
  if (!address) return null;
  const trimmed = address.trim().replace(/^<|>$/g, "").toLowerCase();
  return /^[^\s@]+@[^\s@]+$/.test(trimmed) && trimmed.length <= 320 ? trimmed : null;
}

/** The workspace's own addresses, lowercased: its inboxes', and its agents' (mapped to the agent id). */
export async function ownAddresses(
  db: Db,
  workspaceId: string,
): Promise<{ inboxes: Set<string>; agents: Map<string, string> }> {
  return {
    inboxes: await inboxAddresses(db, workspaceId),
    agents: await memberIdsByEmail(db, workspaceId),
  };
}
