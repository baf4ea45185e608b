import { useEffect, useState } from "react";
import { ApiError, api } from "../../api/client.ts";
import { type Article, type SearchHit, searchArticles } from "./api.ts";
import "./help-center.css";

/*
 * Article search for the composer: type, pick an article, insert its link or its text ("walk the
 * customer through it"). The composer mounts it and receives what to insert.
 */
export function ArticlePicker({ onInsert }: { onInsert: (text: string) => void }) {
  const [q, setQ] = useState("");
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [problem, setProblem] = useState<string>();

  useEffect(() => {
    if (q.trim().length < 2) {
      setHits([]);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      searchArticles(q, controller.signal)
        .then((result) => {
          setHits(result.data);
          setProblem(undefined);
        })
        .catch((caught) => {
          if (caught instanceof ApiError) setProblem(caught.problem.title);
        });
    }, 200);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [q]);

  async function insertText(hit: SearchHit) {
    const article = await api<Article>(`/help-center/articles/${hit.id}`);
    onInsert(`${article.body_markdown}\n\n${hit.public_url}`);
  }

  return (
    <div className="help-picker">
      <input
        type="search"
        value={q}
        onChange={(e) => setQ(e.target.value)}
        placeholder="Search the help center"
        aria-label="Search the help center"
      />
      {problem && <p className="form-error">{problem}</p>}
      <ul aria-label="Articles found">
        {hits.map((hit) => (
          <li key={hit.id}>
            <strong>{hit.title}</strong> <span className="hint">{hit.language}</span>
            {/* Snippets are escaped on the server; only <mark> is markup. */}
            {/* biome-ignore lint/security/noDangerouslySetInnerHtml: escaped server-side, <mark> only */}
            <p className="hint" dangerouslySetInnerHTML={{ __html: hit.snippet }} />
            <button type="button" className="button" onClick={() => onInsert(hit.public_url)}>
              Insert link
            </button>{" "}
            <button type="button" className="button" onClick={() => void insertText(hit)}>
              Insert text
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
