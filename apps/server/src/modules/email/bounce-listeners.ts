import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { DeliveryReport } from "./automatic.ts";

/*
 * Other modules hear about bounces here without reading email's tables: a module that sends its own
 * mail (sequences, broadcasts) registers a listener and matches the report's Message-IDs against
 * what it sent. Listeners run inside the transaction that stores the bounce, so a bounce is never
 * stored without its consequences (or the other way round). Registered per running instance.
 * A listener that recognises the report as about its own mail says so: such a report is recorded
 * where that module keeps its history, and opens no conversation.
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
  /** A failure for good; false for a delay ("Action: delayed", 4.x.x): the mail may still arrive. */
  permanent: boolean;
}

/** Acts on a report about mail the listener's module sent, and answers whether it was such mail. */
export type BounceListener = (trx: Db, notice: BounceNotice) => Promise<boolean>;

const listeners = new WeakMap<AppContext, BounceListener[]>();

/** Registers a listener for delivery reports about our mail. Call before jobs start. */
export function onBounce(ctx: AppContext, listener: BounceListener): void {
  listeners.set(ctx, [...(listeners.get(ctx) ?? []), listener]);
}

/**
 * Hands a report to every listener; true when one of them recognised the mail as its own. Delays
 * ("Action: delayed") and 4.x.x statuses reach listeners as not permanent: recognised, not acted on.
 */
export async function announceBounce(
  ctx: AppContext,
  trx: Db,
  workspaceId: string,
  report: DeliveryReport,
  at: Date,
): Promise<boolean> {
  if (report.originalMessageIds.length === 0) return false;
  const permanent = !(report.action && !/fail/i.test(report.action)) && !report.status?.startsWith("4");
  let recognised = false;
  for (const listener of listeners.get(ctx) ?? []) {
    const mine = await listener(trx, {
      workspaceId,
      originalMessageIds: report.originalMessageIds,
      recipient: report.recipient,
      status: report.status,
      reason: report.reason,
      at,
      permanent,
    });
    recognised ||= mine;
  }
  return recognised;
}
