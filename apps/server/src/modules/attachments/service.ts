import type { Readable } from "node:stream";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { Principal } from "../../http/principal.ts";
import { invalid, notFound, Problem } from "../../lib/errors.ts";
import { displayFilename, storedContentType } from "./filename.ts";
import { openStored, storeStream } from "./storage.ts";

/** The largest attachment accepted, matching the multipart limit the app registers. */
export const ATTACHMENT_MAX_BYTES = 25 * 1024 * 1024;

const columns = [
  "id",
  "filename",
  "content_type",
  "size_bytes",
  "sha256",
  "message_id",
  "created_at",
] as const;

type AttachmentRow = {
  id: string;
  filename: string;
  content_type: string;
  size_bytes: string;
  sha256: string;
  message_id: string | null;
  created_at: Date;
};

function present(row: AttachmentRow) {
  return { ...row, size_bytes: Number(row.size_bytes) };
}

export type AttachmentInfo = ReturnType<typeof present>;

export interface Upload {
  filename: string | undefined;
  mimetype: string | undefined;
  file: Readable & { truncated?: boolean };
}

/** Who uploaded a file: an agent (null when unknown), or a chat visitor, who alone may claim it. */
type Uploader = { agentId: string | null } | { visitorId: string };

/** Stores an uploaded file and records it, unattached, until a message claims it. */
export async function uploadAttachment(ctx: AppContext, principal: Principal, upload: Upload) {
  return storeUpload(
    ctx,
    principal.workspaceId,
    { agentId: principal.agentId },
    upload,
    ATTACHMENT_MAX_BYTES,
  );
}

/**
 * A file a chat visitor sends, bound to that visitor (see claimVisitorUploads), with the widget's
 * own smaller size limit; the multipart reader must stop at `maxBytes` too, so that an oversize file
 * arrives truncated.
 */
export async function uploadVisitorAttachment(
  ctx: AppContext,
  workspaceId: string,
  visitorId: string,
  upload: Upload,
  maxBytes: number,
) {
  return storeUpload(ctx, workspaceId, { visitorId }, upload, maxBytes);
}

async function storeUpload(
  ctx: AppContext,
  workspaceId: string,
  uploader: Uploader,
  upload: Upload,
  maxBytes: number,
) {
  const stored = await storeStream(ctx.config.dataDir, upload.file);
  if (stored.truncated) {
    throw new Problem(
      413,
      "file_too_large",
      `The file is larger than ${maxBytes / 1024 / 1024} MB; send a smaller one or a link`,
      { field: "file" },
    );
  }
  if (stored.size === 0) throw invalid("file", "The file is empty");
  const row = await ctx.db
    .insertInto("attachments")
    .values({
      workspace_id: workspaceId,
      uploaded_by: "agentId" in uploader ? uploader.agentId : null,
      uploaded_by_visitor: "visitorId" in uploader ? uploader.visitorId : null,
      filename: displayFilename(upload.filename),
      content_type: storedContentType(upload.mimetype),
      size_bytes: stored.size,
      sha256: stored.sha256,
      // The instance clock, which the sweep of unclaimed uploads also reads (cleanup.ts).
      created_at: ctx.now(),
    })
    .returning(columns)
    .executeTakeFirstOrThrow();
  return present(row);
}

export async function getAttachment(db: Db, workspaceId: string, id: string): Promise<AttachmentInfo> {
  const row = await db
    .selectFrom("attachments")
    .select(columns)
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) throw notFound("Attachment");
  return present(row);
}

/** The attachment's metadata and a stream of its content. */
export async function openAttachment(ctx: AppContext, workspaceId: string, id: string) {
  const attachment = await getAttachment(ctx.db, workspaceId, id);
  return { attachment, stream: openStored(ctx.config.dataDir, attachment.sha256) };
}

/**
 * Gives uploaded attachments to a new message, inside the message's transaction. Every id must be an
 * agent's upload of this workspace that no message has claimed yet; otherwise nothing is claimed.
 * Chat visitors' uploads are theirs alone (claimVisitorUploads).
 */
export async function claimAttachments(
  trx: Db,
  workspaceId: string,
  messageId: string,
  ids: string[],
): Promise<AttachmentInfo[]> {
  return claim(
    trx,
    workspaceId,
    messageId,
    ids,
    null,
    "Every attachment id must be a file uploaded to this workspace that no other message uses",
  );
}

/**
 * Gives a chat visitor's uploads to their new message, inside its transaction: only files this
 * visitor uploaded (so of this workspace and widget inbox too) that no message has claimed yet;
 * otherwise nothing is claimed and the caller's transaction fails with the field at fault.
 */
export async function claimVisitorUploads(
  trx: Db,
  workspaceId: string,
  messageId: string,
  visitorId: string,
  ids: string[],
): Promise<AttachmentInfo[]> {
  return claim(
    trx,
    workspaceId,
    messageId,
    ids,
    visitorId,
    "Send only files you uploaded in this chat, each with one message; upload the file again",
  );
}

async function claim(
  trx: Db,
  workspaceId: string,
  messageId: string,
  ids: string[],
  visitorId: string | null,
  refusal: string,
): Promise<AttachmentInfo[]> {
  if (ids.length === 0) return [];
  const claimed = await trx
    .updateTable("attachments")
    .set({ message_id: messageId })
    .where("workspace_id", "=", workspaceId)
    .where("id", "in", ids)
    .where("message_id", "is", null)
    .where("uploaded_by_visitor", visitorId === null ? "is" : "=", visitorId)
    .returning(columns)
    .execute();
  if (claimed.length !== new Set(ids).size) throw invalid("attachment_ids", refusal);
  const order = new Map(ids.map((id, i) => [id, i]));
  return claimed.map(present).sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}

/** The attachments of many messages in one query, by message id. */
export async function attachmentsOfMessages(
  db: Db,
  workspaceId: string,
  messageIds: string[],
): Promise<Map<string, AttachmentInfo[]>> {
  const byMessage = new Map<string, AttachmentInfo[]>();
  if (messageIds.length === 0) return byMessage;
  const rows = await db
    .selectFrom("attachments")
    .select(columns)
    .where("workspace_id", "=", workspaceId)
    .where("message_id", "in", messageIds)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  for (const row of rows) {
    const list = byMessage.get(row.message_id!) ?? [];
    list.push(present(row));
    byMessage.set(row.message_id!, list);
  }
  return byMessage;
}
