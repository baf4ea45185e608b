import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useMemo, useState } from "react";
import { type ApiError, api, query } from "../../api/client.ts";
import { DEFAULT_SEARCH } from "../../lib/views.ts";
import { formatMrr } from "../success/api.ts";
import { AmountChart, RateChart } from "./RetentionCharts.tsx";
import "./Retention.css";

/* The retention report as the server declares it (modules/billing/schemas.ts: RetentionReport). */
interface RetentionMonth {
  month: string;
  start_companies: number;
  retained_companies: number;
  churned_companies: number;
  paused_companies: number;
  new_companies: number;
  logo_retention: number | null;
  start_mrr_cents: number;
  retained_mrr_cents: number;
  net_revenue_retention: number | null;
  churned_mrr_cents: number;
  paused_mrr_cents: number;
  recovered_mrr_cents: number;
  dunning_closed: number;
  dunning_recovered: number;
  dunning_recovery_rate: number | null;
}

interface Retention {
  from: string;
  to: string;
  rows: RetentionMonth[];
  total: {
    churned_mrr_cents: number;
    paused_mrr_cents: number;
    recovered_mrr_cents: number;
    dunning_closed: number;
    dunning_recovered: number;
    dunning_recovery_rate: number | null;
  };
  cohorts: { month: string; companies: number; retained: (number | null)[] }[];
}

const percent = (share: number | null | undefined) =>
  share === null || share === undefined ? "—" : `${Math.round(share * 1000) / 10}%`;

const thisMonth = () => new Date().toISOString().slice(0, 7);
const monthsBefore = (month: string, n: number) => {
  const d = new Date(`${month}-01T00:00:00Z`);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - n, 1)).toISOString().slice(0, 7);
};

/**
 * Retention: of the companies paying at the start of each month, how many still pay (or paused)
 * at its end and how much of their revenue stayed; what cancellations and pauses cost, what
 * forgiving billing saved, and how each month's new customers hold up since.
 */
export function RetentionScreen() {
  const [to, setTo] = useState(thisMonth);
  const [from, setFrom] = useState(() => monthsBefore(thisMonth(), 11));
  const params = { from, to };
  const report = useQuery<Retention, ApiError>({
    queryKey: ["billing", "retention", params],
    queryFn: ({ signal }) => api<Retention>(`/billing/retention${query(params)}`, { signal }),
    staleTime: 60_000,
  });
  const data = report.data;
  const labels = useMemo(() => data?.rows.map((r) => r.month) ?? [], [data]);

  return (
    <main className="reports retention" aria-labelledby="retention-title">
      <header className="reports-header">
        <Link to="/conversations" search={DEFAULT_SEARCH} className="settings-back">
          ← Back to conversations
        </Link>
        <h1 id="retention-title">Retention</h1>
        <p className="hint">
          Computed from the billing history mirrored from Stripe, by calendar month (UTC). Paused companies
          count as kept; their revenue does not.
        </p>
      </header>
      <form className="report-filters" aria-label="Months" onSubmit={(e) => e.preventDefault()}>
        <label>
          From{" "}
          <input
            type="month"
            value={from}
            max={to}
            onChange={(e) => e.target.value && setFrom(e.target.value)}
          />
        </label>
        <label>
          To{" "}
          <input
            type="month"
            value={to}
            max={thisMonth()}
            onChange={(e) => e.target.value && setTo(e.target.value)}
          />
        </label>
        <a
          className="button csv-link"
          href={`/api/v1/billing/retention${query({ ...params, format: "csv" })}`}
          download
        >
          Download as CSV
        </a>
      </form>
      {report.isPending ? (
        <p className="hint">Loading…</p>
      ) : report.isError ? (
        <p className="field-error" role="alert">
          {report.error.message}
        </p>
      ) : data && !data.rows.some((r) => r.start_companies > 0 || r.new_companies > 0) ? (
        <p className="hint" role="status">
          No paying customers in these months yet. The report fills in from Stripe's events once billing
          is connected in Settings → Billing.
        </p>
      ) : data ? (
        <>
          <Summary data={data} />
          <section className="report-section" aria-labelledby="retention-rates">
            <h2 id="retention-rates">Retention by month</h2>
            <div className="retention-charts">
              <RateChart
                label="Logo and net revenue retention by month"
                labels={labels}
                series={[
                  {
                    label: "Logo retention",
                    values: data.rows.map((r) => r.logo_retention),
                    color: "#2f6f5e",
                  },
                  {
                    label: "Net revenue retention",
                    values: data.rows.map((r) => r.net_revenue_retention),
                    color: "#2563eb",
                  },
                ]}
              />
              <AmountChart
                label="Churned, paused and recovered MRR by month"
                labels={labels}
                format={(v) => formatMrr(v)}
                series={[
                  {
                    label: "Churned MRR",
                    values: data.rows.map((r) => r.churned_mrr_cents),
                    color: "#b42318",
                  },
                  { label: "Paused MRR", values: data.rows.map((r) => r.paused_mrr_cents), color: "#d59a1c" },
                  {
                    label: "Recovered MRR",
                    values: data.rows.map((r) => r.recovered_mrr_cents),
                    color: "#2f6f5e",
                  },
                ]}
              />
            </div>
            <MonthTable rows={data.rows} />
          </section>
          <Cohorts cohorts={data.cohorts} />
        </>
      ) : null}
    </main>
  );
}

