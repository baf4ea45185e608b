import type { AppContext } from "../../context.ts";
import { listenForChanges } from "./cache.ts";
import { startViewCounting, stopViewCounting } from "./reports.ts";

const unsubscribers = new WeakMap<AppContext, () => void>();

/** Once events run: drop cached pages when any instance changes a help center; write view counts. */
export async function startHelpCenter(ctx: AppContext): Promise<void> {
  unsubscribers.set(ctx, listenForChanges(ctx));
  startViewCounting(ctx);
}

export async function stopHelpCenter(ctx: AppContext): Promise<void> {
  unsubscribers.get(ctx)?.();
  await stopViewCounting(ctx);
}
