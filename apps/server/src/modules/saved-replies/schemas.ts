import { Type } from "typebox";
import { StrictObject, Timestamp, Uuid } from "../../../../../packages/contracts/src/common.ts";

export const SavedReply = Type.Object({
  id: Uuid,
  name: Type.String(),
  body: Type.String(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

const name = Type.String({ minLength: 1, maxLength: 100 });
const body = Type.String({ minLength: 1, maxLength: 20_000 });

export const CreateSavedReplyBody = StrictObject({ name, body });
export const UpdateSavedReplyBody = StrictObject({ name: Type.Optional(name), body: Type.Optional(body) });
