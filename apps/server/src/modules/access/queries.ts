import { sql } from "kysely";
import type { Db } from "../../db/database.ts";
import type { Role } from "../../db/schema.ts";

export interface CredentialRow {
  agent_id: string;
  workspace_id: string;
  role: Role;
  credential_id: string;
  csrf_token: string | null;
}

/** The session's agent and their current role in the session's workspace (a removed member has none). */
export async function findSession(db: Db, tokenHash: string, now: Date): Promise<CredentialRow | undefined> {
  return db
    .selectFrom("sessions as s")
    .innerJoin("memberships as m", (join) =>
      join.onRef("m.workspace_id", "=", "s.workspace_id").onRef("m.agent_id", "=", "s.agent_id"),
    )
    .select(["s.agent_id", "s.workspace_id", "m.role", "s.token_hash as credential_id", "s.csrf_token"])
    .where("s.token_hash", "=", tokenHash)
    .where("s.expires_at", ">", now)
    .executeTakeFirst();
}

export async function findApiToken(
  db: Db,
  tokenHash: string,
  now: Date,
): Promise<(CredentialRow & { last_used_at: Date | null; expires_at: Date | null }) | undefined> {
  return db
    .selectFrom("api_tokens as t")
    .innerJoin("memberships as m", (join) =>
      join.onRef("m.workspace_id", "=", "t.workspace_id").onRef("m.agent_id", "=", "t.agent_id"),
    )
    .select([
      "t.agent_id",
      "t.workspace_id",
      "m.role",
      "t.id as credential_id",
      sql<null>`null`.as("csrf_token"),
      "t.last_used_at",
      "t.expires_at",
    ])
    .where("t.token_hash", "=", tokenHash)
    .where("t.revoked_at", "is", null)
    .where((eb) => eb.or([eb("t.expires_at", "is", null), eb("t.expires_at", ">", now)]))
    .executeTakeFirst();
}

export async function touchApiToken(db: Db, workspaceId: string, id: string, now: Date): Promise<void> {
  await db
    .updateTable("api_tokens")
    .set({ last_used_at: now })
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .execute();
}
