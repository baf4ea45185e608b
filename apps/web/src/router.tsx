import type { QueryClient } from "@tanstack/react-query";
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
  redirect,
} from "@tanstack/react-router";
import { sessionQuery } from "./api/session.ts";
import { DEFAULT_SEARCH, type InboxSearch, parseInboxSearch } from "./lib/views.ts";
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

const routeTree = rootRoute.addChildren([
  signInRoute,
  appRoute.addChildren([indexRoute, inboxRoute.addChildren([inboxIndexRoute, conversationRoute])]),
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
