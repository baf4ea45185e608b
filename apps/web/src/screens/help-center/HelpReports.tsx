import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { SettingsCard, SettingsPage } from "../settings/SettingsPage.tsx";
import { reportQuery } from "./api.ts";

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** Which articles are read and whether they help, and what readers searched for in vain. */
export function HelpReports({ onOpen }: { onOpen: (id: string) => void }) {
  const [from, setFrom] = useState(() => isoDay(new Date(Date.now() - 29 * 86_400_000)));
  const [to, setTo] = useState(() => isoDay(new Date()));
  const { data, error } = useQuery(reportQuery(from, to));
  return (
    <SettingsPage
      title="Reports"
      description="Views, “Did this answer your question?” votes, and searches that found nothing."
    >
      <div className="help-toolbar">
        <label>
          From <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error.message}
        </p>
      )}
      {data && (
        <>
          <p className="help-totals">
            <strong>{data.totals.views}</strong> views · <strong>{data.totals.helpful}</strong> helpful ·{" "}
            <strong>{data.totals.unhelpful}</strong> not helpful · <strong>{data.totals.searches}</strong>{" "}
            searches, <strong>{data.totals.searches_without_results}</strong> with no result
          </p>
          <SettingsCard title="Searches with no results (write these next)">
            {data.searches_without_results.length === 0 ? (
              <p className="hint">None: every search found something.</p>
            ) : (
              <table className="help-table">
                <thead>
                  <tr>
                    <th>Search</th>
                    <th>Language</th>
                    <th>Times</th>
                  </tr>
                </thead>
                <tbody>
                  {data.searches_without_results.map((gap) => (
                    <tr key={`${gap.language}:${gap.query}`}>
                      <td>{gap.query}</td>
                      <td>{gap.language}</td>
                      <td>{gap.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </SettingsCard>
          <SettingsCard title="Articles">
            <table className="help-table">
              <thead>
                <tr>
                  <th>Article</th>
                  <th>Views</th>
                  <th>Helpful</th>
                  <th>Not helpful</th>
                </tr>
              </thead>
              <tbody>
                {data.articles.map((row) => (
                  <tr key={row.id}>
                    <td>
                      <button type="button" className="link-button" onClick={() => onOpen(row.id)}>
                        {row.title}
                      </button>{" "}
                      <span className="hint">{row.language}</span>
                    </td>
                    <td>{row.views}</td>
                    <td>{row.helpful}</td>
                    <td>{row.unhelpful}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </SettingsCard>
          <SettingsCard title="What readers wrote">
            <ul className="settings-rows">
              {data.recent_feedback.map((entry) => (
                <li key={`${entry.article_id}:${entry.created_at}`} className="settings-row">
                  <div className="settings-row-main">
                    “{entry.comment}” <span className="hint">on {entry.title}</span>
                  </div>
                </li>
              ))}
            </ul>
          </SettingsCard>
        </>
      )}
    </SettingsPage>
  );
}
