import { sql } from "kysely";
import type { Db } from "../../db/database.ts";
import { keysetPage } from "../../lib/pagination.ts";

export const webhookColumns = ["id", "url", "events", "active", "created_at"] as const;

export const deliveryColumns = [
  "id",
  "webhook_id",
  "event_type",
  "state",
  "attempts",
  "response_status",
  "last_error",
  "payload",
  "created_at",
  "delivered_at",
] as const;

/** The body every delivery POSTs; stored as is so retries send the same bytes' meaning. */
export interface DeliveryPayload {
  id: string;
  type: string;
  created_at: string;
  workspace_id: string;
  data: Record<string, unknown>;
}

export async function findWebhook(db: Db, workspaceId: string, id: string) {
  return db
    .selectFrom("webhooks")
    .select(webhookColumns)
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
}

export async function countWebhooks(db: Db, workspaceId: string): Promise<number> {
  const row = await db
    .selectFrom("webhooks")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("workspace_id", "=", workspaceId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A workspace's active webhooks with the event types each wants ("*" for all). */
export async function activeWebhooks(db: Db, workspaceId: string) {
  return db
    .selectFrom("webhooks")
    .select(["id", "events"])
    .where("workspace_id", "=", workspaceId)
    .where("active", "=", true)
    .execute();
}

export async function insertDeliveries(
  db: Db,
  workspaceId: string,
  webhookIds: string[],
  payload: DeliveryPayload,
): Promise<{ id: string }[]> {
  if (webhookIds.length === 0) return [];
  return (
    db
      .insertInto("webhook_deliveries")
      .values(
        webhookIds.map((webhookId) => ({
          workspace_id: workspaceId,
          webhook_id: webhookId,
          event_id: payload.id,
          event_type: payload.type,
          payload: JSON.stringify(payload),
        })),
      )
      // The same event again (a listener's retry) adds nothing.
      .onConflict((oc) => oc.columns(["workspace_id", "webhook_id", "event_id"]).doNothing())
      .returning("id")
      .execute()
  );
}

/** A delivery with what sending it needs: its webhook's URL, sealed secret and state. */
export async function findDeliveryToSend(db: Db, workspaceId: string, deliveryId: string) {
  return db
    .selectFrom("webhook_deliveries as d")
    .innerJoin("webhooks as w", (join) =>
      join.onRef("w.workspace_id", "=", "d.workspace_id").onRef("w.id", "=", "d.webhook_id"),
    )
    .select([
      "d.id",
      "d.workspace_id",
      "d.event_type",
      "d.payload",
      "d.state",
      "w.url",
      "w.secret",
      "w.active",
    ])
    .where("d.workspace_id", "=", workspaceId)
    .where("d.id", "=", deliveryId)
    .executeTakeFirst();
}

export async function recordAttempt(
  db: Db,
  workspaceId: string,
  deliveryId: string,
  outcome: {
    state: "pending" | "delivered" | "failed";
    responseStatus: number | null;
    error: string | null;
    at: Date;
    counts: boolean;
  },
) {
  return db
    .updateTable("webhook_deliveries")
    .set((eb) => ({
      state: outcome.state,
      attempts: outcome.counts ? eb("attempts", "+", 1) : eb.ref("attempts"),
      response_status: outcome.responseStatus,
      last_error: outcome.error,
      delivered_at: outcome.state === "delivered" ? outcome.at : null,
    }))
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", deliveryId)
    .returning(deliveryColumns)
    .executeTakeFirstOrThrow();
}

export async function deliveriesPage(
  db: Db,
  workspaceId: string,
  webhookId: string,
  page: { cursor?: string; limit: number },
) {
  const query = db
    .selectFrom("webhook_deliveries")
    .select(deliveryColumns)
    .where("workspace_id", "=", workspaceId)
    .where("webhook_id", "=", webhookId);
  return keysetPage(query, { column: "created_at", cursor: page.cursor, limit: page.limit });
}
