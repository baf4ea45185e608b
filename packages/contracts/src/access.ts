import { Type } from "typebox";
import { Email, NullableTimestamp, Role, StrictObject, Timestamp, Uuid } from "./common.ts";

export const LoginBody = StrictObject({
  email: Email,
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  workspace_id: Type.Optional(Uuid),
});

export const WorkspaceMembership = Type.Object({
  id: Uuid,
  name: Type.String(),
  slug: Type.String(),
  role: Role,
});

export const SessionInfo = Type.Object({
  agent: Type.Object({ id: Uuid, email: Type.String(), name: Type.String(), time_zone: Type.String() }),
  workspace: WorkspaceMembership,
  workspaces: Type.Array(WorkspaceMembership),
  csrf_token: Type.Union([Type.String(), Type.Null()]),
});

export const SwitchWorkspaceBody = StrictObject({ workspace_id: Uuid });

export const CreateTokenBody = StrictObject({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  expires_in_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
});

export const ApiToken = Type.Object({
  id: Uuid,
  name: Type.String(),
  prefix: Type.String(),
  agent_id: Uuid,
  expires_at: NullableTimestamp,
  revoked_at: NullableTimestamp,
  last_used_at: NullableTimestamp,
  created_at: Timestamp,
});

export const CreatedToken = Type.Object({ token: Type.String(), api_token: ApiToken });

export const PasswordResetRequestBody = StrictObject({ email: Email });
export const PasswordResetConfirmBody = StrictObject({
  token: Type.String({ minLength: 10, maxLength: 200 }),
  password: Type.String({ minLength: 10, maxLength: 1024 }),
});
