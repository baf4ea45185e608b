import { sql } from "kysely";
import type { AppContext } from "../../context.ts";
import { companyIdsAfter } from "../companies/records.ts";
import { gatherInputs } from "./inputs.ts";
import { computeHealth, type Health } from "./score.ts";
import { healthSettingsOf } from "./settings.ts";

/** Companies per batch of a full recompute: one grouped query per input source per batch. */
export const BATCH_SIZE = 1000;

/**
 * Recomputes and stores the health of these companies. Returns what changed (score or a flag),
 * so callers can tell the agents without repeating unchanged news.
 */
export async function recomputeCompanies(
  ctx: AppContext,
  workspaceId: string,
  companyIds: readonly string[],
  options: { settings?: Awaited<ReturnType<typeof healthSettingsOf>>; publish?: boolean } = {},
): Promise<Map<string, Health>> {
  const now = ctx.now();
  const { settings, inputs } = await gatherInputs(
    ctx.db,
    workspaceId,
    companyIds,
    options.settings ?? healthSettingsOf(ctx.db, workspaceId),
    now,
  );
  const computed = new Map<string, Health>();
  for (const [id, input] of inputs) computed.set(id, computeHealth(input, settings, now));
  if (computed.size === 0) return computed;
  const rows = JSON.stringify(
    [...computed].map(([id, h]) => ({
      company_id: id,
      score: h.score,
      at_risk: h.at_risk,
      upsell: h.upsell,
      advocate: h.advocate,
      reasons: h.reasons,
    })),
  );
  // One statement, one round trip: it switches off the wait for the WAL flush for its own implicit
  // transaction (health is derived and recomputed daily anyway, and that wait is most of an
  // incremental recompute's time), stores every row, and hands back each company's old values
  // from the statement's snapshot so that only real changes are announced.
  const written = await sql<{ company_id: string; changed: boolean }>`
    with settings as materialized (select set_config('synchronous_commit', 'off', true) as value),
    incoming as (
      select v.* from jsonb_to_recordset(${rows}::jsonb) as v(
        company_id uuid, score smallint, at_risk boolean, upsell boolean, advocate boolean, reasons jsonb),
        settings
    ),
    old as (
      select h.company_id, h.score, h.at_risk, h.upsell, h.advocate from company_health h
      where ${options.publish === true} and h.workspace_id = ${workspaceId}
        and h.company_id in (select company_id from incoming)
    )
    insert into company_health as h (workspace_id, company_id, score, at_risk, upsell, advocate, reasons, computed_at)
    select ${workspaceId}, company_id, score, at_risk, upsell, advocate, reasons, ${now} from incoming
    on conflict (workspace_id, company_id) do update set
      score = excluded.score, at_risk = excluded.at_risk, upsell = excluded.upsell,
      advocate = excluded.advocate, reasons = excluded.reasons, computed_at = excluded.computed_at
    returning h.company_id, not exists (
      select 1 from old o where o.company_id = h.company_id and o.score = h.score and o.at_risk = h.at_risk
        and o.upsell = h.upsell and o.advocate = h.advocate) as changed`.execute(ctx.db);
  if (!options.publish) return computed;
  for (const row of written.rows) {
    if (!row.changed) continue;
    const h = computed.get(row.company_id)!;
    await ctx.events.publish(workspaceId, "company.health_changed", {
      id: row.company_id,
      score: h.score,
      at_risk: h.at_risk,
      upsell: h.upsell,
      advocate: h.advocate,
    });
  }
  return computed;
}

/** Recomputes every company of the workspace in id-ordered batches; returns how many. */
export async function recomputeWorkspace(ctx: AppContext, workspaceId: string): Promise<number> {
  const settings = await healthSettingsOf(ctx.db, workspaceId);
  let after: string | null = null;
  let count = 0;
  for (;;) {
    const ids = await companyIdsAfter(ctx.db, workspaceId, after, BATCH_SIZE);
    if (ids.length === 0) return count;
    await recomputeCompanies(ctx, workspaceId, ids, { settings });
    count += ids.length;
    after = ids[ids.length - 1];
  }
}
