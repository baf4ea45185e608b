import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { useSession } from "../../api/session.ts";
import { DEFAULT_SEARCH } from "../../lib/views.ts";
import { ArticleEditor } from "./ArticleEditor.tsx";
import { ArticleList } from "./ArticleList.tsx";
import { CollectionsPanel } from "./CollectionsPanel.tsx";
import { HelpReports } from "./HelpReports.tsx";
import { HelpSettingsPanel } from "./HelpSettingsPanel.tsx";
import "./help-center.css";

/*
 * The help center area: articles (list and editor), collections, reports and, for owners and
 * admins, the public site's settings. One route, /help-center; the panel is in the search params
 * (?view=…, ?article=<id>|new), so every state has a URL and the back button works.
 */

export type HelpView = "articles" | "collections" | "reports" | "settings";
export interface HelpSearch {
  view?: HelpView;
  article?: string;
}

export function parseHelpSearch(raw: Record<string, unknown>): HelpSearch {
  const views: HelpView[] = ["articles", "collections", "reports", "settings"];
  const search: HelpSearch = {};
  if (typeof raw.view === "string" && views.includes(raw.view as HelpView))
    search.view = raw.view as HelpView;
  if (typeof raw.article === "string" && /^(new|[0-9a-f-]{36})$/.test(raw.article))
    search.article = raw.article;
  return search;
}

const NAV: { view: HelpView; label: string; admin?: boolean }[] = [
  { view: "articles", label: "Articles" },
  { view: "collections", label: "Collections" },
  { view: "reports", label: "Reports" },
  { view: "settings", label: "Public site", admin: true },
];

export function HelpCenterScreen() {
  const search = parseHelpSearch(useSearch({ strict: false }) as Record<string, unknown>);
  const navigate = useNavigate();
  const session = useSession();
  const admin = session.workspace.role === "owner" || session.workspace.role === "admin";
  const view = search.view ?? "articles";
  const open = (next: HelpSearch) => void navigate({ to: "/help-center", search: next });

  return (
    <main className="settings help-center">
      <nav className="settings-nav" aria-label="Help center">
        <Link to="/conversations" search={DEFAULT_SEARCH} className="settings-back">
          ← Back to conversations
        </Link>
        <h2 className="nav-heading">Help center</h2>
        <ul className="nav-list">
          {NAV.filter((entry) => admin || !entry.admin).map((entry) => (
            <li key={entry.view}>
              <Link
                to="/help-center"
                search={{ view: entry.view }}
                className="nav-item"
                aria-current={!search.article && view === entry.view ? "page" : undefined}
              >
                <span className="nav-label">{entry.label}</span>
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="settings-content">
        {search.article ? (
          <ArticleEditor
            key={search.article}
            articleId={search.article === "new" ? null : search.article}
            onOpen={(id) => open({ article: id })}
            onClose={() => open({ view: "articles" })}
          />
        ) : view === "collections" ? (
          <CollectionsPanel />
        ) : view === "reports" ? (
          <HelpReports onOpen={(id) => open({ article: id })} />
        ) : view === "settings" && admin ? (
          <HelpSettingsPanel />
        ) : (
          <ArticleList onOpen={(id) => open({ article: id })} />
        )}
      </div>
    </main>
  );
}
