import { readJson, writeJson } from "./storage.ts";

/*
 * Desktop notifications are opt-in per agent and per browser: the agent turns them on in
 * Settings → Notifications, which asks the browser's permission. Nothing is shown without both.
 */

export interface NotificationPrefs {
  /** A conversation was assigned to me (by someone else). */
  assigned: boolean;
  /** A customer wrote in a conversation assigned to me. */
  replies: boolean;
}

const DEFAULT_PREFS: NotificationPrefs = { assigned: true, replies: true };
const key = (agentId: string) => `kw:notifications:${agentId}`;

export function notificationsSupported(): boolean {
  return typeof window !== "undefined" && "Notification" in window;
}

export function permission(): NotificationPermission | "unsupported" {
  return notificationsSupported() ? Notification.permission : "unsupported";
}

export function readPrefs(agentId: string): NotificationPrefs & { enabled: boolean } {
  const stored = readJson<Partial<NotificationPrefs> & { enabled?: boolean }>(key(agentId)) ?? {};
  return { ...DEFAULT_PREFS, ...stored, enabled: stored.enabled === true };
}

export function writePrefs(agentId: string, prefs: NotificationPrefs & { enabled: boolean }): void {
  writeJson(key(agentId), prefs);
}

/** Asks the browser once; returns whether notifications may now be shown. */
export async function requestPermission(): Promise<boolean> {
  if (!notificationsSupported()) return false;
  if (Notification.permission === "granted") return true;
  if (Notification.permission === "denied") return false;
  return (await Notification.requestPermission()) === "granted";
}

/** Shows one notification if the agent opted in to this kind and the tab is not in front. */
export function notify(
  agentId: string,
  kind: keyof NotificationPrefs,
  title: string,
  body: string,
  onClick: () => void,
): Notification | null {
  const prefs = readPrefs(agentId);
  if (!prefs.enabled || !prefs[kind] || permission() !== "granted") return null;
  if (document.visibilityState === "visible" && document.hasFocus()) return null;
  // One notification per conversation: a newer one replaces the older (same tag).
  const shown = new Notification(title, { body, tag: title });
  shown.onclick = () => {
    window.focus();
    onClick();
    shown.close();
  };
  return shown;
}
