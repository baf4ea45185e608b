import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { TSchema } from "typebox";
import {
  AgentReport,
  AsaReport,
  CsatReport,
  errorResponses,
  FirstResponseReport,
  LiveReport,
  Page,
  ReportChannelQuery,
  ReportCommentsQuery,
  ReportLatencyQuery,
  ReportLiveQuery,
  ReportRangeQuery,
  ReportSeriesQuery,
  SurveyComment,
  VolumeByChannelReport,
  VolumeByHourReport,
} from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import type { Principal } from "../../http/principal.ts";
import { principalOf } from "../access/authenticate.ts";
import { type CommentsQuery, commentsFeed, liveReport, volumeByHourReport } from "./live.ts";
import { toCsv } from "./range.ts";
import {
  agentReport,
  asaReport,
  csatReport,
  firstResponseReport,
  type ReportQuery,
  volumeByChannelReport,
} from "./service.ts";

type Query = ReportQuery & CommentsQuery & { format?: "json" | "csv" };
type Table = {
  rows?: Record<string, unknown>[];
  data?: Record<string, unknown>[];
  total?: Record<string, unknown>;
};

interface ReportRoute {
  path: string;
  summary: string;
  querystring: TSchema;
  response: TSchema;
  /** The CSV's columns, in order; every report is also a table. */
  columns: string[];
  run: (ctx: AppContext, principal: Principal, query: Query) => Promise<Table>;
}

const latencyColumns = ["key", "label", "count", "mean_ms", "median_ms", "p90_ms"];

const reports: ReportRoute[] = [
  {
    path: "/reports/asa",
    summary: "ASA (mean, median, p90) over time (by day, week, month) or by channel, inbox or agent",
    querystring: ReportSeriesQuery,
    response: AsaReport,
    columns: latencyColumns,
    run: asaReport,
  },
  {
    path: "/reports/csat",
    summary: "CSAT (share of great and good) with counts per rating, over time or by channel, inbox or agent",
    querystring: ReportSeriesQuery,
    response: CsatReport,
    columns: ["key", "label", "responses", "great", "good", "okay", "bad", "positive", "csat", "comments"],
    run: csatReport,
  },
  {
    path: "/reports/volume/channels",
    summary: "Conversations by channel",
    querystring: ReportRangeQuery,
    response: VolumeByChannelReport,
    columns: ["key", "label", "conversations"],
    run: volumeByChannelReport,
  },
  {
    path: "/reports/volume/hours",
    summary: "Conversations by hour of the week (workspace time zone), 7 × 24 rows",
    querystring: ReportChannelQuery,
    response: VolumeByHourReport,
    columns: ["weekday", "hour", "conversations"],
    run: volumeByHourReport,
  },
  {
    path: "/reports/first-response",
    summary: "How first response times are distributed over fixed buckets, with mean, median and p90",
    querystring: ReportLatencyQuery,
    response: FirstResponseReport,
    columns: ["key", "label", "from_ms", "to_ms", "count", "share"],
    run: firstResponseReport,
  },
  {
    path: "/reports/agents",
    summary: "Per agent: conversations, replies, ASA, first response, resolution and CSAT",
    querystring: ReportLatencyQuery,
    response: AgentReport,
    columns: [
      "key",
      "label",
      "agent_id",
      "conversations",
      "replies",
      "asa_count",
      "asa_mean_ms",
      "asa_median_ms",
      "asa_p90_ms",
      "first_response_mean_ms",
      "resolution_count",
      "resolution_mean_ms",
      "resolution_median_ms",
      "csat_responses",
      "csat",
    ],
    run: agentReport,
  },
  {
    path: "/reports/comments",
    summary: "Survey comments and okay/bad ratings, newest first; filter by agent, inbox, bad only",
    querystring: ReportCommentsQuery,
    response: Page(SurveyComment),
    columns: [
      "responded_at",
      "rating",
      "comment",
      "conversation_number",
      "conversation_id",
      "agent_id",
      "inbox_id",
      "channel",
      "follow_up_conversation_id",
    ],
    run: commentsFeed,
  },
];

/** Reports: read-only, for every role; a table answers as CSV with `?format=csv` or `Accept: text/csv`. */
export async function reportRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  for (const report of reports) {
    app.get<{ Querystring: Query }>(
      report.path,
      {
        config: { permission: "reports:read" },
        schema: {
          tags: ["reports"],
          summary: report.summary,
          querystring: report.querystring,
          response: { 200: report.response, ...errorResponses },
        },
      },
      async (request, reply) => {
        const result = await report.run(ctx, principalOf(request), request.query);
        return wantsCsv(request) ? sendCsv(reply, report, result) : result;
      },
    );
  }

  app.get<{ Querystring: { format?: "json" | "csv" } }>(
    "/reports/live",
    {
      config: { permission: "reports:read" },
      schema: {
        tags: ["reports"],
        summary: "Now: customers waiting (oldest first), agents online, today's ASA against the target",
        querystring: ReportLiveQuery,
        response: { 200: LiveReport, ...errorResponses },
      },
    },
    async (request, reply) => {
      const live = await liveReport(ctx, principalOf(request));
      if (!wantsCsv(request)) return live;
      const table = {
        path: "/reports/live",
        columns: ["number", "subject", "channel", "waiting_since", "wait_ms"],
      };
      return sendCsv(reply, table, { rows: live.waiting.conversations });
    },
  );
}

function wantsCsv(request: FastifyRequest<{ Querystring: { format?: string } }>): boolean {
  if (request.query.format) return request.query.format === "csv";
  return /\btext\/csv\b/.test(request.headers.accept ?? "");
}

function sendCsv(reply: FastifyReply, report: Pick<ReportRoute, "path" | "columns">, result: Table) {
  const rows = [...(result.rows ?? result.data ?? [])];
  if (result.total) rows.push({ key: "total", ...result.total });
  const name = report.path.replace(/^\/reports\//, "").replaceAll("/", "-");
  return reply
    .type("text/csv; charset=utf-8")
    .header("content-disposition", `attachment; filename="keepwell-${name}.csv"`)
    .send(toCsv(report.columns, rows));
}
