import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { api } from "../../api/client.ts";
import { sessionQuery } from "../../api/session.ts";
import { Field } from "../../components/Field.tsx";
import { AvatarUpload } from "../account/AvatarUpload.tsx";
import { FormStatus } from "./FormStatus.tsx";
import { timeZones, useSubmit } from "./forms.ts";
import { SettingsCard, SettingsPage } from "./SettingsPage.tsx";

interface Profile {
  id: string;
  email: string;
  name: string;
  time_zone: string;
  avatar_url: string | null;
}

const profileQuery = { queryKey: ["me"], queryFn: () => api<Profile>("/me") };

/** The agent's own name, time zone and password. */
export function ProfileSettings() {
  const { data: profile } = useQuery(profileQuery);
  return (
    <SettingsPage title="Profile" description="How your teammates and customers see you.">
      {profile ? <ProfileForm profile={profile} /> : <p className="hint">Loading…</p>}
      <PasswordForm />
    </SettingsPage>
  );
}

function ProfileForm({ profile }: { profile: Profile }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(profile.name);
  const [timeZone, setTimeZone] = useState(profile.time_zone);
  const form = useSubmit(["name", "time_zone"]);
  useEffect(() => {
    setName(profile.name);
    setTimeZone(profile.time_zone);
  }, [profile]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    await form.run(async () => {
      const saved = await api<Profile>("/me", {
        method: "PATCH",
        body: { name: name.trim(), time_zone: timeZone },
      });
      queryClient.setQueryData(profileQuery.queryKey, saved);
      // The header shows the name from the session.
      await queryClient.invalidateQueries({ queryKey: sessionQuery.queryKey });
    });
  }

  return (
    <SettingsCard title="About you">
      <form className="settings-form" onSubmit={submit} noValidate>
        <AvatarUpload name={name || profile.email} url={profile.avatar_url} />
        <Field label="Name" error={form.fieldError("name")}>
          {(props) => (
            <input
              {...props}
              name="name"
              autoComplete="name"
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          )}
        </Field>
        <Field label="Email" error={undefined}>
          {(props) => <input {...props} value={profile.email} readOnly />}
        </Field>
        <Field label="Time zone" error={form.fieldError("time_zone")}>
          {(props) => (
            <select
              {...props}
              name="time_zone"
              value={timeZone}
              onChange={(e) => setTimeZone(e.target.value)}
            >
              {[...new Set([timeZone, ...timeZones()])].map((zone) => (
                <option key={zone} value={zone}>
                  {zone}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={form.busy}>
            Save profile
          </button>
          <FormStatus problem={form.formLevel} saved={form.saved} />
        </div>
      </form>
    </SettingsCard>
  );
}

function PasswordForm() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const form = useSubmit(["password", "current_password"]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const ok = await form.run(() =>
      api("/me", { method: "PATCH", body: { password: next, current_password: current } }),
    );
    if (ok) {
      setCurrent("");
      setNext("");
    }
  }

  return (
    <SettingsCard title="Password">
      <form className="settings-form" onSubmit={submit} noValidate>
        <Field label="Current password" error={form.fieldError("current_password")}>
          {(props) => (
            <input
              {...props}
              type="password"
              autoComplete="current-password"
              value={current}
              onChange={(e) => setCurrent(e.target.value)}
            />
          )}
        </Field>
        <Field label="New password (at least 10 characters)" error={form.fieldError("password")}>
          {(props) => (
            <input
              {...props}
              type="password"
              autoComplete="new-password"
              value={next}
              onChange={(e) => setNext(e.target.value)}
            />
          )}
        </Field>
        <div className="form-actions">
          <button type="submit" className="button" disabled={form.busy}>
            Change password
          </button>
          <FormStatus problem={form.formLevel} saved={form.saved} />
        </div>
        <p className="hint">Changing it signs you out everywhere else.</p>
      </form>
    </SettingsCard>
  );
}

// Other settings screens import the avatar from here.
export { Avatar } from "../../components/Avatar.tsx";
