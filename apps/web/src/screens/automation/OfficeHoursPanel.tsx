import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client.ts";
import { workspaceQuery } from "../../api/directory.ts";
import { useSession } from "../../api/session.ts";
import type { Workspace } from "../../api/types.ts";
import { Field } from "../../components/Field.tsx";
import { formatDateTime } from "../../lib/time.ts";
import { FormStatus } from "../settings/FormStatus.tsx";
import { timeZones, useSubmit } from "../settings/forms.ts";
import {
  addOfficeHours,
  listOfficeHours,
  type OfficeHoursSlot,
  presenceReport,
  removeOfficeHours,
  WEEKDAYS,
} from "./api.ts";

/**
 * Founder office hours: owners mark weekly hours when they answer chat themselves (the widget then
 * says so and routes new chats to them); everyone sees the hours and how often founders were there.
 */
export function OfficeHoursPanel() {
  const session = useSession();
  const isOwner = session.workspace.role === "owner";
  const hours = useQuery({ queryKey: ["office-hours"], queryFn: ({ signal }) => listOfficeHours(signal) });
  return (
    <div className="automation-split">
      <section className="automation-list" aria-labelledby="office-hours-title">
        <h2 id="office-hours-title">Office hours</h2>
        <TimeZone editable={isOwner} />
        {hours.data?.on_duty && (
          <p className="automation-on-duty">
            {hours.data.on_duty.name} is holding office hours until {formatDateTime(hours.data.on_duty.until)}
            .
          </p>
        )}
        {hours.isError && <p className="field-error">{hours.error.message}</p>}
        {hours.data && <Slots slots={hours.data.data} myId={session.agent.id} isOwner={isOwner} />}
        {isOwner ? (
          <AddSlot />
        ) : (
          <p className="hint">Only owners hold office hours: they answer new chats themselves during them.</p>
        )}
      </section>
      <PresenceReport />
    </div>
  );
}

function TimeZone({ editable }: { editable: boolean }) {
  const queryClient = useQueryClient();
  const workspace = useQuery(workspaceQuery);
  const form = useSubmit(["settings.time_zone"]);
  const current = workspace.data?.settings.time_zone;
  if (!current) return null;
  if (!editable) return <p className="hint">Times are in the workspace's time zone, {current}.</p>;
  async function change(zone: string) {
    await form.run(async () => {
      const saved = await api<Workspace>("/workspace", {
        method: "PATCH",
        body: { settings: { time_zone: zone } },
      });
      queryClient.setQueryData(workspaceQuery.queryKey, saved);
      await queryClient.invalidateQueries({ queryKey: ["office-hours"] });
    });
  }
  return (
    <div className="automation-fields">
      <Field
        label="Time zone (the workspace's, also used for business hours)"
        error={form.fieldError("settings.time_zone")}
      >
        {(props) => (
          <select
            {...props}
            value={current}
            disabled={form.busy}
            onChange={(e) => void change(e.target.value)}
          >
            {[...new Set([current, ...timeZones()])].map((zone) => (
              <option key={zone} value={zone}>
                {zone}
              </option>
            ))}
          </select>
        )}
      </Field>
      <FormStatus problem={form.formLevel} saved={form.saved} />
    </div>
  );
}

function Slots({ slots, myId, isOwner }: { slots: OfficeHoursSlot[]; myId: string; isOwner: boolean }) {
  const queryClient = useQueryClient();
  const form = useSubmit([]);
  if (slots.length === 0) return <p className="hint">No office hours yet.</p>;
  async function remove(id: string) {
    await form.run(async () => {
      await removeOfficeHours(id);
      await queryClient.invalidateQueries({ queryKey: ["office-hours"] });
    });
  }
  return (
    <>
      <ul className="automation-slots" aria-label="Office hours">
        {slots.map((slot) => (
          <li key={slot.id}>
            <span>
              <strong>{WEEKDAYS[slot.weekday]}</strong> {slot.start}–{slot.end}{" "}
              <span className="hint">{slot.agent.name}</span>
            </span>
            {isOwner && slot.agent.id === myId && (
              <button
                type="button"
                className="button"
                disabled={form.busy}
                aria-label={`Remove ${WEEKDAYS[slot.weekday]} ${slot.start}–${slot.end}`}
                onClick={() => void remove(slot.id)}
              >
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      {form.formLevel && <p className="field-error">{form.formLevel}</p>}
    </>
  );
}

function AddSlot() {
  const queryClient = useQueryClient();
  const [weekday, setWeekday] = useState(0);
  const [start, setStart] = useState("09:00");
  const [end, setEnd] = useState("11:00");
  const form = useSubmit(["weekday", "start", "end"]);
  async function submit(event: FormEvent) {
    event.preventDefault();
    await form.run(async () => {
      await addOfficeHours({ weekday, start, end });
      await queryClient.invalidateQueries({ queryKey: ["office-hours"] });
    });
  }
  return (
    <form className="automation-new" aria-label="Hold office hours" onSubmit={submit} noValidate>
      <Field label="Day" error={form.fieldError("weekday")}>
        {(props) => (
          <select {...props} value={weekday} onChange={(e) => setWeekday(Number(e.target.value))}>
            {WEEKDAYS.map((day, i) => (
              <option key={day} value={i}>
                {day}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="From" error={form.fieldError("start")}>
        {(props) => <input {...props} type="time" value={start} onChange={(e) => setStart(e.target.value)} />}
      </Field>
      <Field label="Until" error={form.fieldError("end")}>
        {(props) => <input {...props} type="time" value={end} onChange={(e) => setEnd(e.target.value)} />}
      </Field>
      <button type="submit" className="button button-primary" disabled={form.busy}>
        Add my hours
      </button>
      <FormStatus problem={form.formLevel} saved={form.saved} />
    </form>
  );
}

function PresenceReport() {
  const report = useQuery({
    queryKey: ["office-hours", "report"],
    queryFn: ({ signal }) => presenceReport(8, signal),
  });
  if (report.isPending) return <p className="hint automation-empty">Loading…</p>;
  if (report.isError) return <p className="field-error automation-empty">{report.error.message}</p>;
  const founders = new Map<string, string>();
  for (const week of report.data.weeks) for (const f of week.founders) founders.set(f.agent.id, f.agent.name);
  return (
    <section className="automation-detail" aria-labelledby="presence-title">
      <h2 id="presence-title">Founder present, week by week</h2>
      {founders.size === 0 ? (
        <p className="hint">Nobody has held office hours yet.</p>
      ) : (
        <table className="automation-report">
          <thead>
            <tr>
              <th scope="col">Week of</th>
              {[...founders].map(([id, name]) => (
                <th key={id} scope="col">
                  {name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {[...report.data.weeks].reverse().map((week) => (
              <tr key={week.week_start}>
                <th scope="row">{week.week_start}</th>
                {[...founders.keys()].map((id) => {
                  const f = week.founders.find((x) => x.agent.id === id);
                  return (
                    <td key={id}>
                      {f
                        ? `${f.sessions_held} of ${f.sessions_scheduled} sessions · ${f.chats_answered}/${f.chats_routed} chats`
                        : "—"}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="hint">
        A session counts as held when the founder answered a chat routed to them in it. Times in{" "}
        {report.data.time_zone}.
      </p>
    </section>
  );
}
