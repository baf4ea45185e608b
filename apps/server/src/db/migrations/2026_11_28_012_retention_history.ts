import { type Kysely, sql } from "kysely";

/*
 * Retention history: one row each time a company's mirrored billing (status or MRR) changes, at the
 * time of the Stripe event that changed it, so the retention report can tell what a company paid at
 * the start and end of any month. Companies mirrored before this table existed get one row with
 * their current state, dated at their first subscription event. Frozen in time.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table billing_mrr_history (
      workspace_id uuid not null,
      id uuid not null default gen_random_uuid(),
      company_id uuid not null,
      at timestamptz not null,
      status text not null,
      mrr_cents bigint not null check (mrr_cents >= 0),
      primary key (workspace_id, id),
      foreign key (workspace_id, company_id) references companies(workspace_id, id) on delete cascade
    )`.execute(db);
  await sql`create index billing_mrr_history_company_idx on billing_mrr_history (workspace_id, company_id, at)`.execute(
    db,
  );
  await sql`
    insert into billing_mrr_history (workspace_id, company_id, at, status, mrr_cents)
    select c.workspace_id, c.id, s.first_at, c.billing_status, c.mrr_cents
    from companies c
    join (
      select workspace_id, company_id, min(last_event_at) as first_at
      from billing_subscriptions group by workspace_id, company_id
    ) s on s.workspace_id = c.workspace_id and s.company_id = c.id
    where c.billing_status is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists billing_mrr_history`.execute(db);
}
