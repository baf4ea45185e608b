import type { AppContext } from "../../context.ts";
import { defineImapJobs, startImapScheduler } from "./imap/scheduler.ts";
import { PROCESS_QUEUE, type ProcessJob, queueProcessing } from "./inbound-store.ts";
import { processInbound } from "./ingest.ts";
import { pendingInbound, pendingInboundOf } from "./queries.ts";
import { type SmtpListener, startSmtpListener } from "./smtp-listener.ts";

const SWEEP_EVERY_MS = 60_000;
const DRAIN_BUDGET_MS = 30_000;
/** A message still unprocessed this long after arrival lost its job (a crash between commit and queue). */
const STRANDED_AFTER_MS = 2 * 60_000;

interface Running {
  listener?: SmtpListener;
  timers: NodeJS.Timeout[];
}

const running = new WeakMap<AppContext, Running>();

export function defineEmailInboundJobs(ctx: AppContext): void {
  ctx.jobs.define<ProcessJob>(
    PROCESS_QUEUE,
    // One at a time, in arrival order: a reply threads onto the message it answers only once that one is stored.
    { retryLimit: 5, retryDelay: 5, retryBackoff: true, sequential: true },
    async (job) => {
      await processInbound(ctx, job.workspace_id, job.inbound_id);
      await drainWorkspace(ctx, job.workspace_id);
    },
  );
  defineImapJobs(ctx);
}

/**
 * Starts the SMTP listener where the web part runs, queues every stored message still waiting
 * (crash recovery: a message stored but not processed before a stop is processed now), and sweeps
 * for stranded ones every minute.
 */
export async function startEmailInbound(ctx: AppContext): Promise<void> {
  const state: Running = { timers: [] };
  running.set(ctx, state);
  await requeuePending(ctx, new Date(ctx.now().getTime() + 86_400_000));
  state.timers.push(
    setInterval(() => {
      requeuePending(ctx, new Date(ctx.now().getTime() - STRANDED_AFTER_MS)).catch((error) =>
        ctx.log.error({ err: error }, "email: sweep for stranded messages failed"),
      );
    }, SWEEP_EVERY_MS),
  );
  state.timers.push(...startImapScheduler(ctx));
  for (const timer of state.timers) timer.unref();
  if (ctx.config.runWeb && ctx.config.smtp.port !== 0) {
    try {
      state.listener = await startSmtpListener(ctx);
    } catch (error) {
      // A port the operator chose must work; the default one may be taken by another program.
      if (ctx.config.smtp.portExplicit) throw error;
      ctx.log.warn(
        { err: error },
        "smtp: the listener is NOT running (set SMTP_PORT to a free port to receive mail)",
      );
      process.stderr.write(`\nWarning: no SMTP listener: ${(error as Error).message}\n`);
    }
  }
}

export async function stopEmailInbound(ctx: AppContext): Promise<void> {
  const state = running.get(ctx);
  if (!state) return;
  running.delete(ctx);
  for (const timer of state.timers) clearInterval(timer);
  await state.listener?.close();
}

/** The port the SMTP listener of this instance listens on, if it runs. */
export function smtpListenerPort(ctx: AppContext): number | undefined {
  return running.get(ctx)?.listener?.port;
}

/**
 * Processes the workspace's other waiting messages, oldest first, while this job runs: a worker
 * takes one job per poll interval, so a burst of mail would otherwise wait out one interval per
 * message. Their own jobs then find them processed and do nothing.
 */
async function drainWorkspace(ctx: AppContext, workspaceId: string): Promise<void> {
  const deadline = Date.now() + DRAIN_BUDGET_MS;
  while (Date.now() < deadline) {
    const pending = await pendingInboundOf(ctx.db, workspaceId, 20);
    if (pending.length === 0) return;
    for (const row of pending) {
      if (Date.now() >= deadline) return;
      await processInbound(ctx, workspaceId, row.id).catch(() => {
        // Recorded on the row; its own job retries it.
      });
    }
    // Rows that keep failing stay "received" until their retries run out: do not spin on them.
    if (pending.every((row) => row.attempts > 0)) return;
  }
}

/** Queues stored messages still waiting; processing is idempotent, so a message queued twice is harmless. */
async function requeuePending(ctx: AppContext, olderThan: Date): Promise<void> {
  const pending = await pendingInbound(ctx.db, olderThan, 10_000);
  for (const row of pending) await queueProcessing(ctx, row.workspace_id, row.id);
}
