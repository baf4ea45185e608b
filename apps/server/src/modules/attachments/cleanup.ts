import { readdir, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { sql } from "kysely";
import type { AppContext } from "../../context.ts";
import { attachmentPath } from "./storage.ts";

/*
 * Uploads wait, unattached, for the message that will claim them. One never claimed within a day
 * was abandoned (a draft thrown away, a tab closed): an hourly job deletes its row and, when no
 * other row shares the content, its stored bytes.
 */

export const UPLOAD_SWEEP_QUEUE = "attachments-sweep";
export const UNATTACHED_TTL_MS = 24 * 3_600_000;
const BATCH = 500;

/** Registered through modules/index.ts moduleJobs. */
export function defineAttachmentJobs(ctx: AppContext): void {
  ctx.jobs.define(UPLOAD_SWEEP_QUEUE, { retryLimit: 0 }, async () => {
    await sweepUnattachedUploads(ctx);
  });
}

export async function startAttachments(ctx: AppContext): Promise<void> {
  if (ctx.config.runWorker) await ctx.jobs.boss.schedule(UPLOAD_SWEEP_QUEUE, "41 * * * *", {});
}

/** Deletes uploads no message claimed within a day; returns how many rows went. */
export async function sweepUnattachedUploads(ctx: AppContext): Promise<number> {
  const cutoff = new Date(ctx.now().getTime() - UNATTACHED_TTL_MS);
  let removed = 0;
  for (;;) {
    // message_id is checked again on the row itself: a message that claimed it meanwhile keeps it.
    const result = await sql<{ sha256: string }>`
      delete from attachments
      where message_id is null and (workspace_id, id) in (
        select workspace_id, id from attachments
        where message_id is null and created_at < ${cutoff}
        limit ${BATCH}
      )
      returning sha256`.execute(ctx.db);
    removed += result.rows.length;
    await removeUnreferencedFiles(ctx, [...new Set(result.rows.map((r) => r.sha256))], cutoff);
    if (result.rows.length < BATCH) break;
  }
  await removeStaleTemporaryFiles(ctx.config.dataDir, cutoff);
  return removed;
}

/**
 * Files are content-addressed and may be shared by other rows (any workspace), so a file goes only
 * when no row names it. A file written after the cutoff is left alone: it may be a new upload of
 * the same bytes whose row is not committed yet.
 */
async function removeUnreferencedFiles(ctx: AppContext, digests: string[], cutoff: Date) {
  if (digests.length === 0) return;
  const referenced = await ctx.db
    .selectFrom("attachments")
    .select("sha256")
    .distinct()
    .where("sha256", "in", digests)
    .execute();
  const keep = new Set(referenced.map((r) => r.sha256));
  for (const digest of digests) {
    if (keep.has(digest)) continue;
    await unlinkIfOlder(attachmentPath(ctx.config.dataDir, digest), cutoff);
  }
}

/** Temporary files a crash left halfway through an upload. */
async function removeStaleTemporaryFiles(dataDir: string, cutoff: Date) {
  const tmpDir = path.join(dataDir, "attachments", "tmp");
  const names = await readdir(tmpDir).catch(() => [] as string[]);
  for (const name of names) await unlinkIfOlder(path.join(tmpDir, name), cutoff);
}

async function unlinkIfOlder(file: string, cutoff: Date) {
  const info = await stat(file).catch(() => null);
  if (info && info.mtime < cutoff) await unlink(file).catch(() => {});
}
