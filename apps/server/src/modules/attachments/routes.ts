import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { Attachment, AttachmentParams, errorResponses } from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import { invalid, Problem } from "../../lib/errors.ts";
import { principalOf } from "../access/authenticate.ts";
import { contentDisposition } from "./filename.ts";
import { ATTACHMENT_MAX_BYTES, openAttachment, uploadAttachment } from "./service.ts";

export async function attachmentRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post(
    "/attachments",
    {
      config: { permission: "conversations:write" },
      schema: {
        tags: ["attachments"],
        summary:
          "Upload a file (multipart/form-data, one file); reference its id in a message's attachment_ids",
        consumes: ["multipart/form-data"],
        response: {
          201: Attachment,
          413: { $ref: "Problem#" },
          415: { $ref: "Problem#" },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) {
        throw new Problem(415, "unsupported_media_type", "Send the file as multipart/form-data", {
          field: "file",
        });
      }
      const part = await request.file({ limits: { fileSize: ATTACHMENT_MAX_BYTES, files: 1 } });
      if (!part) throw invalid("file", "Attach a file to upload");
      const attachment = await uploadAttachment(ctx, principalOf(request), {
        filename: part.filename,
        mimetype: part.mimetype,
        file: part.file,
      });
      return reply.status(201).send(attachment);
    },
  );

  app.get<{ Params: { id: string } }>(
    "/attachments/:id",
    {
      config: { permission: "conversations:read" },
      schema: {
        tags: ["attachments"],
        summary: "Download an attachment (always as a download, never rendered inline)",
        params: AttachmentParams,
        produces: ["application/octet-stream"],
        response: { 200: Type.Unsafe({ type: "string", format: "binary" }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { attachment, stream } = await openAttachment(
        ctx,
        principalOf(request).workspaceId,
        request.params.id,
      );
      return reply
        .header("content-type", attachment.content_type)
        .header("content-length", attachment.size_bytes)
        .header("content-disposition", contentDisposition(attachment.filename))
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "default-src 'none'; sandbox")
        .header("cache-control", "private, max-age=0, must-revalidate")
        .send(stream);
    },
  );
}
