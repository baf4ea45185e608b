import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client.ts";
import { FormStatus } from "./FormStatus.tsx";
import { useSubmit } from "./forms.ts";
import { SettingsCard, SettingsPage } from "./SettingsPage.tsx";

interface Listener {
  name: string;
  active: boolean;
  handled: number;
  lag_p99_ms: number | null;
  parked: number;
  backlog: number;
}

interface ParkedEvent {
  listener: string;
  event_id: string;
  type: string;
  occurred_at: string;
  attempts: number;
  error: string;
  parked_at: string;
}

const listenersQuery = {
  queryKey: ["events", "listeners"],
  queryFn: async () => (await api<{ data: Listener[] }>("/events/listeners")).data,
};
const parkedQuery = {
  queryKey: ["events", "parked"],
  queryFn: async () => (await api<{ data: ParkedEvent[] }>("/events/parked")).data,
};

const when = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });

/**
 * What follows each change (metrics, mail, webhooks, customer health…) is done by background
 * listeners. This screen shows whether they keep up, and the events one gave up on after its retries.
 */
export function EventSettings() {
  const queryClient = useQueryClient();
  const { data: listeners = [] } = useQuery({ ...listenersQuery, refetchInterval: 5000 });
  const { data: parked = [] } = useQuery({ ...parkedQuery, refetchInterval: 5000 });
  const retrying = useSubmit([]);

  const retry = (event: ParkedEvent) =>
    retrying.run(async () => {
      await api(`/events/parked/${event.event_id}/retry`, { method: "POST" });
      await queryClient.invalidateQueries({ queryKey: ["events"] });
    });

  return (
    <SettingsPage
      title="Event delivery"
      description="Each change is followed by background work: reports, mail, webhooks, customer health, lifecycle email. Here you see whether it keeps up."
    >
      <SettingsCard title="Events set aside">
        {parked.length === 0 ? (
          <p className="hint">None: every event reached every listener.</p>
        ) : (
          <ul className="settings-rows" aria-label="Events set aside">
            {parked.map((event) => (
              <li key={`${event.listener}:${event.event_id}`} className="settings-row">
                <span className="settings-row-main">
                  <strong>
                    {event.type} → {event.listener}
                  </strong>
                  <span className="hint">
                    {when(event.occurred_at)} · {event.attempts} attempts · {event.error}
                  </span>
                </span>
                <button type="button" className="button" onClick={() => void retry(event)}>
                  Retry
                </button>
              </li>
            ))}
          </ul>
        )}
        <FormStatus problem={retrying.formLevel} saved={false} />
      </SettingsCard>
      <SettingsCard title="Listeners">
        <div className="table-scroll">
          <table className="report-table" aria-label="Listeners">
            <thead>
              <tr>
                <th scope="col">Listener</th>
                <th scope="col">Waiting</th>
                <th scope="col">Lag (p99)</th>
                <th scope="col">Set aside</th>
              </tr>
            </thead>
            <tbody>
              {listeners.map((listener) => (
                <tr key={listener.name}>
                  <th scope="row">{listener.name}</th>
                  <td>{listener.backlog.toLocaleString()}</td>
                  <td>{listener.lag_p99_ms === null ? "–" : `${listener.lag_p99_ms.toLocaleString()} ms`}</td>
                  <td>{listener.parked}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="hint">Lag is measured by the server that answered, over its latest events.</p>
      </SettingsCard>
    </SettingsPage>
  );
}
