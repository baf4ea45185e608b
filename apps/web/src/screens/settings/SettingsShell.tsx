/*
 * The settings area: /settings/<screen>, a left nav of screens and the screen on the right.
 *
 * How to add a settings screen (one route + one nav entry; nothing else to touch):
 *   1. Write the screen in your own folder, e.g. apps/web/src/screens/widget/WidgetSettings.tsx,
 *      exporting a named component. Wrap it in <SettingsPage title="Chat widget"> (./SettingsPage.tsx)
 *      for the heading and the layout; use <Field> (components/Field.tsx) for labelled inputs.
 *   2. In apps/web/src/router.tsx add one route, lazily loaded, under settingsRoute, and list it in
 *      settingsRoute.addChildren([...]) — copy the `profileSettingsRoute` lines:
 *        const widgetSettingsRoute = createRoute({
 *          getParentRoute: () => settingsRoute,
 *          path: "widget",
 *          component: lazyRouteComponent(() => import("./screens/widget/WidgetSettings.tsx"), "WidgetSettings"),
 *        });
 *   3. Add one line to SETTINGS_NAV below, in the section it belongs to:
 *        { to: "/settings/widget", label: "Chat widget", section: "Channels", admin: true },
 *      `admin: true` hides the entry from agents and viewers (the server refuses them anyway);
 *      `hiddenFor: ["viewer"]` hides it from the roles listed.
 */
import { Link, Outlet } from "@tanstack/react-router";
import { useSession } from "../../api/session.ts";
import { DEFAULT_SEARCH } from "../../lib/views.ts";

export interface SettingsNavEntry {
  to: string;
  label: string;
  section: "You" | "Workspace" | "Channels" | "Customers";
  /** Only owners and admins see it. */
  admin?: boolean;
  /** Roles that do not see it (for screens open to agents but not viewers). */
  hiddenFor?: string[];
}

export const SETTINGS_NAV: SettingsNavEntry[] = [
  { to: "/settings/profile", label: "Profile", section: "You" },
  { to: "/settings/notifications", label: "Notifications", section: "You" },
  { to: "/settings/workspace", label: "Workspace", section: "Workspace", admin: true },
  { to: "/settings/team", label: "Team & invitations", section: "Workspace", admin: true },
  { to: "/settings/tags", label: "Tags", section: "Workspace", admin: true },
  { to: "/settings/saved-replies", label: "Saved replies", section: "Workspace", admin: true },
  { to: "/settings/inboxes", label: "Inboxes", section: "Channels", admin: true },
  { to: "/settings/tokens", label: "API tokens", section: "You", hiddenFor: ["viewer"] },
  { to: "/settings/webhooks", label: "Webhooks", section: "Workspace", admin: true },
  { to: "/settings/events", label: "Event delivery", section: "Workspace", admin: true },
  { to: "/settings/widget", label: "Chat widget", section: "Channels", admin: true },
  { to: "/settings/billing", label: "Billing", section: "Customers", admin: true },
  { to: "/settings/health", label: "Customer health", section: "Customers", admin: true },
];

const SECTIONS: SettingsNavEntry["section"][] = ["You", "Workspace", "Channels", "Customers"];

export function isAdminRole(role: string): boolean {
  return role === "owner" || role === "admin";
}

export function SettingsShell() {
  const session = useSession();
  const admin = isAdminRole(session.workspace.role);
  const role = session.workspace.role;
  const visible = SETTINGS_NAV.filter((entry) => (admin || !entry.admin) && !entry.hiddenFor?.includes(role));

  return (
    <main className="settings">
      <nav className="settings-nav" aria-label="Settings">
        <Link to="/conversations" search={DEFAULT_SEARCH} className="settings-back">
          ← Back to conversations
        </Link>
        {SECTIONS.map((section) => {
          const entries = visible.filter((entry) => entry.section === section);
          if (entries.length === 0) return null;
          const headingId = `settings-nav-${section.toLowerCase()}`;
          return (
            <div key={section}>
              <h2 className="nav-heading" id={headingId}>
                {section}
              </h2>
              <ul className="nav-list" aria-labelledby={headingId}>
                {entries.map((entry) => (
                  <li key={entry.to}>
                    {/* Entries are added by other screens; their paths are checked by the router at runtime. */}
                    <Link
                      to={entry.to as "/settings"}
                      className="nav-item"
                      activeProps={{ "aria-current": "page" }}
                    >
                      <span className="nav-label">{entry.label}</span>
                    </Link>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
      </nav>
      <div className="settings-content">
        <Outlet />
      </div>
    </main>
  );
}
