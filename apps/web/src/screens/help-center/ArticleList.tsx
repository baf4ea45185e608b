import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { SettingsCard, SettingsPage } from "../settings/SettingsPage.tsx";
import { articlesQuery, collectionsQuery } from "./api.ts";

/** Every article, newest change first, filtered by language and state. */
export function ArticleList({ onOpen }: { onOpen: (id: string) => void }) {
  const [language, setLanguage] = useState("");
  const [status, setStatus] = useState("");
  const { data, isPending, error } = useQuery(
    articlesQuery({ language: language || undefined, status: status || undefined }),
  );
  const { data: collections } = useQuery(collectionsQuery);
  const collectionName = new Map((collections?.data ?? []).map((c) => [c.id, c.name]));
  return (
    <SettingsPage
      title="Articles"
      description="What customers read on the help center, in every language you write."
    >
      <div className="help-toolbar">
        <button type="button" className="button button-primary" onClick={() => onOpen("new")}>
          New article
        </button>
        <label>
          Language{" "}
          <input
            value={language}
            onChange={(e) => setLanguage(e.target.value.trim().toLowerCase())}
            placeholder="any"
            size={6}
          />
        </label>
        <label>
          State{" "}
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">any</option>
            <option value="draft">draft</option>
            <option value="published">published</option>
          </select>
        </label>
      </div>
      <SettingsCard title="All articles">
        {error ? (
          <p className="form-error" role="alert">
            {error.message}
          </p>
        ) : isPending ? (
          <p className="hint">Loading…</p>
        ) : data.data.length === 0 ? (
          <p className="hint">No articles yet. Write the answer you give most often.</p>
        ) : (
          <ul className="settings-rows" aria-label="Articles">
            {data.data.map((article) => (
              <li key={article.id} className="settings-row">
                <div className="settings-row-main">
                  <button type="button" className="link-button" onClick={() => onOpen(article.id)}>
                    {article.title}
                  </button>
                  <span className="hint">
                    {" "}
                    · {article.language} · {article.status}
                    {article.collection_id ? ` · ${collectionName.get(article.collection_id) ?? ""}` : ""}
                  </span>
                </div>
              </li>
            ))}
          </ul>
        )}
      </SettingsCard>
    </SettingsPage>
  );
}
