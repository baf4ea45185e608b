import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig, type HtmlTagDescriptor, type Plugin, type Rollup } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

/*
 * The agent app. Built into apps/web/dist by scripts/build-web.js and served by the Keepwell server
 * (modules/web-app). For development against a running server: `npx vite apps/web` proxies /api.
 */
export default defineConfig({
  root,
  plugins: [react(), preloadApp()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // Inline data: URLs would be fine under the CSP, but separate files cache better.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    rolldownOptions: {
      output: {
        codeSplitting: {
          // React, the router and the query cache in one file: every screen needs them, and on a
          // first visit a dozen small shared chunks would queue behind the browser's six connections.
          groups: [
            {
              name: "framework",
              test: /node_modules[\\/](react|react-dom|scheduler|use-sync-external-store|@tanstack)[\\/]/,
            },
          ],
        },
      },
    },
  },
  server: {
    proxy: { "/api": { target: process.env.KEEPWELL_URL ?? "http://127.0.0.1:3000", ws: true } },
  },
});

/**
 * main.tsx starts the first API requests and then imports app.tsx. Vite preloads only an entry's
 * static imports, so this lists app.tsx's chunk and everything it imports statically as
 * modulepreload links: the app downloads beside the entry instead of after it.
 */
function preloadApp(): Plugin {
  return {
    name: "keepwell-preload-app",
    apply: "build",
    transformIndexHtml: {
      order: "post",
      handler(html, { bundle, chunk }): HtmlTagDescriptor[] {
        if (!bundle || !chunk) return [];
        const app = Object.values(bundle).find(
          (file): file is Rollup.OutputChunk =>
            file.type === "chunk" && (file.facadeModuleId?.endsWith("/src/app.tsx") ?? false),
        );
        if (!app) throw new Error("keepwell-preload-app: no chunk for src/app.tsx");
        const already = new Set([chunk.fileName, ...chunk.imports]);
        const scripts = new Set<string>();
        const styles = new Set<string>();
        const visit = (fileName: string) => {
          if (already.has(fileName) || scripts.has(fileName) || html.includes(fileName)) return;
          scripts.add(fileName);
          const imported = bundle[fileName];
          if (imported?.type !== "chunk") return;
          // Its CSS too, or the dynamic import would wait for a stylesheet it only then asks for.
          for (const css of imported.viteMetadata?.importedCss ?? [])
            if (!html.includes(css)) styles.add(css);
          for (const next of imported.imports) visit(next);
        };
        visit(app.fileName);
        const link = (rel: string, fileName: string): HtmlTagDescriptor => ({
          tag: "link",
          attrs: { rel, crossorigin: true, href: `/${fileName}` },
          injectTo: "head",
        });
        return [
          ...[...styles].map((fileName) => link("stylesheet", fileName)),
          ...[...scripts].map((fileName) => link("modulepreload", fileName)),
        ];
      },
    },
  };
}
