import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

/*
 * The agent app. Built into apps/web/dist by scripts/build-web.js and served by the Keepwell server
 * (modules/web-app). For development against a running server: `npx vite apps/web` proxies /api.
 */
export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // Inline data: URLs would be fine under the CSP, but separate files cache better.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: {
    proxy: { "/api": { target: process.env.KEEPWELL_URL ?? "http://127.0.0.1:3000", ws: true } },
  },
});
