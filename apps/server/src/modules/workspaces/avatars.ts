import type { Readable } from "node:stream";
import { sql } from "kysely";
import type { AppContext } from "../../context.ts";
import type { Principal } from "../../http/principal.ts";
import { invalid, notFound, Problem } from "../../lib/errors.ts";

/** Avatars are shown at 28–48 px; 512 KB leaves room for a sharp photo and keeps rows small. */
export const AVATAR_MAX_BYTES = 512 * 1024;

export const AVATAR_TYPES = ["image/png", "image/jpeg", "image/webp"] as const;
export type AvatarType = (typeof AVATAR_TYPES)[number];

/**
 * The image type the bytes themselves declare, or null. The uploader's file name and declared type
 * are ignored: only these three raster formats are accepted (never SVG, which can carry script).
 */
export function sniffImageType(bytes: Buffer): AvatarType | null {
  const startsWith = (signature: number[], offset = 0) =>
    bytes.length >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b);
  if (startsWith([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith([0xff, 0xd8, 0xff])) return "image/jpeg";
  // RIFF....WEBP
  if (startsWith([0x52, 0x49, 0x46, 0x46]) && startsWith([0x57, 0x45, 0x42, 0x50], 8)) return "image/webp";
  return null;
}

/** Reads an upload into memory, refusing it once it passes the limit the multipart reader enforced. */
async function readLimited(file: Readable & { truncated?: boolean }): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of file) chunks.push(chunk as Buffer);
  if (file.truncated) {
    throw new Problem(413, "file_too_large", `The image is larger than ${AVATAR_MAX_BYTES / 1024} KB`, {
      field: "file",
    });
  }
  return Buffer.concat(chunks);
}

/** The URL the app shows; the version changes with each upload so caches never show an old face. */
export function avatarUrl(agentId: string, updatedAt: Date | null | undefined): string | null {
  return updatedAt ? `/api/v1/agents/${agentId}/avatar?v=${updatedAt.getTime()}` : null;
}

/** Stores the caller's new avatar, replacing the old one, after checking what the bytes are. */
export async function setAvatar(
  ctx: AppContext,
  principal: Principal,
  file: Readable & { truncated?: boolean },
): Promise<{ avatar_url: string | null }> {
  const image = await readLimited(file);
  if (image.length === 0) throw invalid("file", "The image is empty");
  const contentType = sniffImageType(image);
  if (!contentType) throw invalid("file", "Upload a PNG, JPEG or WebP image");
  const row = await ctx.db
    .insertInto("agent_avatars")
    .values({ agent_id: principal.agentId, content_type: contentType, image, size_bytes: image.length })
    .onConflict((oc) =>
      oc.column("agent_id").doUpdateSet({
        content_type: contentType,
        image,
        size_bytes: image.length,
        updated_at: sql`now()`,
      }),
    )
    .returning("updated_at")
    .executeTakeFirstOrThrow();
  await announce(ctx, principal.agentId);
  return { avatar_url: avatarUrl(principal.agentId, row.updated_at) };
}

export async function removeAvatar(ctx: AppContext, principal: Principal): Promise<void> {
  await ctx.db.deleteFrom("agent_avatars").where("agent_id", "=", principal.agentId).execute();
  await announce(ctx, principal.agentId);
}

/** Teammates' screens refresh the agent's face through the same event a name change sends. */
async function announce(ctx: AppContext, agentId: string): Promise<void> {
  const workspaces = await ctx.db
    .selectFrom("memberships")
    .select("workspace_id")
    .where("agent_id", "=", agentId)
    .execute();
  for (const { workspace_id } of workspaces)
    await ctx.events.publish(workspace_id, "agent.updated", { id: agentId });
}

/** An agent's avatar, readable only by members of a workspace that agent belongs to. */
export async function readAvatar(ctx: AppContext, workspaceId: string, agentId: string) {
  const row = await ctx.db
    .selectFrom("agent_avatars as v")
    .innerJoin("memberships as m", "m.agent_id", "v.agent_id")
    .select(["v.content_type", "v.image", "v.updated_at"])
    .where("m.workspace_id", "=", workspaceId)
    .where("v.agent_id", "=", agentId)
    .executeTakeFirst();
  if (!row) throw notFound("Avatar");
  return row;
}

/** The same URL as avatarUrl, computed in a query over `agents as a` left-joined to `agent_avatars as av`. */
export const avatarUrlColumn = sql<string | null>`case when av.updated_at is null then null
  else '/api/v1/agents/' || a.id || '/avatar?v=' || floor(extract(epoch from av.updated_at) * 1000)::bigint end`;
