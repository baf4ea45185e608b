import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { DeliveryReport } from "./automatic.ts";

/*
 * Other modules hear about bounces here without reading email's tables: a module that sends its own
 * mail (sequences, broadcasts) registers a listener and matches the report's Message-IDs against
 * what it sent. Listeners run inside the transaction that stores the bounce, so a bounce is never
 * stored without its consequences (or the other way round). Registered per running instance.
 */

export interface BounceNotice {
  workspaceId: string;
  /** Message-IDs (without brackets) of the message the report is about. */
  originalMessageIds: string[];
  recipient: string | null;
  status: string | null;
  reason: string;
  /** When the report reached us. */
  at: Date;
}

export type BounceListener = (trx: Db, notice: BounceNotice) => Promise<void>;

const listeners = new WeakMap<AppContext, BounceListener[]>();

/** Registers a listener for permanent delivery failures reported back to us. Call before jobs start. */
export function onBounce(ctx: AppContext, listener: BounceListener): void {
  listeners.set(ctx, [...(listeners.get(ctx) ?? []), listener]);
}

/** Hands a permanent failure to every listener; delays ("Action: delayed") and 4.x.x statuses are not failures. */
export async function announceBounce(
  ctx: AppContext,
  trx: Db,
  workspaceId: string,
  report: DeliveryReport,
  at: Date,
): Promise<void> {
  if (report.action && !/fail/i.test(report.action)) return;
  if (report.status?.startsWith("4")) return;
  if (report.originalMessageIds.length === 0) return;
  for (const listener of listeners.get(ctx) ?? []) {
    await listener(trx, {
      workspaceId,
      originalMessageIds: report.originalMessageIds,
      recipient: report.recipient,
      status: report.status,
      reason: report.reason,
      at,
    });
  }
}
