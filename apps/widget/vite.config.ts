import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/*
 * Two small bundles for customer sites, built by scripts/build-widget.js (one run per entry):
 *  - loader.js: a classic script (IIFE) the embed snippet loads; it draws the launcher in a closed
 *    shadow root and creates the chat frame on first open. Budget: 5 KB gzip.
 *  - widget.js: the chat inside the frame (Preact), served from Keepwell's own origin, so the host
 *    page's CSS and scripts cannot reach it. Budget: 40 KB gzip.
 */
const root = fileURLToPath(new URL(".", import.meta.url));
const entry = process.env.KEEPWELL_WIDGET_ENTRY === "loader" ? "loader" : "widget";

export default defineConfig({
  root,
  publicDir: false,
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: false,
    target: "es2020",
    reportCompressedSize: false,
    // Library mode leaves ES output unminified by default; these bundles go to customers' visitors.
    minify: true,
    rolldownOptions: { output: { minify: true } },
    lib: {
      entry: fileURLToPath(new URL(entry === "loader" ? "src/loader.ts" : "src/main.tsx", import.meta.url)),
      formats: [entry === "loader" ? "iife" : "es"],
      name: "KeepwellLoader",
      fileName: () => `${entry}.js`,
    },
  },
});
