import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import type { Static } from "typebox";
import type {
  LiveReport,
  VolumeByChannelReport,
  VolumeByHourReport,
} from "../../../../../packages/contracts/src/index.ts";
import { api, query } from "../../api/client.ts";
import { DEFAULT_SEARCH } from "../../lib/views.ts";
import { duration } from "./format.ts";

type Live = Static<typeof LiveReport>;
type ByChannel = Static<typeof VolumeByChannelReport>;
type ByHour = Static<typeof VolumeByHourReport>;

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** Right now: who is waiting (oldest first), who is online, and today's ASA against the target. */
export function LiveSection() {
  const { data: live } = useQuery({
    queryKey: ["reports", "live"],
    queryFn: ({ signal }) => api<Live>("/reports/live", { signal }),
    // The live view is read every half minute while it is on screen.
    refetchInterval: 30_000,
  });
  if (!live) return null;
  const within = live.today.within_target;
  return (
    <section className="report-section live" aria-labelledby="report-live">
      <div className="report-section-head">
        <h2 id="report-live">Right now</h2>
        <span className="hint">updated every 30 s</span>
      </div>
      <div className="live-figures">
        <p>
          <strong className="headline-value">{live.waiting.count}</strong> waiting
        </p>
        <p>
          <strong className={`headline-value${within === false ? " late" : ""}`}>
            {duration(live.today.asa.mean_ms)}
          </strong>{" "}
          ASA today, target {duration(live.today.target_ms)}
          {within === false && <span className="visually-hidden"> (over the target)</span>}
        </p>
        <p>
          <strong className="headline-value">{live.agents_online?.length ?? "—"}</strong> agents online
          {live.agents_online && live.agents_online.length > 0 && (
            <span className="hint"> ({live.agents_online.map((a) => a.name).join(", ")})</span>
          )}
        </p>
      </div>
      {live.waiting.conversations.length > 0 && (
        <ol className="history" aria-label="Customers waiting, oldest first">
          {live.waiting.conversations.slice(0, 10).map((c) => (
            <li key={c.conversation_id}>
              <Link
                to="/conversations/$conversationId"
                params={{ conversationId: c.conversation_id }}
                search={DEFAULT_SEARCH}
              >
                #{c.number} {c.subject ?? "(no subject)"}
              </Link>
              <span className="hint">
                {c.channel} · waiting {duration(c.wait_ms)}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** Conversations by channel, and by hour of the week as a grid shaded by volume. */
export function VolumeSection({ params }: { params: Record<string, string | undefined> }) {
  const byChannel = useQuery({
    queryKey: ["reports", "/reports/volume/channels", params],
    queryFn: ({ signal }) => api<ByChannel>(`/reports/volume/channels${query(params)}`, { signal }),
    staleTime: 60_000,
  }).data;
  const byHour = useQuery({
    queryKey: ["reports", "/reports/volume/hours", params],
    queryFn: ({ signal }) => api<ByHour>(`/reports/volume/hours${query(params)}`, { signal }),
    staleTime: 60_000,
  }).data;
  const max = Math.max(1, ...(byHour?.rows.map((r) => r.conversations) ?? [0]));
  const cell = (weekday: number, hour: number) =>
    byHour?.rows.find((r) => r.weekday === weekday && r.hour === hour)?.conversations ?? 0;

  return (
    <section className="report-section" aria-labelledby="report-volume">
      <div className="report-section-head">
        <h2 id="report-volume">Volume</h2>
        <a
          className="button csv-link"
          href={`/api/v1/reports/volume/hours${query({ ...params, format: "csv" })}`}
          download
        >
          Download hours as CSV
        </a>
      </div>
      <table className="report-table">
        <thead>
          <tr>
            <th scope="col">Channel</th>
            <th scope="col">Conversations</th>
          </tr>
        </thead>
        <tbody>
          {byChannel?.rows.map((r) => (
            <tr key={r.key}>
              <th scope="row">{r.label}</th>
              <td>{r.conversations}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="table-scroll">
        <table className="hour-grid" aria-label="Conversations by hour of the week">
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">Day</span>
              </th>
              {Array.from({ length: 24 }, (_, hour) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: hours are positions
                <th key={hour} scope="col">
                  {hour % 3 === 0 ? hour : ""}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {WEEKDAYS.map((day, weekday) => (
              <tr key={day}>
                <th scope="row">{day}</th>
                {Array.from({ length: 24 }, (_, hour) => {
                  const n = cell(weekday, hour);
                  return (
                    <td
                      // biome-ignore lint/suspicious/noArrayIndexKey: hours are positions
                      key={hour}
                      title={`${day} ${hour}:00 · ${n}`}
                      style={{ opacity: n === 0 ? 0.08 : 0.25 + (0.75 * n) / max }}
                    >
                      <span className="visually-hidden">{n}</span>
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
