import { Link } from "@tanstack/react-router";
import { useEffect, useRef } from "react";
import { useViewCount } from "../api/counts.ts";
import { useInboxes, useTags } from "../api/directory.ts";
import { filterOf, type InboxSearch, STATUSES, type ViewName } from "../lib/views.ts";

/** The views of the queue with their live counts (refreshed by realtime events). */
export function NavViews({
  search,
  drawerOpen,
  onNavigate,
}: {
  search: InboxSearch;
  drawerOpen: boolean;
  onNavigate: () => void;
}) {
  const inboxes = useInboxes();
  const tags = useTags();
  const ref = useRef<HTMLElement>(null);
  // On narrow screens the views open as a drawer: take the focus into it, as a menu would.
  useEffect(() => {
    if (drawerOpen) ref.current?.querySelector<HTMLElement>("[aria-current=page], a")?.focus();
  }, [drawerOpen]);
  // A view keeps its status filter when you switch between views.
  const status = search.status === "any" ? "open" : search.status;
  const viewSearch = (view: ViewName, inbox?: string): InboxSearch =>
    inbox ? { view, inbox, status } : { view, status };
  const isCurrent = (view: ViewName, inbox?: string) =>
    !search.contact && !search.tag && search.view === view && search.inbox === inbox;

  return (
    <nav className="nav" aria-label="Views" ref={ref}>
      <ul className="nav-list">
        <NavItem
          label="Mine"
          search={viewSearch("mine")}
          current={isCurrent("mine")}
          onNavigate={onNavigate}
        />
        <NavItem
          label="Unassigned"
          search={viewSearch("unassigned")}
          current={isCurrent("unassigned")}
          onNavigate={onNavigate}
        />
        <NavItem label="All" search={viewSearch("all")} current={isCurrent("all")} onNavigate={onNavigate} />
      </ul>
      {inboxes.length > 0 && (
        <>
          <h2 className="nav-heading" id="nav-inboxes">
            Inboxes
          </h2>
          <ul className="nav-list" aria-labelledby="nav-inboxes">
            {inboxes.map((inbox) => (
              <NavItem
                key={inbox.id}
                label={inbox.name}
                search={viewSearch("inbox", inbox.id)}
                current={isCurrent("inbox", inbox.id)}
                onNavigate={onNavigate}
              />
            ))}
          </ul>
        </>
      )}
      {tags.length > 0 && (
        <>
          <h2 className="nav-heading" id="nav-tags">
            Tags
          </h2>
          <ul className="nav-list" aria-labelledby="nav-tags">
            {tags.slice(0, 30).map((tag) => (
              <NavItem
                key={tag.id}
                label={`#${tag.name}`}
                search={{ view: "all", status, tag: tag.name }}
                current={!search.contact && search.tag === tag.name}
                onNavigate={onNavigate}
              />
            ))}
          </ul>
        </>
      )}
      <h2 className="nav-heading" id="nav-status">
        Status
      </h2>
      <ul className="nav-list" aria-labelledby="nav-status">
        {STATUSES.map((s) => (
          <NavItem
            key={s.value}
            label={s.label}
            search={{ ...search, status: s.value }}
            current={search.status === s.value}
            onNavigate={onNavigate}
          />
        ))}
      </ul>
      <ul className="nav-list" aria-label="More">
        <li>
          <Link to="/help-center" className="nav-item" onClick={onNavigate}>
            <span className="nav-label">Help center</span>
          </Link>
        </li>
        <li>
          <Link to="/callbacks" className="nav-item" onClick={onNavigate}>
            <span className="nav-label">Callbacks</span>
          </Link>
        </li>
        <li>
          <Link to="/feature-requests" className="nav-item" onClick={onNavigate}>
            <span className="nav-label">Feature requests</span>
          </Link>
        </li>
        <li>
          <Link to="/automation" className="nav-item" onClick={onNavigate}>
            <span className="nav-label">Automation</span>
          </Link>
        </li>
        <li>
          <Link to="/success" className="nav-item" onClick={onNavigate}>
            <span className="nav-label">Customer health</span>
          </Link>
        </li>
        <li>
          <Link to="/reports/retention" className="nav-item" onClick={onNavigate}>
            <span className="nav-label">Retention</span>
          </Link>
        </li>
      </ul>
    </nav>
  );
}

function NavItem({
  label,
  search,
  current,
  onNavigate,
}: {
  label: string;
  search: InboxSearch;
  current: boolean;
  onNavigate: () => void;
}) {
  const count = useViewCount(filterOf(search));
  return (
    <li>
      <Link
        to="/conversations"
        search={search}
        className="nav-item"
        aria-current={current ? "page" : undefined}
        aria-label={count === undefined ? label : `${label}, ${count}`}
        onClick={onNavigate}
      >
        <span className="nav-label">{label}</span>
        {count !== undefined && (
          <span className="nav-count" aria-hidden="true">
            {count}
          </span>
        )}
      </Link>
    </li>
  );
}
