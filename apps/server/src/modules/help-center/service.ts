import type { AppContext } from "../../context.ts";
import type { Principal } from "../../http/principal.ts";
import { getWorkspace } from "../workspaces/service.ts";
import { searchArticles } from "./search.ts";
import { helpSettingsOf, publicBase } from "./settings.ts";

/** The composer's article search: any language unless one is asked for; drafts only on request. */
export async function agentSearch(
  ctx: AppContext,
  principal: Principal,
  query: { q: string; language?: string; include_drafts?: boolean; limit?: number },
) {
  const hits = await searchArticles(ctx.db, {
    workspaceId: principal.workspaceId,
    query: query.q,
    language: query.language?.toLowerCase(),
    publishedOnly: !query.include_drafts,
    limit: query.limit ?? 10,
  });
  if (hits.length === 0) return [];
  const workspace = await getWorkspace(ctx, principal.workspaceId);
  const base = publicBase(ctx, workspace.slug, await helpSettingsOf(ctx.db, principal.workspaceId));
  return hits.map((hit) => ({
    ...hit,
    public_url: `${base}/${hit.language}/articles/${encodeURIComponent(hit.slug)}`,
  }));
}
