import { parse } from "csv-parse/sync";
import { sql } from "kysely";
import { Type } from "typebox";
import { LifecycleStages, StrictObject } from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { LifecycleStage } from "../../db/schema.ts";
import type { Principal } from "../../http/principal.ts";
import { invalid, Problem } from "../../lib/errors.ts";
import { recordAudit } from "../audit/service.ts";
import { memberIdsByEmail } from "../workspaces/service.ts";

/*
 * Companies from a spreadsheet: a preview first (dry_run), then the import, all rows or none.
 * Rows are matched to existing companies by domain, then by name; every problem is reported with
 * its line number and column, and a file with any problem imports nothing.
 */

export const MAX_IMPORT_ROWS = 5000;

export const ImportBody = StrictObject({
  /** The file's text; the first line names the columns (name is required). */
  csv: Type.String({ minLength: 1, maxLength: 900_000 }),
  dry_run: Type.Optional(Type.Boolean()),
});

export const ImportResult = Type.Object({
  dry_run: Type.Boolean(),
  total: Type.Integer(),
  created: Type.Integer(),
  updated: Type.Integer(),
  preview: Type.Array(
    Type.Object({
      line: Type.Integer(),
      action: Type.Union([Type.Literal("create"), Type.Literal("update")]),
      id: Type.Union([Type.String(), Type.Null()]),
      name: Type.String(),
      fields: Type.Record(Type.String(), Type.Unknown()),
    }),
  ),
});

interface RowError {
  line: number;
  column: string;
  message: string;
}

interface CompanyValues {
  name: string;
  domain?: string;
  plan?: string;
  mrr_cents?: number;
  seats?: number;
  seats_used?: number;
  signup_at?: Date;
  renewal_at?: Date;
  owner_agent_id?: string;
  lifecycle_stage?: LifecycleStage;
  attributes?: Record<string, string>;
}

const KNOWN = new Set([
  "name",
  "domain",
  "plan",
  "mrr",
  "mrr_cents",
  "seats",
  "seats_used",
  "signup_at",
  "renewal_at",
  "owner_email",
  "lifecycle_stage",
]);

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** "Seats Used" and "seats_used" name the same column. */
const columnKey = (header: string) =>
  header
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");

function parseRows(csv: string): Record<string, string>[] {
  try {
    return parse(csv, {
      columns: (headers: string[]) => headers.map(columnKey),
      bom: true,
      skip_empty_lines: true,
      trim: true,
      to: MAX_IMPORT_ROWS + 1,
    }) as Record<string, string>[];
  } catch (error) {
    throw invalid("csv", `The file is not valid CSV: ${(error as Error).message}`);
  }
}

