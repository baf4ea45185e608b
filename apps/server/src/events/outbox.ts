import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import type { PendingEvent } from "./types.ts";

/** Every instance LISTENs here: durable events arrive at commit, ephemeral ones at once. */
export const EVENTS_CHANNEL = "keepwell_events";
/** NOTIFY payloads are capped at 8000 bytes; a larger event reaches sockets as its id alone. */
const MAX_PAYLOAD = 7900;

/**
 * Records events in the caller's transaction: the outbox rows that durable listeners consume, and
 * the NOTIFY that sockets hear. PostgreSQL (and PGlite) deliver a NOTIFY only when its transaction
 * commits, so a rolled-back write announces nothing and a committed one cannot lose its events.
 * One statement whatever the number of events.
 */
export async function recordEvents(
  db: Db,
  workspaceId: string,
  events: readonly PendingEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const rows = JSON.stringify(events.map((event) => ({ type: event.type, data: event.data })));
  await sql`
    with inserted as (
      insert into event_outbox (workspace_id, type, data)
      select ${workspaceId}::uuid, e.item->>'type', e.item->'data'
      from jsonb_array_elements(${rows}::jsonb) with ordinality as e(item, n)
      order by e.n
      returning seq, id, type, data, created_at
    ), framed as (
      select seq, id, type, created_at, data,
        jsonb_build_object('id', id, 'type', type, 'workspace_id', ${workspaceId}::text, 'data', data, 'at', created_at)::text as payload
      from inserted
    )
    select pg_notify(${EVENTS_CHANNEL}, case when octet_length(payload) <= ${MAX_PAYLOAD} then payload
      else jsonb_build_object('id', id, 'type', type, 'workspace_id', ${workspaceId}::text,
        'data', jsonb_build_object('id', data->'id', 'truncated', true), 'at', created_at)::text end)
    from framed order by seq`.execute(db);
}
