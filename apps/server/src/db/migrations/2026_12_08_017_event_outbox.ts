import { type Kysely, sql } from "kysely";

/*
 * The transactional outbox: a write records its events in its own transaction, and durable
 * listeners consume them behind a position of their own.
 *
 * Listeners read in commit order, not insertion order: `seq` is taken when a row is inserted, so a
 * transaction that started earlier may commit a smaller seq after a later one was read. Each row
 * keeps the id of the transaction that wrote it (`tx`), listeners read only rows of transactions
 * older than every transaction still running (`tx < pg_snapshot_xmin(pg_current_snapshot())`), in
 * (tx, seq) order, so nothing can appear behind a listener's position. That index is the one
 * deliberate exception to workspace-first keys: it is a single stream over every workspace.
 * Frozen in time: later changes go into new migrations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table event_outbox (
    workspace_id uuid not null,
    seq bigint generated always as identity,
    tx xid8 not null default pg_current_xact_id(),
    id uuid not null default gen_random_uuid(),
    type text not null,
    data jsonb not null,
    -- the moment of the write, not its transaction's start: listeners' lag is measured from it
    created_at timestamptz not null default clock_timestamp(),
    primary key (workspace_id, seq)
  )`.execute(db);
  await sql`create index event_outbox_stream on event_outbox (tx, seq)`.execute(db);
  await sql`create index event_outbox_created on event_outbox (created_at)`.execute(db);

  // One row per durable listener: how far it has read. Only the instance holding the listener's
  // lock moves it.
  await sql`create table event_consumers (
    name text primary key,
    pos_tx xid8 not null default '0',
    pos_seq bigint not null default 0,
    updated_at timestamptz not null default now()
  )`.execute(db);

  // An event a listener failed on too often: set aside so the rest flow, visible and retryable.
  await sql`create table event_parked (
    workspace_id uuid not null,
    consumer text not null,
    event_id uuid not null,
    seq bigint not null,
    type text not null,
    data jsonb not null,
    occurred_at timestamptz not null,
    attempts integer not null,
    error text not null,
    parked_at timestamptz not null default now(),
    primary key (workspace_id, consumer, event_id)
  )`.execute(db);

  // A webhook delivery names the event it carries, once per webhook: a listener's retry of the same
  // event finds the delivery already there.
  await sql`alter table webhook_deliveries add column event_id uuid`.execute(db);
  await sql`create unique index webhook_deliveries_event on webhook_deliveries (workspace_id, webhook_id, event_id)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists webhook_deliveries_event`.execute(db);
  await sql`alter table webhook_deliveries drop column if exists event_id`.execute(db);
  await sql`drop table if exists event_parked`.execute(db);
  await sql`drop table if exists event_consumers`.execute(db);
  await sql`drop table if exists event_outbox`.execute(db);
}
