import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ApiError, discardEarlyRequests, onUnauthorized } from "./api/client.ts";
import { sessionQuery } from "./api/session.ts";
import { makeRouter } from "./router.tsx";

/* The app itself, loaded by main.tsx once the first screen's requests are on their way. */

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not get better by asking again; a network blip might.
      retry: (count, error) =>
        !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});

const router = makeRouter(queryClient);

onUnauthorized(() => {
  queryClient.clear();
  queryClient.setQueryData(sessionQuery.queryKey, null);
  void router.navigate({ to: "/sign-in", search: { redirect: router.state.location.href } });
});

// The first screen's loaders have taken what main.tsx asked for; the rest would only go stale.
const stopWatching = router.subscribe("onResolved", () => {
  stopWatching();
  discardEarlyRequests();
});

function render() {
  const root = document.getElementById("root");
  if (!root) return;
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </StrictMode>,
  );
}

// The first screen's route is resolved (session, the list's first page) before React renders, so
// the first render already draws the screen: one render at normal priority, not an empty shell and
// then a synchronous re-render with every effect run before the browser may paint.
const firstLoad = router.load().catch(() => {
  // The router keeps the error in its state; the error screen shows it once rendered.
});
// main.tsx runs async, so with a warm cache this can arrive before the page has been parsed.
const parsed =
  document.readyState === "loading"
    ? new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve, { once: true }))
    : Promise.resolve();
void Promise.all([firstLoad, parsed]).then(render);
