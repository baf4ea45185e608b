import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { api } from "../../api/client.ts";
import { workspaceQuery } from "../../api/directory.ts";
import type { Workspace } from "../../api/types.ts";
import { Field } from "../../components/Field.tsx";
import { FormStatus } from "./FormStatus.tsx";
import { timeZones, useSubmit } from "./forms.ts";
import { SettingsCard, SettingsPage } from "./SettingsPage.tsx";

/** The workspace's name, time zone and target response time (owners and admins). */
export function WorkspaceSettings() {
  const { data: workspace } = useQuery(workspaceQuery);
  return (
    <SettingsPage title="Workspace" description="Reports and the waiting-time warnings use these.">
      {workspace ? (
        <>
          <WorkspaceForm workspace={workspace} />
          <BusinessHoursForm workspace={workspace} />
        </>
      ) : (
        <p className="hint">Loading…</p>
      )}
    </SettingsPage>
  );
}

function WorkspaceForm({ workspace }: { workspace: Workspace }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(workspace.name);
  const [timeZone, setTimeZone] = useState(workspace.settings.time_zone);
  const [target, setTarget] = useState(String(workspace.settings.target_response_minutes));
  const form = useSubmit(["name", "settings.time_zone", "settings.target_response_minutes"]);
  useEffect(() => {
    setName(workspace.name);
    setTimeZone(workspace.settings.time_zone);
    setTarget(String(workspace.settings.target_response_minutes));
  }, [workspace]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    await form.run(async () => {
      const minutes = Number(target);
      const saved = await api<Workspace>("/workspace", {
        method: "PATCH",
        body: {
          name: name.trim(),
          settings: {
            time_zone: timeZone,
            // A non-number goes to the server as is, so its message names the field.
            target_response_minutes: Number.isFinite(minutes) && target.trim() !== "" ? minutes : target,
          },
        },
      });
      queryClient.setQueryData(workspaceQuery.queryKey, saved);
    });
  }

  return (
    <SettingsCard title="General">
      <form className="settings-form" onSubmit={submit} noValidate>
        <Field label="Workspace name" error={form.fieldError("name")}>
          {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Time zone" error={form.fieldError("settings.time_zone")}>
          {(props) => (
            <select {...props} value={timeZone} onChange={(e) => setTimeZone(e.target.value)}>
              {[...new Set([timeZone, ...timeZones()])].map((zone) => (
                <option key={zone} value={zone}>
                  {zone}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="Target first response (minutes)"
          error={form.fieldError("settings.target_response_minutes")}
        >
          {(props) => (
            <input
              {...props}
              inputMode="numeric"
              value={target}
              onChange={(e) => setTarget(e.target.value)}
            />
          )}
        </Field>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={form.busy}>
            Save
          </button>
          <FormStatus problem={form.formLevel} saved={form.saved} />
        </div>
      </form>
    </SettingsCard>
  );
}

const DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;
type Day = (typeof DAYS)[number];
type DayHours = { open: boolean; from: string; to: string; extra: number };

/**
 * Opening hours per weekday (one range a day here; the API takes up to six) and holidays. Reports
 * in business hours count only these; without them they fall back to wall-clock time with a note.
 */
function BusinessHoursForm({ workspace }: { workspace: Workspace }) {
  const queryClient = useQueryClient();
  const initial = () =>
    Object.fromEntries(
      DAYS.map((day) => {
        const ranges = workspace.settings.business_hours[day] ?? [];
        return [
          day,
          {
            open: ranges.length > 0,
            from: ranges[0]?.open ?? "09:00",
            to: ranges[0]?.close ?? "17:00",
            extra: Math.max(0, ranges.length - 1),
          },
        ];
      }),
    ) as Record<Day, DayHours>;
  const [hours, setHours] = useState(initial);
  const [holidays, setHolidays] = useState(workspace.settings.holidays.join("\n"));
  const form = useSubmit(["settings.holidays", ...DAYS.map((d) => `settings.business_hours.${d}`)]);
  const setDay = (day: Day, change: Partial<DayHours>) =>
    setHours((old) => ({ ...old, [day]: { ...old[day], ...change } }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    await form.run(async () => {
      const business_hours = Object.fromEntries(
        DAYS.map((day) => [day, hours[day].open ? [{ open: hours[day].from, close: hours[day].to }] : []]),
      );
      const saved = await api<Workspace>("/workspace", {
        method: "PATCH",
        body: { settings: { business_hours, holidays: holidays.split(/\s+/).filter(Boolean) } },
      });
      queryClient.setQueryData(workspaceQuery.queryKey, saved);
    });
  }

  const dayProblem = DAYS.map((d) => form.fieldError(`settings.business_hours.${d}`)).find(Boolean);
  return (
    <SettingsCard title="Business hours">
      <form className="settings-form" onSubmit={submit} noValidate>
        <table className="hours-table">
          <tbody>
            {DAYS.map((day) => (
              <tr key={day}>
                <th scope="row">
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={hours[day].open}
                      onChange={(e) => setDay(day, { open: e.target.checked })}
                    />
                    {day[0].toUpperCase() + day.slice(1)}
                  </label>
                </th>
                <td>
                  <input
                    type="time"
                    aria-label={`${day} opens`}
                    value={hours[day].from}
                    disabled={!hours[day].open}
                    onChange={(e) => setDay(day, { from: e.target.value })}
                  />
                </td>
                <td>
                  <input
                    type="time"
                    aria-label={`${day} closes`}
                    value={hours[day].to}
                    disabled={!hours[day].open}
                    onChange={(e) => setDay(day, { to: e.target.value })}
                  />
                </td>
                <td className="hint">
                  {hours[day].extra > 0 ? `+${hours[day].extra} more set through the API` : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {dayProblem && <p className="field-error">{dayProblem}</p>}
        <Field label="Holidays (one date a day, YYYY-MM-DD)" error={form.fieldError("settings.holidays")}>
          {(props) => (
            <textarea {...props} rows={3} value={holidays} onChange={(e) => setHolidays(e.target.value)} />
          )}
        </Field>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={form.busy}>
            Save business hours
          </button>
          <FormStatus problem={form.formLevel} saved={form.saved} />
        </div>
      </form>
    </SettingsCard>
  );
}
