import type { Static } from "typebox";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { Principal } from "../../http/principal.ts";
import { invalid } from "../../lib/errors.ts";
import { recordAudit } from "../audit/service.ts";
import type { HealthSettingsBody } from "./schemas.ts";

/** The signals a health score is made of; each has a weight in the workspace's settings. */
export const FACTORS = [
  "csat",
  "bad_ratings",
  "unanswered_bad_ratings",
  "conversation_trend",
  "long_waits",
  "failed_payment",
  "usage_trend",
  "seats",
  "last_contact",
  "higher_plan_asks",
] as const;
export type Factor = (typeof FACTORS)[number];

export interface HealthSettings {
  /** Multiplies each factor's points: 0 switches a factor off, 2 counts it double. */
  weights: Record<Factor, number>;
  /** A company scoring below this is at risk (so is one with an unpaid invoice). */
  at_risk_below: number;
  /** A first answer slower than this counts as a long wait. */
  long_wait_hours: number;
  /** This many days without any conversation counts against a company. */
  quiet_days: number;
  /** Using at least this share of the seats bought marks an upsell prospect. */
  upsell_seat_share: number;
  /** The workspace's plans, cheapest first, so a feature of a higher plan can be recognised. */
  plans: string[];
  /** Feature request id → the plan that feature belongs to. */
  feature_plans: Record<string, string>;
}

export function defaultHealthSettings(): HealthSettings {
  return {
    weights: Object.fromEntries(FACTORS.map((f) => [f, 1])) as Record<Factor, number>,
    at_risk_below: 50,
    long_wait_hours: 24,
    quiet_days: 60,
    upsell_seat_share: 0.9,
    plans: [],
    feature_plans: {},
  };
}

/** Stored settings over the defaults: rows written before a key existed still read whole. */
export function readHealthSettings(stored: unknown): HealthSettings {
  const settings = defaultHealthSettings();
  if (!stored || typeof stored !== "object") return settings;
  const raw = stored as Partial<HealthSettings>;
  for (const factor of FACTORS) {
    const weight = raw.weights?.[factor];
    if (typeof weight === "number") settings.weights[factor] = weight;
  }
  for (const key of ["at_risk_below", "long_wait_hours", "quiet_days", "upsell_seat_share"] as const) {
    if (typeof raw[key] === "number") settings[key] = raw[key];
  }
  if (Array.isArray(raw.plans)) settings.plans = raw.plans.filter((p) => typeof p === "string");
  if (raw.feature_plans && typeof raw.feature_plans === "object")
    settings.feature_plans = { ...raw.feature_plans };
  return settings;
}

export async function healthSettingsOf(db: Db, workspaceId: string): Promise<HealthSettings> {
  const row = await db
    .selectFrom("health_settings")
    .select("settings")
    .where("workspace_id", "=", workspaceId)
    .executeTakeFirst();
  return readHealthSettings(row?.settings);
}

/** Applies a validated patch (keys left out keep their value) and stores the whole result. */
export async function saveHealthSettings(
  ctx: AppContext,
  principal: Principal,
  patch: Static<typeof HealthSettingsBody>,
): Promise<HealthSettings> {
  return ctx.db.transaction().execute(async (trx) => {
    const current = await healthSettingsOf(trx, principal.workspaceId);
    const next: HealthSettings = {
      ...current,
      ...Object.fromEntries(Object.entries(patch).filter(([k, v]) => k !== "weights" && v !== undefined)),
      weights: { ...current.weights, ...(patch.weights ?? {}) },
    };
    checkFeaturePlans(next);
    const values = { settings: JSON.stringify(next), updated_at: ctx.now() };
    await trx
      .insertInto("health_settings")
      .values({ workspace_id: principal.workspaceId, ...values })
      .onConflict((oc) => oc.column("workspace_id").doUpdateSet(values))
      .execute();
    await recordAudit(trx, principal, {
      action: "health.settings_updated",
      targetType: "workspace",
      targetId: principal.workspaceId,
      data: { changed: Object.keys(patch) },
    });
    return next;
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every feature must name one of the plans, and plan names must differ (they are compared case-blind). */
function checkFeaturePlans(settings: HealthSettings): void {
  const names = settings.plans.map((p) => p.trim().toLowerCase());
  if (new Set(names).size !== names.length) throw invalid("plans", "Each plan may appear once");
  for (const [id, plan] of Object.entries(settings.feature_plans)) {
    if (!UUID.test(id)) throw invalid(`feature_plans.${id}`, "Keys are feature request ids");
    if (!names.includes(plan.trim().toLowerCase()))
      throw invalid(
        `feature_plans.${id}`,
        `"${plan}" is not one of the plans (${settings.plans.join(", ") || "none set"})`,
      );
  }
}

/** A plan's place in the workspace's order (0 is the cheapest); -1 for no plan, null for one not listed. */
export function planRank(settings: HealthSettings, plan: string | null): number | null {
  if (!plan) return -1;
  const index = settings.plans.findIndex((p) => p.trim().toLowerCase() === plan.trim().toLowerCase());
  return index === -1 ? null : index;
}
