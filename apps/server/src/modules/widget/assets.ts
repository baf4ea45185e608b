import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/** Where scripts/build-widget.js writes the loader and the widget bundle. */
export const WIDGET_DIST = fileURLToPath(new URL("../../../../widget/dist/", import.meta.url));

interface Asset {
  body: Buffer;
  gzip: Buffer;
  etag: string;
  type: string;
  mtimeMs: number;
}

const cache = new Map<string, Asset>();
const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
};

/** A built widget file by its plain name (no folders), compressed once and kept while unchanged. */
export async function widgetAsset(file: string, dir = WIDGET_DIST): Promise<Asset | null> {
  if (!/^[A-Za-z0-9_-]+\.(js|css|json)$/.test(file)) return null;
  const full = path.join(dir, file);
  let mtimeMs: number;
  try {
    mtimeMs = (await stat(full)).mtimeMs;
  } catch {
    return null;
  }
  const cached = cache.get(full);
  if (cached && cached.mtimeMs === mtimeMs) return cached;
  const body = await readFile(full);
  const asset: Asset = {
    body,
    gzip: gzipSync(body, { level: 9 }),
    etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 20)}"`,
    type: TYPES[path.extname(file)] ?? "application/octet-stream",
    mtimeMs,
  };
  cache.set(full, asset);
  return asset;
}
