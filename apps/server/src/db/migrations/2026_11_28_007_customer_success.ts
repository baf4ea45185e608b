import { type Kysely, sql } from "kysely";

/*
 * Customer success: companies as customer records (seats, dates, owner, lifecycle, Stripe link),
 * product usage events with a daily count per company, the computed health of each company with
 * its reasons and flags, the Stripe mirror (events seen, subscriptions, invoices), dunning cases
 * with the notices sent for them, and the choices customers make on the pause-or-cancel page.
 * Frozen in time: later changes go into new migrations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
    alter table companies add column seats integer check (seats >= 0);
    alter table companies add column seats_used integer check (seats_used >= 0);
    alter table companies add column signup_at timestamptz;
    alter table companies add column renewal_at timestamptz;
    alter table companies add column owner_agent_id uuid references agents(id) on delete set null;
    alter table companies add column lifecycle_stage text check (lifecycle_stage in ('trial', 'onboarding', 'active', 'renewal', 'churned'));
    alter table companies add column stripe_customer_id text;
    alter table companies add column billing_status text check (billing_status in ('trialing', 'active', 'past_due', 'paused', 'canceled', 'unpaid', 'incomplete'));
    create unique index companies_stripe_customer_key on companies (workspace_id, stripe_customer_id) where stripe_customer_id is not null;

    create table usage_events (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      company_id uuid not null,
      contact_id uuid,
      name text not null,
      quantity integer not null default 1 check (quantity > 0),
      occurred_at timestamptz not null,
      properties jsonb not null default '{}',
      received_at timestamptz not null default now(),
      primary key (workspace_id, id),
      foreign key (workspace_id, company_id) references companies(workspace_id, id) on delete cascade
    );
    create index usage_events_company_idx on usage_events (workspace_id, company_id, occurred_at desc);

    create table usage_daily (
      workspace_id uuid not null,
      company_id uuid not null,
      day date not null,
      quantity bigint not null default 0,
      primary key (workspace_id, company_id, day),
      foreign key (workspace_id, company_id) references companies(workspace_id, id) on delete cascade
    );

    create table health_settings (
      workspace_id uuid primary key references workspaces(id) on delete cascade,
      settings jsonb not null default '{}',
      updated_at timestamptz not null default now()
    );

    create table company_health (
      workspace_id uuid not null,
      company_id uuid not null,
      score smallint not null check (score between 0 and 100),
      at_risk boolean not null default false,
      upsell boolean not null default false,
      advocate boolean not null default false,
      reasons jsonb not null default '[]',
      computed_at timestamptz not null,
      primary key (workspace_id, company_id),
      foreign key (workspace_id, company_id) references companies(workspace_id, id) on delete cascade
    );
    create index company_health_at_risk_idx on company_health (workspace_id, score, company_id) where at_risk;
    create index company_health_upsell_idx on company_health (workspace_id, score desc, company_id) where upsell;
    create index company_health_advocate_idx on company_health (workspace_id, score desc, company_id) where advocate;

    create table billing_settings (
      workspace_id uuid primary key references workspaces(id) on delete cascade,
      stripe_secret_key text,
      stripe_webhook_secret text,
      grace_days integer not null default 14 check (grace_days between 0 and 90),
      reminder_days integer[] not null default '{0,3,7}',
      after_grace text not null default 'pause' check (after_grace in ('pause', 'cancel', 'none')),
      sender_agent_id uuid references agents(id) on delete set null,
      update_card_url text,
      inbox_id uuid,
      downgrade_plan text,
      updated_at timestamptz not null default now()
    );

    create table stripe_events (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      event_id text not null,
      type text not null,
      created_at timestamptz not null,
      received_at timestamptz not null,
      outcome text not null check (outcome in ('applied', 'stale', 'ignored')),
      primary key (workspace_id, event_id)
    );

    create table billing_subscriptions (
      workspace_id uuid not null,
      stripe_subscription_id text not null,
      company_id uuid not null,
      status text not null,
      plan text,
      mrr_cents bigint not null default 0,
      quantity integer,
      current_period_end timestamptz,
      paused boolean not null default false,
      canceled_at timestamptz,
      last_event_at timestamptz not null,
      updated_at timestamptz not null,
      primary key (workspace_id, stripe_subscription_id),
      foreign key (workspace_id, company_id) references companies(workspace_id, id) on delete cascade
    );
    create index billing_subscriptions_company_idx on billing_subscriptions (workspace_id, company_id);

    create table billing_invoices (
      workspace_id uuid not null,
      stripe_invoice_id text not null,
      company_id uuid not null,
      stripe_subscription_id text,
      status text not null,
      amount_due_cents bigint not null default 0,
      failed_at timestamptz,
      paid_at timestamptz,
      last_event_at timestamptz not null,
      primary key (workspace_id, stripe_invoice_id),
      foreign key (workspace_id, company_id) references companies(workspace_id, id) on delete cascade
    );
    create index billing_invoices_company_idx on billing_invoices (workspace_id, company_id, failed_at desc);

    create table dunning_cases (
      workspace_id uuid not null,
      id uuid not null default gen_random_uuid(),
      company_id uuid not null,
      stripe_invoice_id text,
      stripe_subscription_id text,
      reason text not null check (reason in ('payment_failed', 'card_expiring')),
      state text not null check (state in ('open', 'recovered', 'expired')),
      opened_at timestamptz not null,
      grace_ends_at timestamptz not null,
      next_step_at timestamptz,
      closed_at timestamptz,
      outcome text check (outcome in ('recovered', 'paused', 'canceled', 'none')),
      action_error text,
      primary key (workspace_id, id),
      foreign key (workspace_id, company_id) references companies(workspace_id, id) on delete cascade
    );
    create unique index dunning_cases_open_key on dunning_cases (workspace_id, company_id) where state = 'open';
    create index dunning_cases_company_idx on dunning_cases (workspace_id, company_id, opened_at desc);
    create index dunning_cases_due_idx on dunning_cases (workspace_id, next_step_at) where state = 'open';

    create table dunning_notices (
      workspace_id uuid not null,
      case_id uuid not null,
      step smallint not null,
      to_email text not null,
      subject text not null,
      conversation_id uuid,
      sent_at timestamptz not null,
      primary key (workspace_id, case_id, step),
      foreign key (workspace_id, case_id) references dunning_cases(workspace_id, id) on delete cascade
    );

    create table cancellation_choices (
      workspace_id uuid not null,
      id uuid not null default gen_random_uuid(),
      company_id uuid not null,
      choice text not null check (choice in ('pause', 'downgrade', 'cancel', 'resume')),
      months integer check (months between 1 and 3),
      reason text,
      stripe_state text not null default 'pending' check (stripe_state in ('pending', 'done', 'failed', 'skipped')),
      stripe_error text,
      created_at timestamptz not null,
      primary key (workspace_id, id),
      foreign key (workspace_id, company_id) references companies(workspace_id, id) on delete cascade
    );
    create index cancellation_choices_company_idx on cancellation_choices (workspace_id, company_id, created_at desc);
  `,
  );
}

async function runStatements(db: Kysely<any>, ddl: string): Promise<void> {
  for (const statement of ddl.split(/;\s*\n/)) {
    if (statement.trim()) await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists cancellation_choices, dunning_notices, dunning_cases, billing_invoices, billing_subscriptions, stripe_events, billing_settings, company_health, health_settings, usage_daily, usage_events`.execute(
    db,
  );
  for (const column of [
    "seats",
    "seats_used",
    "signup_at",
    "renewal_at",
    "owner_agent_id",
    "lifecycle_stage",
    "stripe_customer_id",
    "billing_status",
  ]) {
    await sql.raw(`alter table companies drop column if exists ${column}`).execute(db);
  }
}
