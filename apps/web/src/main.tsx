import { requestFirstScreen } from "./api/first-screen.ts";
import { applyTheme, storedTheme } from "./lib/theme.ts";

/*
 * The entry script is kept tiny so that it runs as soon as it arrives: it asks for the session and
 * the inbox's first page at once, while the app's code (preloaded by index.html, see
 * vite.config.ts) downloads and starts. app.tsx then takes those answers instead of asking again.
 * index.html loads it `async`, so it runs as soon as it arrives instead of after the stylesheets.
 */
requestFirstScreen(window.location);
// After the requests: a fresh browser's first localStorage read can block for a while.
applyTheme(storedTheme());
void import("./app.tsx");
