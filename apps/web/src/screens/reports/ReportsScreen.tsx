import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { type ReactNode, useMemo } from "react";
import type { Static } from "typebox";
import type {
  AgentReport,
  AsaReport,
  CsatReport,
  FirstResponseReport,
  LatencyFigures,
  SurveyComment,
} from "../../../../../packages/contracts/src/index.ts";
import { type ApiError, api, query } from "../../api/client.ts";
import { useAgents, useInboxes } from "../../api/directory.ts";
import type { Page } from "../../api/types.ts";
import { Field } from "../../components/Field.tsx";
import { formatDateTime } from "../../lib/time.ts";
import { DEFAULT_SEARCH } from "../../lib/views.ts";
import { ReportChart } from "./Chart.tsx";
import { duration } from "./format.ts";
import { LiveSection, VolumeSection } from "./LiveAndVolume.tsx";
import { parseReportSearch, type ReportSearch, reportParams } from "./search.ts";

type Asa = Static<typeof AsaReport>;
type Csat = Static<typeof CsatReport>;
type FirstResponse = Static<typeof FirstResponseReport>;
type Agents = Static<typeof AgentReport>;
type Comment = Static<typeof SurveyComment>;

const percent = (share: number | null | undefined) =>
  share === null || share === undefined ? "—" : `${Math.round(share * 100)}%`;
const minutes = (ms: number | null) => (ms === null ? null : Math.round((ms / 60_000) * 10) / 10);

function useReport<T>(path: string, params: Record<string, string | undefined>) {
  return useQuery<T, ApiError>({
    queryKey: ["reports", path, params],
    queryFn: ({ signal }) => api<T>(`${path}${query(params)}`, { signal }),
    staleTime: 60_000,
    // A changed filter keeps the previous figures on screen until the new ones arrive, instead of blanking the section.
    placeholderData: keepPreviousData,
  });
}

/** The link that downloads a report's table as CSV (the API answers text/csv with ?format=csv). */
function CsvLink({
  path,
  params,
  what,
}: {
  path: string;
  params: Record<string, string | undefined>;
  what: string;
}) {
  return (
    <a className="button csv-link" href={`/api/v1${path}${query({ ...params, format: "csv" })}`} download>
      Download {what} as CSV
    </a>
  );
}

/**
 * The team's two headline numbers and what explains them: speed of answer (ASA, first response,
 * resolution) and satisfaction (CSAT with its comments), by day or week, for a range and an inbox.
 */
export function ReportsScreen() {
  const search = parseReportSearch(useSearch({ strict: false }) as Record<string, unknown>);
  const series = reportParams(search, { by: search.by, hours: search.hours });
  const latency = reportParams(search, { hours: search.hours });
  const asa = useReport<Asa>("/reports/asa", series);
  const csat = useReport<Csat>("/reports/csat", series);
  const firstResponse = useReport<FirstResponse>("/reports/first-response", latency);
  const agents = useReport<Agents>("/reports/agents", latency);
  const rangeError = asa.error ?? csat.error;

  return (
    <main className="reports">
      <header className="reports-header">
        <Link to="/conversations" search={DEFAULT_SEARCH} className="settings-back">
          ← Back to conversations
        </Link>
        <h1>Reports</h1>
        {asa.data && (
          <p className="hint">
            {asa.data.from} to {asa.data.to} · {asa.data.time_zone} ·{" "}
            {asa.data.hours === "business" ? "business hours" : "wall-clock time"}
          </p>
        )}
        {asa.data?.note && <p className="report-note">{asa.data.note}</p>}
      </header>
      <LiveSection />
      <Filters search={search} error={rangeError} />
      <Headlines asa={asa.data} csat={csat.data} firstResponse={firstResponse.data} agents={agents.data} />
      <div className="report-grid">
        <AsaSection report={asa.data} params={series} by={search.by} />
        <CsatSection report={csat.data} params={series} by={search.by} />
        <FirstResponseSection report={firstResponse.data} params={latency} />
        <AgentsSection report={agents.data} params={latency} />
        <VolumeSection params={reportParams(search)} />
      </div>
      <CommentsSection search={search} />
    </main>
  );
}

