import type { QueryClient } from "@tanstack/react-query";
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
  redirect,
} from "@tanstack/react-router";
import { hasEarlyRequest } from "./api/client.ts";
import { listQuery } from "./api/conversations.ts";
import { listPath } from "./api/first-screen.ts";
import { sessionQuery } from "./api/session.ts";
import { DEFAULT_SEARCH, filterOf, type InboxSearch, parseInboxSearch } from "./lib/views.ts";
import { AppShell } from "./screens/AppShell.tsx";
import { InboxScreen, NoConversationOpen } from "./screens/InboxScreen.tsx";
import { NotFound, RouteError } from "./screens/RouteError.tsx";

interface RouterContext {
  queryClient: QueryClient;
}

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Outlet,
  notFoundComponent: NotFound,
  errorComponent: RouteError,
});

const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/sign-in",
  validateSearch: (raw: Record<string, unknown>): { redirect?: string } =>
    typeof raw.redirect === "string" && raw.redirect.startsWith("/") && !raw.redirect.startsWith("//")
      ? { redirect: raw.redirect }
      : {},
  beforeLoad: async ({ context }) => {
    if (await context.queryClient.ensureQueryData(sessionQuery))
      throw redirect({ to: "/conversations", search: DEFAULT_SEARCH });
  },
  component: lazyRouteComponent(() => import("./screens/SignIn.tsx"), "SignIn"),
});

/* Pages before sign-in that mail links open (screens/account). */
const forgotPasswordRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/forgot-password",
  component: lazyRouteComponent(() => import("./screens/account/ForgotPassword.tsx"), "ForgotPassword"),
});

const resetPasswordRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/reset-password",
  validateSearch: (raw: Record<string, unknown>): { token?: string } =>
    typeof raw.token === "string" ? { token: raw.token } : {},
  component: lazyRouteComponent(() => import("./screens/account/ResetPassword.tsx"), "ResetPassword"),
});

const acceptInvitationRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/accept-invitation",
  validateSearch: (raw: Record<string, unknown>): { token?: string } =>
    typeof raw.token === "string" ? { token: raw.token } : {},
  component: lazyRouteComponent(() => import("./screens/account/AcceptInvitation.tsx"), "AcceptInvitation"),
});

/** Everything behind sign-in. */
const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: "app",
  beforeLoad: async ({ context, location }) => {
    const session = await context.queryClient.ensureQueryData(sessionQuery);
    if (!session) throw redirect({ to: "/sign-in", search: { redirect: location.href } });
  },
  component: AppShell,
});

const indexRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/",
  beforeLoad: () => {
    throw redirect({ to: "/conversations", search: DEFAULT_SEARCH });
  },
});

const inboxRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/conversations",
  validateSearch: (raw: Record<string, unknown>): InboxSearch => parseInboxSearch(raw),
  loaderDeps: ({ search }) => search,
  // The list starts loading before the screen renders. On a first visit main.tsx has already asked
  // for this page, so the screen waits for it and its first render has the rows (one render, not a
  // loading state and then another). Switching views does not wait: the list shows "Loading…".
  loader: async ({ context, deps }) => {
    const filter = filterOf(deps);
    const asked = hasEarlyRequest(listPath(filter, null));
    const loading = context.queryClient.prefetchInfiniteQuery(listQuery(filter));
    if (asked) await loading;
  },
  component: InboxScreen,
});

const inboxIndexRoute = createRoute({
  getParentRoute: () => inboxRoute,
  path: "/",
  component: NoConversationOpen,
});

export const conversationRoute = createRoute({
  getParentRoute: () => inboxRoute,
  path: "$conversationId",
  component: lazyRouteComponent(() => import("./screens/ConversationView.tsx"), "ConversationView"),
});

/* The help center: articles, collections, reports, public site (screens/help-center/). */
const helpCenterRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/help-center",
  validateSearch: (
    raw: Record<string, unknown>,
  ): { view?: "articles" | "collections" | "reports" | "settings"; article?: string } =>
    Object.fromEntries(
      Object.entries(raw).filter(
        ([key, value]) => (key === "view" || key === "article") && typeof value === "string",
      ),
    ),
  component: lazyRouteComponent(
    () => import("./screens/help-center/HelpCenterScreen.tsx"),
    "HelpCenterScreen",
  ),
});

/* Feature requests, prioritised by the MRR behind them (screens/features/). */
const featureRequestsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/feature-requests",
  component: lazyRouteComponent(
    () => import("./screens/features/FeatureRequestsScreen.tsx"),
    "FeatureRequestsScreen",
  ),
});

/* Lifecycle email and founder presence: sequences, broadcasts, office hours (screens/automation/). */
const automationRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/automation",
  validateSearch: (
    raw: Record<string, unknown>,
  ): { view?: "sequences" | "broadcasts" | "office-hours"; sequence?: string } => ({
    ...(raw.view === "sequences" || raw.view === "broadcasts" || raw.view === "office-hours"
      ? { view: raw.view }
      : {}),
    ...(typeof raw.sequence === "string" ? { sequence: raw.sequence } : {}),
  }),
  component: lazyRouteComponent(
    () => import("./screens/automation/AutomationScreen.tsx"),
    "AutomationScreen",
  ),
});