/** Reads one row's cells into company values, collecting each cell's problem. */
function readRow(
  record: Record<string, string>,
  line: number,
  members: Map<string, string>,
  errors: RowError[],
): CompanyValues {
  const fail = (column: string, message: string) => errors.push({ line, column, message });
  const values: CompanyValues = { name: record.name ?? "" };
  if (!values.name) fail("name", "Every company needs a name");
  else if (values.name.length > 200) fail("name", "A name has at most 200 characters");
  const integer = (column: "seats" | "seats_used" | "mrr_cents") => {
    const text = record[column];
    if (!text) return;
    if (!/^\d{1,12}$/.test(text)) return fail(column, `"${text}" is not a whole number of 0 or more`);
    values[column] = Number(text);
  };
  const date = (column: "signup_at" | "renewal_at") => {
    const text = record[column];
    if (!text) return;
    const parsed = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : new Date(text);
    if (Number.isNaN(parsed.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(text))
      return fail(column, `"${text}" is not a date like 2026-11-28`);
    values[column] = parsed;
  };
  if (record.domain) {
    const domain = record.domain.toLowerCase();
    if (!HOSTNAME.test(domain)) fail("domain", `"${record.domain}" is not a domain name`);
    else values.domain = domain;
  }
  if (record.plan) {
    if (record.plan.length > 100) fail("plan", "A plan name has at most 100 characters");
    else values.plan = record.plan;
  }
  if (record.mrr) {
    const amount = record.mrr.replace(/[\s,]/g, "").replace(/^[$€£]/, "");
    if (!/^\d{1,13}(\.\d{1,2})?$/.test(amount)) fail("mrr", `"${record.mrr}" is not an amount like 1234.50`);
    else values.mrr_cents = Math.round(Number(amount) * 100);
  }
  integer("mrr_cents");
  integer("seats");
  integer("seats_used");
  date("signup_at");
  date("renewal_at");
  if (record.owner_email) {
    const owner = members.get(record.owner_email.toLowerCase());
    if (!owner) fail("owner_email", `${record.owner_email} is not an agent of this workspace`);
    else values.owner_agent_id = owner;
  }
  if (record.lifecycle_stage) {
    const stage = record.lifecycle_stage.toLowerCase();
    if (!(LifecycleStages as readonly string[]).includes(stage))
      fail("lifecycle_stage", `"${record.lifecycle_stage}" is not one of ${LifecycleStages.join(", ")}`);
    else values.lifecycle_stage = stage as LifecycleStage;
  }
  const extra = Object.entries(record).filter(([key, value]) => !KNOWN.has(key) && key && value);
  if (extra.length > 50) fail("attributes", "At most 50 other columns become attributes");
  else if (extra.length > 0)
    values.attributes = Object.fromEntries(extra.map(([k, v]) => [k.slice(0, 100), v.slice(0, 1000)]));
  return values;
}

/** Existing companies these rows may mean: by domain, then by lowercased name. */
async function existingMatches(db: Db, workspaceId: string, rows: CompanyValues[]) {
  const domains = [...new Set(rows.flatMap((r) => (r.domain ? [r.domain] : [])))];
  const names = [...new Set(rows.map((r) => r.name.toLowerCase()).filter(Boolean))];
  const found = await db
    .selectFrom("companies")
    .select(["id", "name", "domain", "attributes"])
    .where("workspace_id", "=", workspaceId)
    .where((eb) =>
      eb.or([
        ...(domains.length ? [eb("domain", "in", domains)] : []),
        ...(names.length ? [eb(eb.fn("lower", ["name"]), "in", names)] : []),
      ]),
    )
    .execute();
  const byDomain = new Map(found.filter((c) => c.domain).map((c) => [c.domain!, c]));
  const byName = new Map(found.map((c) => [c.name.toLowerCase(), c]));
  return (row: CompanyValues) =>
    (row.domain ? byDomain.get(row.domain) : undefined) ?? byName.get(row.name.toLowerCase());
}

export async function importCompanies(
  ctx: AppContext,
  principal: Principal,
  input: { csv: string; dry_run?: boolean },
) {
  const ws = principal.workspaceId;
  const records = parseRows(input.csv);
  if (records.length === 0) throw invalid("csv", "The file has a header line but no rows");
  if (records.length > MAX_IMPORT_ROWS)
    throw invalid("csv", `At most ${MAX_IMPORT_ROWS} rows per import; split the file`);
  if (!("name" in records[0])) throw invalid("csv", "The first line must name the columns, one of them name");
  const members = await memberIdsByEmail(ctx.db, ws);
  const errors: RowError[] = [];
  // Line numbers as a spreadsheet shows them: the header is line 1.
  const rows = records.map((record, i) => ({ line: i + 2, values: readRow(record, i + 2, members, errors) }));
  const seen = new Map<string, number>();
  for (const { line, values } of rows) {
    const key = values.domain ?? values.name.toLowerCase();
    if (seen.has(key))
      errors.push({
        line,
        column: values.domain ? "domain" : "name",
        message: `Same company as line ${seen.get(key)}`,
      });
    else seen.set(key, line);
  }
  if (errors.length > 0) {
    const first = errors[0];
    throw new Problem(
      422,
      "import_rejected",
      `${errors.length} problem(s) in the file; nothing was imported`,
      {
        field: `csv.line[${first.line}].${first.column}`,
        extra: {
          errors: errors.map((e) => ({ field: `csv.line[${e.line}].${e.column}`, message: e.message })),
          row_errors: errors,
        },
      },
    );
  }
  const match = await existingMatches(
    ctx.db,
    ws,
    rows.map((r) => r.values),
  );
  const planned = rows.map(({ line, values }) => {
    const existing = match(values);
    const { name, attributes, ...fields } = values;
    return {
      line,
      action: existing ? ("update" as const) : ("create" as const),
      id: existing?.id ?? null,
      name,
      fields: { ...fields, ...(attributes ? { attributes } : {}) } as Record<string, unknown>,
      merged: existing ? { ...(existing.attributes as Record<string, unknown>), ...attributes } : attributes,
    };
  });
  const created = planned.filter((p) => p.action === "create").length;
  const preview = planned.map(({ merged: _, ...p }) => p);
  if (input.dry_run)
    return { dry_run: true, total: planned.length, created, updated: planned.length - created, preview };

  const ids = await ctx.db.transaction().execute(async (trx) => {
    const written: { id: string; action: "create" | "update" }[] = [];
    for (const plan of planned) {
      const { attributes: _, ...fields } = plan.fields as Omit<CompanyValues, "name">;
      if (plan.id) {
        await trx
          .updateTable("companies")
          .set({
            ...fields,
            name: plan.name,
            attributes: JSON.stringify(plan.merged ?? {}),
            updated_at: sql`now()`,
          })
          .where("workspace_id", "=", ws)
          .where("id", "=", plan.id)
          .execute();
        written.push({ id: plan.id, action: "update" });
      } else {
        const row = await trx
          .insertInto("companies")
          .values({
            workspace_id: ws,
            ...fields,
            name: plan.name,
            attributes: JSON.stringify(plan.merged ?? {}),
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        written.push({ id: row.id, action: "create" });
        plan.id = row.id;
      }
    }
    await recordAudit(trx, principal, {
      action: "company.imported",
      targetType: "workspace",
      targetId: ws,
      data: { created, updated: planned.length - created },
    });
    return written;
  });
  for (const { id, action } of ids)
    await ctx.events.publish(ws, action === "create" ? "company.created" : "company.updated", { id });
  return {
    dry_run: false,
    total: planned.length,
    created,
    updated: planned.length - created,
    preview: planned.map(({ merged: _, ...p }) => p),
  };
}
