import { queryOptions } from "@tanstack/react-query";
import { api, query } from "../../api/client.ts";

/* The help center API as the agent app uses it (schemas: apps/server/src/modules/help-center/schemas.ts). */

export type ArticleStatus = "draft" | "published";

export interface ArticleSummary {
  id: string;
  translation_group_id: string;
  language: string;
  collection_id: string | null;
  slug: string;
  title: string;
  status: ArticleStatus;
  version: number;
  published_at: string | null;
  updated_at: string;
}

export interface Article extends ArticleSummary {
  body_markdown: string;
  body_html: string;
  position: number;
  created_at: string;
  public_url: string;
  translations: { id: string; language: string; status: ArticleStatus }[];
}

export interface Revision {
  id: string;
  version: number;
  title: string;
  slug: string;
  body_markdown: string;
  status: ArticleStatus;
  created_by: string | null;
  created_at: string;
}

export interface Collection {
  id: string;
  parent_id: string | null;
  slug: string;
  name: string;
  description: string | null;
  position: number;
}

export interface HelpSettings {
  enabled: boolean;
  title: string | null;
  custom_domain: string | null;
  logo_url: string | null;
  color: string;
  default_language: string;
  contact_email: string | null;
  chat_url: string | null;
  callback_url: string | null;
  contact_inbox_id: string | null;
  public_url: string;
}

export interface SearchHit {
  id: string;
  title: string;
  slug: string;
  language: string;
  status: ArticleStatus;
  snippet: string;
  public_url: string;
}

export interface HelpReport {
  totals: {
    views: number;
    helpful: number;
    unhelpful: number;
    searches: number;
    searches_without_results: number;
  };
  articles: {
    id: string;
    title: string;
    language: string;
    views: number;
    helpful: number;
    unhelpful: number;
  }[];
  searches_without_results: { query: string; language: string; count: number; last_at: string }[];
  recent_feedback: {
    article_id: string;
    title: string;
    helpful: boolean;
    comment: string | null;
    created_at: string;
  }[];
}

export const articlesQuery = (filter: { language?: string; status?: string; collection_id?: string }) =>
  queryOptions({
    queryKey: ["help-center", "articles", filter],
    queryFn: () =>
      api<{ data: ArticleSummary[]; next_cursor: string | null }>(
        `/help-center/articles${query({ ...filter, limit: 100 })}`,
      ),
  });

export const articleQuery = (id: string) =>
  queryOptions({
    queryKey: ["help-center", "article", id],
    queryFn: () => api<Article>(`/help-center/articles/${id}`),
  });

export const revisionsQuery = (id: string) =>
  queryOptions({
    queryKey: ["help-center", "revisions", id],
    queryFn: () => api<{ data: Revision[] }>(`/help-center/articles/${id}/revisions`),
  });

export const collectionsQuery = queryOptions({
  queryKey: ["help-center", "collections"],
  queryFn: () => api<{ data: Collection[] }>("/help-center/collections"),
});

export const helpSettingsQuery = queryOptions({
  queryKey: ["help-center", "settings"],
  queryFn: () => api<HelpSettings>("/help-center/settings"),
});

export const reportQuery = (from: string, to: string) =>
  queryOptions({
    queryKey: ["help-center", "report", from, to],
    queryFn: () => api<HelpReport>(`/help-center/reports${query({ from, to })}`),
  });

export function searchArticles(q: string, signal?: AbortSignal) {
  return api<{ data: SearchHit[] }>(`/help-center/search${query({ q, limit: 8 })}`, { signal });
}

export function previewMarkdown(markdown: string, signal?: AbortSignal) {
  return api<{ body_html: string }>("/help-center/preview", {
    method: "POST",
    body: { body_markdown: markdown },
    signal,
  });
}
