import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client.ts";
import { Field } from "../../components/Field.tsx";
import { FormStatus } from "../settings/FormStatus.tsx";
import { useSubmit } from "../settings/forms.ts";
import { SettingsCard, SettingsPage } from "../settings/SettingsPage.tsx";
import { type HelpSettings, helpSettingsQuery } from "./api.ts";

const TEXT_FIELDS = [
  ["title", "Title (the workspace's name when empty)"],
  ["default_language", "Default language"],
  ["logo_url", "Logo address (https://…)"],
  ["custom_domain", "Custom domain (e.g. help.example.com, pointed at this server)"],
  ["contact_email", "“Talk to us” email"],
  ["chat_url", "“Talk to us” chat address"],
  ["callback_url", "“Talk to us” call-back request address"],
] as const;

type TextKey = (typeof TEXT_FIELDS)[number][0];

/** The public site: on or off, its look, its address and the human channels on every page. */
export function HelpSettingsPanel() {
  const { data } = useQuery(helpSettingsQuery);
  if (!data) return <p className="hint">Loading…</p>;
  return <SettingsForm settings={data} />;
}

function SettingsForm({ settings }: { settings: HelpSettings }) {
  const queryClient = useQueryClient();
  const [enabled, setEnabled] = useState(settings.enabled);
  const [color, setColor] = useState(settings.color);
  const [text, setText] = useState<Record<TextKey, string>>(
    () =>
      Object.fromEntries(TEXT_FIELDS.map(([key]) => [key, settings[key] ?? ""])) as Record<TextKey, string>,
  );
  const form = useSubmit(["enabled", "color", ...TEXT_FIELDS.map(([key]) => key)]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    await form.run(async () => {
      const body: Record<string, unknown> = { enabled, color };
      for (const [key] of TEXT_FIELDS) {
        const value = text[key].trim();
        body[key] = key === "default_language" ? value || "en" : value || null;
      }
      const saved = await api<HelpSettings>("/help-center/settings", { method: "PUT", body });
      queryClient.setQueryData(helpSettingsQuery.queryKey, saved);
    });
  }

  return (
    <SettingsPage
      title="Public site"
      description={
        <>
          Readers find it at{" "}
          <a href={settings.public_url} target="_blank" rel="noreferrer">
            {settings.public_url}
          </a>
          . Every page shows “Talk to us” with the channels below.
        </>
      }
    >
      <SettingsCard title="Help center">
        <form className="settings-form" onSubmit={submit} noValidate aria-label="Help center settings">
          <label className="checkbox">
            <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />{" "}
            Published (anyone can read the published articles)
          </label>
          {TEXT_FIELDS.map(([key, label]) => (
            <Field key={key} label={label} error={form.fieldError(key)}>
              {(props) => (
                <input
                  {...props}
                  value={text[key]}
                  onChange={(e) => setText({ ...text, [key]: e.target.value })}
                />
              )}
            </Field>
          ))}
          <Field label="Colour" error={form.fieldError("color")}>
            {(props) => (
              <input {...props} type="color" value={color} onChange={(e) => setColor(e.target.value)} />
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
    </SettingsPage>
  );
}
