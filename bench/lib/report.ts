import type { LoadResult } from "./load.ts";

/** What the project aims for; a miss is printed, never turned into a failing exit code. */
export interface Aim {
  minRatio?: number;
  /** The least share of the matching database-floor row's requests per second. */
  minFloorRatio?: number;
  maxP99Ms?: number;
}

export interface LoadRow {
  label: string;
  result: LoadResult;
  /** This row's requests per second divided by the baseline's, measured in the same run. */
  ratio: number | undefined;
  /**
   * This row's requests per second divided by those of the database floor doing the same work on the
   * same database (bench/lib/floor-server.ts), measured in the same run; only where there is one.
   */
  floorRatio?: number;
  aim?: Aim;
}

export interface FactRow {
  label: string;
  value: number | undefined;
  unit: string;
  detail?: string;
}

export interface Section {
  title: string;
  context: string;
  loads: LoadRow[];
  facts: FactRow[];
}

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const fmt = (value: number | undefined, format = decimal) =>
  value === undefined || Number.isNaN(value) ? "n/a" : format.format(value);
const percent = (value: number | undefined) => (value === undefined ? "" : `${decimal.format(value * 100)}%`);

const precise = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** "0.42 + db 0.31": CPU per request in the server process, plus the database's processes when apart. */
function cpu(result: LoadResult): string {
  const server = fmt(result.serverCpuMs, precise);
  return result.databaseCpuMs === undefined ? server : `${server} + db ${fmt(result.databaseCpuMs, precise)}`;
}

/** "✓ ≥ 25% · ✗ p99 < 20 ms": each aim of a row, met or missed. */
export function aimVerdict(row: LoadRow): string {
  const parts: string[] = [];
  const { failures, timeouts, statusCodes } = row.result;
  if (failures > 0) {
    const errors = Object.entries(statusCodes).filter(([code]) => !code.startsWith("2"));
    const detail = [...errors.map(([code, n]) => `${n}× ${code}`), timeouts ? `${timeouts} timed out` : ""];
    parts.push(`✗ ${failures} failed (${detail.filter(Boolean).join(", ")})`);
  }
  const aim = row.aim;
  if (aim?.minRatio !== undefined && row.ratio !== undefined)
    parts.push(`${row.ratio >= aim.minRatio ? "✓" : "✗"} ≥ ${percent(aim.minRatio)}`);
  if (aim?.minFloorRatio !== undefined && row.floorRatio !== undefined)
    parts.push(`${row.floorRatio >= aim.minFloorRatio ? "✓" : "✗"} ≥ ${percent(aim.minFloorRatio)} of floor`);
  if (aim?.maxP99Ms !== undefined)
    parts.push(`${row.result.p99Ms < aim.maxP99Ms ? "✓" : "✗"} p99 < ${aim.maxP99Ms} ms`);
  return parts.join(" · ");
}

function table(header: string[], rows: string[][], rightAligned: Set<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    `  ${cells
      .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join("   ")
      .trimEnd()}`;
  return [line(header), ...rows.map(line)].join("\n");
}

export function renderSection(section: Section): string {
  const out = [`\n${section.title}`, `  ${section.context}`, ""];
  if (section.loads.length > 0) {
    // The "vs floor" column only appears in sections that measured a database floor.
    const floor = section.loads.some((row) => row.floorRatio !== undefined);
    const header = ["measurement", "requests", "req/s", "p50 ms", "p99 ms", "vs baseline"];
    if (floor) header.push("vs floor");
    header.push("CPU ms/req", "aim");
    out.push(
      table(
        header,
        section.loads.map((row) => [
          row.label,
          fmt(row.result.completed, integer),
          fmt(row.result.requestsPerSecond, integer),
          fmt(row.result.p50Ms),
          fmt(row.result.p99Ms),
          percent(row.ratio),
          ...(floor ? [percent(row.floorRatio)] : []),
          cpu(row.result),
          aimVerdict(row),
        ]),
        new Set(floor ? [1, 2, 3, 4, 5, 6, 7] : [1, 2, 3, 4, 5, 6]),
      ),
    );
  }
  if (section.facts.length > 0) {
    if (section.loads.length > 0) out.push("");
    out.push(
      table(
        ["measurement", "value", "", "detail"],
        section.facts.map((fact) => [fact.label, fmt(fact.value), fact.unit, fact.detail ?? ""]),
        new Set([1]),
      ),
    );
  }
  return out.join("\n");
}

/** The median of a few samples: one slow outlier on a shared machine does not move it. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
