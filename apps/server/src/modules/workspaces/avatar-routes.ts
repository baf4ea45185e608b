import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import { errorResponses, IdParams } from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import { invalid, Problem } from "../../lib/errors.ts";
import { principalOf } from "../access/authenticate.ts";
import { AVATAR_MAX_BYTES, readAvatar, removeAvatar, setAvatar } from "./avatars.ts";

const AvatarAnswer = Type.Object({ avatar_url: Type.Union([Type.String(), Type.Null()]) });

/** The caller sets or removes their own avatar; any teammate may look at it. */
export async function avatarRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.put(
    "/me/avatar",
    {
      config: { permission: "authenticated" },
      schema: {
        tags: ["agents"],
        summary: `Upload your avatar (multipart/form-data, one PNG, JPEG or WebP image up to ${AVATAR_MAX_BYTES / 1024} KB)`,
        consumes: ["multipart/form-data"],
        response: {
          200: AvatarAnswer,
          413: { $ref: "Problem#" },
          415: { $ref: "Problem#" },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      if (!request.isMultipart()) {
        throw new Problem(415, "unsupported_media_type", "Send the image as multipart/form-data", {
          field: "file",
        });
      }
      const part = await request.file({ limits: { fileSize: AVATAR_MAX_BYTES, files: 1 } });
      if (!part) throw invalid("file", "Attach an image to upload");
      return setAvatar(ctx, principalOf(request), part.file);
    },
  );

  app.delete(
    "/me/avatar",
    {
      config: { permission: "authenticated" },
      schema: {
        tags: ["agents"],
        summary: "Remove your avatar (your initials show again)",
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await removeAvatar(ctx, principalOf(request));
      return reply.status(204).send();
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    "/agents/:id/avatar",
    {
      config: { permission: "agents:read" },
      schema: {
        tags: ["agents"],
        summary: "A teammate's avatar image",
        params: IdParams,
        produces: ["image/png", "image/jpeg", "image/webp"],
        response: { 200: Type.Unsafe({ type: "string", format: "binary" }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const avatar = await readAvatar(ctx, principalOf(request).workspaceId, request.params.id);
      // The stored type is the sniffed one; nosniff and a sandboxing CSP keep the browser from
      // reinterpreting the bytes even if they were crafted as a polyglot.
      return reply
        .header("content-type", avatar.content_type)
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "default-src 'none'; sandbox")
        .header("cache-control", "private, max-age=86400")
        .send(avatar.image);
    },
  );
}
