import { Type } from "typebox";
import { StrictObject, Timestamp, Uuid } from "./common.ts";

const TagName = Type.String({ minLength: 1, maxLength: 50 });
const TagColor = Type.String({ pattern: "^#[0-9a-fA-F]{6}$", description: "A hex colour such as #22c55e" });

export const Tag = Type.Object({
  id: Uuid,
  name: Type.String(),
  color: Type.String(),
  created_at: Timestamp,
});

export const CreateTagBody = StrictObject({ name: TagName, color: Type.Optional(TagColor) });
export const UpdateTagBody = StrictObject({ name: Type.Optional(TagName), color: Type.Optional(TagColor) });

/**
 * Tag a conversation by name (creating the tag when the workspace has none by that name) or by id;
 * exactly one of the two. One object rather than a union, so a mistake is reported on its own field.
 */
export const AddConversationTagBody = StrictObject({
  tag: Type.Optional(TagName),
  tag_id: Type.Optional(Uuid),
});

export const ConversationTagParams = StrictObject({ id: Uuid, tagId: Uuid });
