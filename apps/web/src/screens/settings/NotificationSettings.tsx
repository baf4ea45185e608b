import { useState } from "react";
import { useSession } from "../../api/session.ts";
import {
  type NotificationPrefs,
  permission,
  readPrefs,
  requestPermission,
  writePrefs,
} from "../../lib/desktop-notifications.ts";
import { SettingsCard, SettingsPage } from "./SettingsPage.tsx";

const PERMISSION_TEXT: Record<string, string> = {
  granted: "This browser may show Keepwell's notifications.",
  denied: "This browser blocks Keepwell's notifications. Allow them in the site settings of your browser.",
  default: "The browser will ask you once when you turn them on.",
  unsupported: "This browser cannot show desktop notifications.",
};

/** Desktop notifications: opt-in, kept per agent in this browser. */
export function NotificationSettings() {
  const session = useSession();
  const agentId = session.agent.id;
  const [prefs, setPrefs] = useState(() => readPrefs(agentId));
  const [allowed, setAllowed] = useState(permission);

  function save(next: typeof prefs) {
    setPrefs(next);
    writePrefs(agentId, next);
  }

  async function toggleEnabled(enabled: boolean) {
    if (enabled) {
      const granted = await requestPermission();
      setAllowed(permission());
      save({ ...prefs, enabled: granted });
    } else {
      save({ ...prefs, enabled: false });
    }
  }

  const kind = (name: keyof NotificationPrefs, label: string) => (
    <label className="check">
      <input
        type="checkbox"
        checked={prefs[name]}
        disabled={!prefs.enabled}
        onChange={(e) => save({ ...prefs, [name]: e.target.checked })}
      />
      {label}
    </label>
  );

  return (
    <SettingsPage
      title="Notifications"
      description="Desktop notifications appear only while Keepwell is open in a tab that is not in front."
    >
      <SettingsCard title="Desktop notifications">
        <label className="check">
          <input
            type="checkbox"
            checked={prefs.enabled}
            disabled={allowed === "unsupported"}
            onChange={(e) => void toggleEnabled(e.target.checked)}
          />
          Show desktop notifications in this browser
        </label>
        <p className="hint">{PERMISSION_TEXT[allowed]}</p>
        <fieldset className="settings-fieldset">
          <legend>Notify me when</legend>
          {kind("assigned", "a conversation is assigned to me")}
          {kind("replies", "a customer replies in a conversation assigned to me")}
        </fieldset>
      </SettingsCard>
    </SettingsPage>
  );
}