function Summary({ data }: { data: Retention }) {
  const latest = [...data.rows].reverse().find((r) => r.start_companies > 0);
  const tiles: [string, string][] = [
    [`Logo retention${latest ? ` (${latest.month})` : ""}`, percent(latest?.logo_retention)],
    [`Net revenue retention${latest ? ` (${latest.month})` : ""}`, percent(latest?.net_revenue_retention)],
    ["Churned MRR", formatMrr(data.total.churned_mrr_cents)],
    ["Paused MRR", formatMrr(data.total.paused_mrr_cents)],
    ["Recovered MRR", formatMrr(data.total.recovered_mrr_cents)],
    [
      "Dunning recovery",
      `${percent(data.total.dunning_recovery_rate)} (${data.total.dunning_recovered} of ${data.total.dunning_closed})`,
    ],
  ];
  return (
    <dl className="retention-summary">
      {tiles.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function MonthTable({ rows }: { rows: RetentionMonth[] }) {
  return (
    <div className="table-scroll">
      <table className="report-table" aria-label="Retention by month">
        <thead>
          <tr>
            <th scope="col">Month</th>
            <th scope="col">Paying at start</th>
            <th scope="col">Kept</th>
            <th scope="col">Churned</th>
            <th scope="col">Paused</th>
            <th scope="col">New</th>
            <th scope="col">Logo retention</th>
            <th scope="col">Net revenue retention</th>
            <th scope="col">Churned MRR</th>
            <th scope="col">Paused MRR</th>
            <th scope="col">Recovered MRR</th>
            <th scope="col">Dunning recovery</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.month}>
              <th scope="row">{r.month}</th>
              <td>{r.start_companies}</td>
              <td>{r.retained_companies}</td>
              <td>{r.churned_companies}</td>
              <td>{r.paused_companies}</td>
              <td>{r.new_companies}</td>
              <td>{percent(r.logo_retention)}</td>
              <td>{percent(r.net_revenue_retention)}</td>
              <td>{formatMrr(r.churned_mrr_cents)}</td>
              <td>{formatMrr(r.paused_mrr_cents)}</td>
              <td>{formatMrr(r.recovered_mrr_cents)}</td>
              <td>
                {percent(r.dunning_recovery_rate)}
                {r.dunning_closed > 0 && ` (${r.dunning_recovered}/${r.dunning_closed})`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Each month's new paying companies, and the share of them kept after 0, 1, 2… months. */
function Cohorts({ cohorts }: { cohorts: Retention["cohorts"] }) {
  const width = cohorts[0]?.retained.length ?? 0;
  return (
    <section className="report-section" aria-labelledby="retention-cohorts">
      <h2 id="retention-cohorts">Cohorts</h2>
      <p className="hint">
        Companies by the month they first paid; each cell is the share still paying or paused.
      </p>
      <div className="table-scroll">
        <table className="report-table retention-cohorts" aria-label="Cohorts by first paying month">
          <thead>
            <tr>
              <th scope="col">First paid</th>
              <th scope="col">Companies</th>
              {Array.from({ length: width }, (_, k) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: the column is the month offset itself.
                <th key={k} scope="col">
                  +{k}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {cohorts.map((c) => (
              <tr key={c.month}>
                <th scope="row">{c.month}</th>
                <td>{c.companies}</td>
                {Array.from({ length: width }, (_, k) => {
                  const value = k < c.retained.length && c.companies > 0 ? c.retained[k] : undefined;
                  return (
                    <td
                      // biome-ignore lint/suspicious/noArrayIndexKey: the column is the month offset itself.
                      key={k}
                      className="cohort-cell"
                      style={
                        value === null || value === undefined
                          ? undefined
                          : {
                              background: `color-mix(in srgb, var(--accent) ${Math.round(value * 60)}%, transparent)`,
                            }
                      }
                    >
                      {value === undefined ? "" : percent(value)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
