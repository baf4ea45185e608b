import { Type } from "typebox";
import { IdParams, Timestamp, Uuid } from "./common.ts";

/** An uploaded file as the API describes it; the content itself is fetched from GET /attachments/{id}. */
export const Attachment = Type.Object({
  id: Uuid,
  filename: Type.String(),
  content_type: Type.String(),
  size_bytes: Type.Integer(),
  sha256: Type.String(),
  message_id: Type.Union([Uuid, Type.Null()]),
  created_at: Timestamp,
});

export const AttachmentParams = IdParams;
