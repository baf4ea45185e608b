import type { EventData } from "../../../../../packages/contracts/src/events.ts";
import type { AppContext } from "../../context.ts";

/*
 * Public pages are cached in memory per instance, keyed by workspace and URL. Any change to a
 * workspace's help center is announced as an event; every instance hears it (LISTEN/NOTIFY) and
 * drops that workspace's pages, and entries also expire on their own, so a missed event costs at
 * most a minute of staleness.
 */

const TTL_MS = 60_000;
const MAX_ENTRIES = 5_000;
export const CHANGE_EVENT = "help_center.updated";

export interface CachedPage {
  status: number;
  body: string;
  contentType: string;
  etag: string;
  location?: string;
  /** The article a page shows, so that a cached hit still counts a view. */
  articleId?: string;
  /** The body encoded once, for cached pages: sent as is on every hit. */
  bytes?: Buffer;
  /** The page's Content-Security-Policy (its stylesheet hash depends on the workspace's colour). */
  policy?: string;
}

interface Entry {
  page: CachedPage;
  expires: number;
}

export class HelpCache {
  readonly #pages = new Map<string, Entry>();
  readonly #domains = new Map<string, { workspaceId: string | null; expires: number }>();
  readonly #data = new Map<string, { value: unknown; expires: number }>();
  readonly #slugs = new Map<string, { workspace: { id: string; name: string } | null; expires: number }>();

  /** What many pages of a workspace need (settings, languages, collections), loaded once per change. */
  async memo<T>(workspaceId: string, key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const entry = this.#data.get(`${workspaceId} ${key}`);
    if (entry && entry.expires >= now) return entry.value as T;
    const value = await load();
    if (this.#data.size > MAX_ENTRIES) this.#data.clear();
    this.#data.set(`${workspaceId} ${key}`, { value, expires: now + TTL_MS });
    return value;
  }

  /** The workspace a /help/<slug> address names (a rename is seen within a minute). */
  async workspaceBySlug(
    slug: string,
    load: () => Promise<{ id: string; name: string } | undefined>,
  ): Promise<{ id: string; name: string } | undefined> {
    const now = Date.now();
    const entry = this.#slugs.get(slug);
    if (entry && entry.expires >= now) return entry.workspace ?? undefined;
    const workspace = (await load()) ?? null;
    if (this.#slugs.size > 10_000) this.#slugs.clear();
    this.#slugs.set(slug, { workspace, expires: now + TTL_MS });
    return workspace ?? undefined;
  }

  get(workspaceId: string, key: string, now: number): CachedPage | undefined {
    const entry = this.#pages.get(`${workspaceId} ${key}`);
    if (!entry) return undefined;
    if (entry.expires < now) {
      this.#pages.delete(`${workspaceId} ${key}`);
      return undefined;
    }
    return entry.page;
  }

  set(workspaceId: string, key: string, page: CachedPage, now: number): void {
    if (this.#pages.size >= MAX_ENTRIES) {
      // Maps keep insertion order: drop the oldest tenth rather than one entry per insert.
      let drop = MAX_ENTRIES / 10;
      for (const old of this.#pages.keys()) {
        this.#pages.delete(old);
        if (--drop <= 0) break;
      }
    }
    this.#pages.set(`${workspaceId} ${key}`, { page, expires: now + TTL_MS });
  }

  forgetWorkspace(workspaceId: string): void {
    const prefix = `${workspaceId} `;
    for (const key of this.#pages.keys()) if (key.startsWith(prefix)) this.#pages.delete(key);
    for (const key of this.#data.keys()) if (key.startsWith(prefix)) this.#data.delete(key);
  }

  domain(host: string, now: number): string | null | undefined {
    const entry = this.#domains.get(host);
    if (!entry || entry.expires < now) return undefined;
    return entry.workspaceId;
  }

  rememberDomain(host: string, workspaceId: string | null, now: number): void {
    if (this.#domains.size > 10_000) this.#domains.clear();
    this.#domains.set(host, { workspaceId, expires: now + TTL_MS });
  }

  forgetDomains(): void {
    this.#domains.clear();
  }
}

const caches = new WeakMap<AppContext, HelpCache>();

export function helpCache(ctx: AppContext): HelpCache {
  let cache = caches.get(ctx);
  if (!cache) {
    cache = new HelpCache();
    caches.set(ctx, cache);
  }
  return cache;
}

/** Drops this instance's copies now and tells every other instance to do the same. */
export async function announceChange(
  ctx: AppContext,
  workspaceId: string,
  data: EventData<"help_center.updated">,
): Promise<void> {
  const cache = helpCache(ctx);
  cache.forgetWorkspace(workspaceId);
  if ("settings" in data) cache.forgetDomains();
  await ctx.events.publish(workspaceId, CHANGE_EVENT, data);
}

/** Listens for changes announced by any instance. */
export function listenForChanges(ctx: AppContext): () => void {
  return ctx.events.subscribe((event) => {
    if (event.type !== CHANGE_EVENT) return;
    const cache = helpCache(ctx);
    cache.forgetWorkspace(event.workspace_id);
    if (event.data?.settings) cache.forgetDomains();
  });
}
