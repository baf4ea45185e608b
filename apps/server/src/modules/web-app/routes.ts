import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { AppContext } from "../../context.ts";

/** Where `vite build` writes the agent app (see scripts/build-web.js). */
export const WEB_DIST = fileURLToPath(new URL("../../../../web/dist/", import.meta.url));

/**
 * The app's page policy. Scripts and styles come only from our own files (Vite emits no inline
 * ones); connect-src 'self' covers the same-origin WebSocket; customer mail is shown only in frames
 * of our own /api/v1/messages/{id}/html, which carry their own stricter policy and sandbox.
 */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const HASHED_ASSETS = "assets/";

/**
 * Serves the agent web app at `/`: hashed assets cached for a year, every other non-API GET answered
 * with index.html so that deep links (/conversations/…) work on reload. API paths keep their
 * problem+json 404s. Registered at the root, outside /api/v1, so it needs no permission.
 */
export async function webAppRoutes(
  app: FastifyInstance,
  _ctx: AppContext,
  distDir = WEB_DIST,
): Promise<void> {
  await app.register(async (site) => {
    // serve: false: we pick the file ourselves, so the fallback and the cache policy live in one place.
    await site.register(fastifyStatic, {
      root: distDir,
      serve: false,
      preCompressed: true,
      // Our handler sets cache-control per file; without this the plugin would overwrite it.
      cacheControl: false,
    });

    site.get("/*", { schema: { hide: true } }, async (request, reply) => {
      const urlPath = request.url.split("?")[0];
      if (urlPath === "/api" || urlPath.startsWith("/api/")) return reply.callNotFound();
      const file = existingFile(distDir, urlPath);
      if (file && file !== "index.html") return sendAsset(reply, file);
      return sendIndex(reply, distDir);
    });
  });
}

/** The dist-relative path of a regular file for this URL path, or null (never outside distDir). */
function existingFile(distDir: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const relative = path.posix.normalize(decoded).replace(/^\/+/, "");
  if (!relative || relative.startsWith("..") || relative.includes("\0")) return null;
  const absolute = path.join(distDir, relative);
  if (path.relative(distDir, absolute).startsWith("..")) return null;
  try {
    return statSync(absolute).isFile() ? relative : null;
  } catch {
    return null;
  }
}

function sendAsset(reply: FastifyReply, file: string) {
  // Vite puts a content hash in every name under assets/, so those never change.
  const cache = file.startsWith(HASHED_ASSETS)
    ? "public, max-age=31536000, immutable"
    : "public, max-age=300";
  return reply.header("cache-control", cache).header("x-content-type-options", "nosniff").sendFile(file);
}

function sendIndex(reply: FastifyReply, distDir: string) {
  if (reply.request.url.startsWith(`/${HASHED_ASSETS}`)) {
    // A missing hashed file is a stale tab after a deploy: answer 404 rather than HTML that the
    // browser would try to run as a script.
    return reply.callNotFound();
  }
  reply
    .header("content-security-policy", APP_CSP)
    .header("x-content-type-options", "nosniff")
    .header("referrer-policy", "same-origin")
    .header("cache-control", "no-cache");
  if (!existsSync(path.join(distDir, "index.html"))) {
    return reply
      .status(503)
      .type("text/html; charset=utf-8")
      .send(
        "<!doctype html><title>Keepwell</title><p>The agent app is not built yet. " +
          "Run <code>npm start</code> (it builds the app) or <code>node scripts/build-web.js</code>.</p>",
      );
  }
  return reply.sendFile("index.html");
}
