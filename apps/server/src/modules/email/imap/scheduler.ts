import type { AppContext } from "../../../context.ts";
import { pollImapAccount } from "./poller.ts";

export const IMAP_QUEUE = "email-imap-poll";

interface PollJob {
  workspace_id: string;
  inbox_id: string;
}

export function defineImapJobs(ctx: AppContext): void {
  // A failed poll is recorded on the account and retried by the next tick, not by the queue.
  ctx.jobs.define<PollJob>(IMAP_QUEUE, { retryLimit: 0, expireInSeconds: 900 }, async (job) => {
    await pollImapAccount(ctx, job.workspace_id, job.inbox_id);
  });
}

export async function queueImapPoll(ctx: AppContext, workspaceId: string, inboxId: string): Promise<void> {
  await ctx.jobs.send<PollJob>(IMAP_QUEUE, { workspace_id: workspaceId, inbox_id: inboxId });
}

/** Worker instances queue a poll of every enabled IMAP inbox each IMAP_POLL_SECONDS. */
export function startImapScheduler(ctx: AppContext): NodeJS.Timeout[] {
  if (!ctx.config.runWorker) return [];
  const tick = async () => {
    const accounts = await ctx.db
      .selectFrom("imap_accounts")
      .select(["workspace_id", "inbox_id"])
      .where("enabled", "=", true)
      .execute();
    for (const account of accounts) await queueImapPoll(ctx, account.workspace_id, account.inbox_id);
  };
  const run = () => {
    tick().catch((error) => ctx.log.error({ err: error }, "imap: scheduling polls failed"));
  };
  return [setInterval(run, ctx.config.imapPollSeconds * 1000)];
}