function Filters({ search, error }: { search: ReportSearch; error: ApiError | null }) {
  const navigate = useNavigate();
  const inboxes = useInboxes();
  const set = (change: Partial<ReportSearch>) =>
    void navigate({
      to: "/reports",
      search: { ...search, ...change } as Record<string, unknown> as never,
      replace: true,
    });
  const fieldError = (field: string) => error?.fieldMessage(field);
  const other = error && !error.namesField(["from", "to"]) ? error.problem.title : undefined;

  return (
    <form className="report-filters" aria-label="Report filters" onSubmit={(e) => e.preventDefault()}>
      <Field label="From" error={fieldError("from")}>
        {(props) => (
          <input
            {...props}
            type="date"
            value={search.from ?? ""}
            onChange={(e) => set({ from: e.target.value || undefined })}
          />
        )}
      </Field>
      <Field label="To" error={fieldError("to")}>
        {(props) => (
          <input
            {...props}
            type="date"
            value={search.to ?? ""}
            onChange={(e) => set({ to: e.target.value || undefined })}
          />
        )}
      </Field>
      <Field label="Inbox">
        {(props) => (
          <select
            {...props}
            value={search.inbox ?? ""}
            onChange={(e) => set({ inbox: e.target.value || undefined })}
          >
            <option value="">All inboxes</option>
            {inboxes.map((inbox) => (
              <option key={inbox.id} value={inbox.id}>
                {inbox.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="By">
        {(props) => (
          <select
            {...props}
            value={search.by}
            onChange={(e) => set({ by: e.target.value as ReportSearch["by"] })}
          >
            <option value="day">Day</option>
            <option value="week">Week</option>
          </select>
        )}
      </Field>
      <Field label="Count">
        {(props) => (
          <select
            {...props}
            value={search.hours}
            onChange={(e) => set({ hours: e.target.value as ReportSearch["hours"] })}
          >
            <option value="wall">All hours</option>
            <option value="business">Business hours only</option>
          </select>
        )}
      </Field>
      {other && (
        <p className="form-error" role="alert">
          {other}
        </p>
      )}
    </form>
  );
}

function Headline({ label, value, detail }: { label: string; value: string; detail: ReactNode }) {
  return (
    <div className="headline">
      <dt>{label}</dt>
      <dd>
        <span className="headline-value">{value}</span>
        <span className="hint">{detail}</span>
      </dd>
    </div>
  );
}

function Headlines({
  asa,
  csat,
  firstResponse,
  agents,
}: {
  asa?: Asa;
  csat?: Csat;
  firstResponse?: FirstResponse;
  agents?: Agents;
}) {
  // The first-response total holds latency figures (the schema's generic typing loses that).
  const first = firstResponse?.total as Static<typeof LatencyFigures> | undefined;
  const resolution = agents?.rows.reduce(
    (acc, row) => {
      if (row.resolution_mean_ms === null) return acc;
      return {
        count: acc.count + row.resolution_count,
        sum: acc.sum + row.resolution_mean_ms * row.resolution_count,
      };
    },
    { count: 0, sum: 0 },
  );
  return (
    <section aria-label="Headline figures">
      <dl className="headlines">
        <Headline
          label="ASA"
          value={duration(asa?.total.mean_ms)}
          detail={`median ${duration(asa?.total.median_ms)} · p90 ${duration(asa?.total.p90_ms)} · ${asa?.total.count ?? 0} answered`}
        />
        <Headline
          label="CSAT"
          value={percent(csat?.total.csat)}
          detail={`${csat?.total.responses ?? 0} responses · ${csat?.total.comments ?? 0} comments`}
        />
        <Headline
          label="First response"
          value={duration(first?.mean_ms)}
          detail={`median ${duration(first?.median_ms)} · p90 ${duration(first?.p90_ms)}`}
        />
        <Headline
          label="Resolution"
          value={resolution?.count ? duration(resolution.sum / resolution.count) : "—"}
          detail={`${resolution?.count ?? 0} resolved`}
        />
      </dl>
    </section>
  );
}

function Section({
  title,
  id,
  actions,
  children,
}: {
  title: string;
  id: string;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section className="report-section" aria-labelledby={id}>
      <div className="report-section-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

function AsaSection({
  report,
  params,
  by,
}: {
  report?: Asa;
  params: Record<string, string | undefined>;
  by: string;
}) {
  const chart = useMemo(
    () =>
      report && {
        labels: report.rows.map((r) => r.label),
        series: [
          {
            label: "Mean",
            values: report.rows.map((r) => minutes(r.mean_ms)),
            color: "#2f6f5e",
            kind: "line" as const,
          },
          {
            label: "Median",
            values: report.rows.map((r) => minutes(r.median_ms)),
            color: "#2563eb",
            kind: "line" as const,
          },
          {
            label: "p90",
            values: report.rows.map((r) => minutes(r.p90_ms)),
            color: "#b42318",
            kind: "line" as const,
          },
        ],
      },
    [report],
  );
  return (
    <Section
      title={`Average speed of answer by ${by}`}
      id="report-asa"
      actions={<CsvLink path="/reports/asa" params={params} what="ASA" />}
    >
      {chart && (
        <ReportChart {...chart} label="ASA over time; the figures are in the table below" yTitle="minutes" />
      )}
      <details>
        <summary>Table</summary>
        <table className="report-table">
          <thead>
            <tr>
              <th scope="col">Period</th>
              <th scope="col">Answered</th>
              <th scope="col">Mean</th>
              <th scope="col">Median</th>
              <th scope="col">p90</th>
            </tr>
          </thead>
          <tbody>
            {report?.rows.map((r) => (
              <tr key={r.key}>
                <th scope="row">{r.label}</th>
                <td>{r.count}</td>
                <td>{duration(r.mean_ms)}</td>
                <td>{duration(r.median_ms)}</td>
                <td>{duration(r.p90_ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </Section>
  );
}

function CsatSection({
  report,
  params,
  by,
}: {
  report?: Csat;
  params: Record<string, string | undefined>;
  by: string;
}) {
  const chart = useMemo(
    () =>
      report && {
        labels: report.rows.map((r) => r.label),
        series: [
          {
            label: "CSAT %",
            values: report.rows.map((r) => (r.csat === null ? null : Math.round(r.csat * 100))),
            color: "#2f6f5e",
          },
        ],
      },
    [report],
  );
  return (
    <Section
      title={`Satisfaction by ${by}`}
      id="report-csat"
      actions={<CsvLink path="/reports/csat" params={params} what="CSAT" />}
    >
      {chart && (
        <ReportChart
          {...chart}
          label="CSAT over time; the figures are in the table below"
          yTitle="% great or good"
          max={100}
        />
      )}
      <details>
        <summary>Table</summary>
        <table className="report-table">
          <thead>
            <tr>
              <th scope="col">Period</th>
              <th scope="col">Responses</th>
              <th scope="col">Great</th>
              <th scope="col">Good</th>
              <th scope="col">Okay</th>
              <th scope="col">Bad</th>
              <th scope="col">CSAT</th>
            </tr>
          </thead>
          <tbody>
            {report?.rows.map((r) => (
              <tr key={r.key}>
                <th scope="row">{r.label}</th>
                <td>{r.responses}</td>
                <td>{r.great}</td>
                <td>{r.good}</td>
                <td>{r.okay}</td>
                <td>{r.bad}</td>
                <td>{percent(r.csat)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </Section>
  );
}

function FirstResponseSection({
  report,
  params,
}: {
  report?: FirstResponse;
  params: Record<string, string | undefined>;
}) {
  const chart = useMemo(() => {
    // Buckets nobody fell into make the chart unreadable; the table keeps them all.
    const shown = report?.rows.filter((r) => r.count > 0) ?? [];
    return {
      labels: shown.map((r) => r.label),
      series: [{ label: "Conversations", values: shown.map((r) => r.count), color: "#2563eb" }],
    };
  }, [report]);
  return (
    <Section
      title="First response times"
      id="report-first-response"
      actions={<CsvLink path="/reports/first-response" params={params} what="first responses" />}
    >
      {report && (
        <ReportChart {...chart} label="How long customers waited for a first answer" yTitle="conversations" />
      )}
      <details>
        <summary>Table</summary>
        <table className="report-table">
          <thead>
            <tr>
              <th scope="col">Waited</th>
              <th scope="col">Conversations</th>
              <th scope="col">Share</th>
            </tr>
          </thead>
          <tbody>
            {report?.rows.map((r) => (
              <tr key={r.key}>
                <th scope="row">{r.label}</th>
                <td>{r.count}</td>
                <td>{percent(r.share)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </Section>
  );
}

function AgentsSection({ report, params }: { report?: Agents; params: Record<string, string | undefined> }) {
  return (
    <Section
      title="Agents"
      id="report-agents"
      actions={<CsvLink path="/reports/agents" params={params} what="agents" />}
    >
      <div className="table-scroll">
        <table className="report-table">
          <thead>
            <tr>
              <th scope="col">Agent</th>
              <th scope="col">Conversations</th>
              <th scope="col">Replies</th>
              <th scope="col">ASA</th>
              <th scope="col">First response</th>
              <th scope="col">Resolution</th>
              <th scope="col">CSAT</th>
            </tr>
          </thead>
          <tbody>
            {report?.rows.map((r) => (
              <tr key={r.key}>
                <th scope="row">{r.label}</th>
                <td>{r.conversations}</td>
                <td>{r.replies}</td>
                <td>{duration(r.asa_mean_ms)}</td>
                <td>{duration(r.first_response_mean_ms)}</td>
                <td>{duration(r.resolution_mean_ms)}</td>
                <td>
                  {percent(r.csat)} <span className="hint">({r.csat_responses})</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}

const RATING_LABEL: Record<string, string> = { great: "Great", good: "Good", okay: "Okay", bad: "Bad" };

function CommentsSection({ search }: { search: ReportSearch }) {
  const navigate = useNavigate();
  const agentsList = useAgents();
  const params = reportParams(search, { bad_only: search.bad_only, agent_id: search.agent, limit: 50 });
  const comments = useReport<Page<Comment>>("/reports/comments", params);
  const set = (change: Partial<ReportSearch>) =>
    void navigate({
      to: "/reports",
      search: { ...search, ...change } as Record<string, unknown> as never,
      replace: true,
    });

  return (
    <Section
      title="What customers said"
      id="report-comments"
      actions={<CsvLink path="/reports/comments" params={{ ...params, limit: "100" }} what="comments" />}
    >
      <div className="report-filters comment-filters">
        <label className="check">
          <input
            type="checkbox"
            checked={search.bad_only ?? false}
            onChange={(e) => set({ bad_only: e.target.checked || undefined })}
          />
          Bad ratings only
        </label>
        <Field label="Agent">
          {(props) => (
            <select
              {...props}
              value={search.agent ?? ""}
              onChange={(e) => set({ agent: e.target.value || undefined })}
            >
              <option value="">Every agent</option>
              {agentsList.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {comments.data?.data.length === 0 && (
        <p className="hint">No comments or okay/bad ratings in this range.</p>
      )}
      <ul className="comments" aria-label="Comments" aria-busy={comments.isPlaceholderData}>
        {comments.data?.data.map((c) => (
          <li key={c.survey_id} className={`comment comment-${c.rating}`}>
            <div className="comment-meta">
              <span className={`rating rating-${c.rating}`}>{RATING_LABEL[c.rating]}</span>
              <Link
                to="/conversations/$conversationId"
                params={{ conversationId: c.conversation_id }}
                search={DEFAULT_SEARCH}
              >
                #{c.conversation_number ?? "?"}
              </Link>
              <span className="hint">
                {agentsList.find((a) => a.id === c.agent_id)?.name ?? "Unassigned"} ·{" "}
                {formatDateTime(c.responded_at)}
              </span>
              {c.follow_up_conversation_id && (
                <Link
                  to="/conversations/$conversationId"
                  params={{ conversationId: c.follow_up_conversation_id }}
                  search={DEFAULT_SEARCH}
                  className="hint"
                >
                  Follow-up
                </Link>
              )}
            </div>
            {c.comment ? <p className="comment-text">{c.comment}</p> : <p className="hint">No comment.</p>}
          </li>
        ))}
      </ul>
    </Section>
  );
}