/* Retention: logo and revenue retention, lost and saved MRR, cohorts (screens/reports/Retention.tsx). */
const retentionRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/reports/retention",
  component: lazyRouteComponent(() => import("./screens/reports/Retention.tsx"), "RetentionScreen"),
});

/* Customer health: at-risk, upsell and advocate companies with their reasons (screens/success/). */
const successRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/success",
  component: lazyRouteComponent(() => import("./screens/success/SuccessScreen.tsx"), "SuccessScreen"),
});

const reportsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/reports",
  component: lazyRouteComponent(() => import("./screens/reports/ReportsScreen.tsx"), "ReportsScreen"),
});

/* Settings: the shell (screens/settings/SettingsShell.tsx) explains how to add a screen. */
export const settingsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/settings",
  component: lazyRouteComponent(() => import("./screens/settings/SettingsShell.tsx"), "SettingsShell"),
});

const settingsIndexRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "/",
  beforeLoad: () => {
    throw redirect({ to: "/settings/profile" });
  },
});

const profileSettingsRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "profile",
  component: lazyRouteComponent(() => import("./screens/settings/ProfileSettings.tsx"), "ProfileSettings"),
});

const notificationSettingsRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "notifications",
  component: lazyRouteComponent(
    () => import("./screens/settings/NotificationSettings.tsx"),
    "NotificationSettings",
  ),
});

const workspaceSettingsRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "workspace",
  component: lazyRouteComponent(
    () => import("./screens/settings/WorkspaceSettings.tsx"),
    "WorkspaceSettings",
  ),
});

const teamSettingsRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "team",
  component: lazyRouteComponent(() => import("./screens/settings/TeamSettings.tsx"), "TeamSettings"),
});

const savedRepliesSettingsRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "saved-replies",
  component: lazyRouteComponent(
    () => import("./screens/settings/SavedRepliesSettings.tsx"),
    "SavedRepliesSettings",
  ),
});
const tagSettingsRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "tags",
  component: lazyRouteComponent(() => import("./screens/settings/TagSettings.tsx"), "TagSettings"),
});

const tokenSettingsRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "tokens",
  component: lazyRouteComponent(() => import("./screens/settings/TokenSettings.tsx"), "TokenSettings"),
});

const webhookSettingsRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "webhooks",
  component: lazyRouteComponent(() => import("./screens/settings/WebhookSettings.tsx"), "WebhookSettings"),
});

const eventSettingsRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "events",
  component: lazyRouteComponent(() => import("./screens/settings/EventSettings.tsx"), "EventSettings"),
});

const inboxSettingsRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "inboxes",
  component: lazyRouteComponent(() => import("./screens/settings/InboxSettings.tsx"), "InboxSettings"),
});

/* The callback queue (screens/widget/): customers waiting for a phone call, by due time. */
const callbacksRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/callbacks",
  component: lazyRouteComponent(() => import("./screens/widget/CallbackQueue.tsx"), "CallbackQueue"),
});

const widgetSettingsRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "widget",
  component: lazyRouteComponent(() => import("./screens/widget/WidgetSettings.tsx"), "WidgetSettings"),
});

const billingSettingsRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "billing",
  component: lazyRouteComponent(() => import("./screens/settings/BillingSettings.tsx"), "BillingSettings"),
});

const healthSettingsRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "health",
  component: lazyRouteComponent(() => import("./screens/settings/HealthSettings.tsx"), "HealthSettings"),
});

const routeTree = rootRoute.addChildren([
  signInRoute,
  forgotPasswordRoute,
  resetPasswordRoute,
  acceptInvitationRoute,
  appRoute.addChildren([
    indexRoute,
    inboxRoute.addChildren([inboxIndexRoute, conversationRoute]),
    reportsRoute,
    retentionRoute,
    helpCenterRoute,
    featureRequestsRoute,
    automationRoute,
    callbacksRoute,
    successRoute,
    settingsRoute.addChildren([
      settingsIndexRoute,
      savedRepliesSettingsRoute,
      profileSettingsRoute,
      notificationSettingsRoute,
      workspaceSettingsRoute,
      teamSettingsRoute,
      tagSettingsRoute,
      inboxSettingsRoute,
      tokenSettingsRoute,
      webhookSettingsRoute,
      eventSettingsRoute,
      widgetSettingsRoute,
      billingSettingsRoute,
      healthSettingsRoute,
    ]),
  ]),
]);

export function makeRouter(queryClient: QueryClient) {
  return createRouter({
    routeTree,
    context: { queryClient },
    defaultPreload: false,
    scrollRestoration: false,
  });
}

declare module "@tanstack/react-router" {
  interface Register {
    router: ReturnType<typeof makeRouter>;
  }
}
