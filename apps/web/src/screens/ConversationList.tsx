import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useRouter } from "@tanstack/react-router";
import { elementScroll, type Virtualizer, useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { listQuery, rowsOf } from "../api/conversations.ts";
import { contactName, contactQuery, useAgents, useInboxes, useTargetMinutes } from "../api/directory.ts";
import { CloseIcon, MenuIcon } from "../components/icons.tsx";
import { useCommand } from "../lib/commands.ts";
import { filterOf, type InboxSearch, STATUSES } from "../lib/views.ts";
import { BulkBar } from "./BulkBar.tsx";
import { ConversationRow, ROW_HEIGHT } from "./ConversationRow.tsx";

/** More rows are fetched when the viewport comes this close to the end of what is loaded. */
const PREFETCH_ROWS = 30;

/**
 * The list's size as the ResizeObserver reports it. The library's own observer also reads the size
 * at once, which forces a layout in the middle of React's commit of the first rows (a third of that
 * commit's time); the observer's first report arrives after the browser's own layout instead, and
 * until then initialRect stands.
 */
function observeSizeAfterLayout(
  instance: Virtualizer<HTMLDivElement, Element>,
  report: (rect: { width: number; height: number }) => void,
): (() => void) | undefined {
  const element = instance.scrollElement;
  if (!element) return;
  const observer = new ResizeObserver(([entry]) => {
    const box = entry?.borderBoxSize?.[0];
    if (box) report({ width: Math.round(box.inlineSize), height: Math.round(box.blockSize) });
  });
  observer.observe(element, { box: "border-box" });
  return () => observer.disconnect();
}

const scrolledLists = new WeakSet<Element>();

/**
 * The library scrolls a new list to its initial offset, 0, where a new element already is; that
 * write would force a layout in the same commit. Every later scroll goes through as usual.
 */
const scrollUnlessFresh: typeof elementScroll<HTMLDivElement> = (offset, options, instance) => {
  const element = instance.scrollElement;
  if (element && !scrolledLists.has(element)) {
    scrolledLists.add(element);
    if (offset === 0 && !options.adjustments) return;
  }
  elementScroll(offset, options, instance);
};

export function ConversationList({
  search,
  openId,
  navOpen,
  onToggleNav,
}: {
  search: InboxSearch;
  openId: string | undefined;
  navOpen: boolean;
  onToggleNav: () => void;
}) {
  const navigate = useNavigate();
  const router = useRouter();
  const filter = useMemo(() => filterOf(search), [search]);
  const list = useInfiniteQuery(listQuery(filter));
  const rows = useMemo(() => rowsOf(list.data), [list.data]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const [cursorId, setCursorId] = useState<string | undefined>(openId);
  const title = useViewTitle(search);
  const [checked, setChecked] = useState<ReadonlySet<string>>(new Set());
  const [notice, setNotice] = useState<string>();
  const filterKey = JSON.stringify(filter);
  const agents = useAgents();
  const targetMinutes = useTargetMinutes();
  // Every row links to /conversations/<id> with this view's search part, built once for all.
  const searchPart = useMemo(
    () => router.buildLocation({ to: "/conversations", search }).searchStr,
    [router, search],
  );
  const openRow = useCallback(
    (conversationId: string) =>
      void navigate({ to: "/conversations/$conversationId", params: { conversationId }, search }),
    [navigate, search],
  );

  // A selection belongs to one view; switching views starts afresh.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key stands for the filter
  useEffect(() => setChecked(new Set()), [filterKey]);
  // Rows that left the view (resolved, reassigned elsewhere) leave the selection too.
  const selected = useMemo(() => rows.filter((r) => checked.has(r.id)).map((r) => r.id), [rows, checked]);
  const toggleChecked = useCallback((id: string, on: boolean) => {
    setChecked((old) => {
      const next = new Set(old);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }, []);

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    // Before the list has a measured height, assume the window's: the first render then already
    // draws the visible rows instead of none, and the measurement only corrects the overscan.
    initialRect: { width: 0, height: window.innerHeight },
    overscan: 8,
    getItemKey: (index) => rows[index]?.id ?? index,
    observeElementRect: observeSizeAfterLayout,
    scrollToFn: scrollUnlessFresh,
  });
  const items = virtualizer.getVirtualItems();
  const lastVisible = items.length ? items[items.length - 1].index : -1;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;

  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastVisible >= rows.length - PREFETCH_ROWS)
      void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, lastVisible, rows.length]);

  useEffect(() => {
    if (openId) setCursorId(openId);
  }, [openId]);

  function moveCursor(step: 1 | -1) {
    if (rows.length === 0) return;
    const current = rows.findIndex((r) => r.id === cursorId);
    const index = current < 0 ? 0 : Math.min(rows.length - 1, Math.max(0, current + step));
    const row = rows[index];
    setCursorId(row.id);
    virtualizer.scrollToIndex(index, { align: "auto" });
    // Following the queue: with a conversation open, moving opens the next one.
    if (openId) {
      void navigate({ to: "/conversations/$conversationId", params: { conversationId: row.id }, search });
    }
    const focusRow = () => document.getElementById(`row-${row.id}`)?.focus({ preventScroll: true });
    // A row outside the rendered window appears after the scroll; one on screen takes focus at once.
    if (document.getElementById(`row-${row.id}`)) focusRow();
    else requestAnimationFrame(focusRow);
  }

  useCommand("next", () => moveCursor(1));
  useCommand("previous", () => moveCursor(-1));
  useCommand("select", () => {
    const id = cursorId ?? rows[0]?.id;
    if (id) toggleChecked(id, !checked.has(id));
  });
  useCommand("escape", () => setChecked(new Set()), selected.length > 0);
  useCommand("open", () => {
    const row = rows.find((r) => r.id === cursorId) ?? rows[0];
    if (row)
      void navigate({ to: "/conversations/$conversationId", params: { conversationId: row.id }, search });
  });

  return (
    <section className="list-pane" aria-labelledby="list-title">
      {selected.length > 0 && (
        <BulkBar
          selected={selected}
          allSelected={selected.length === rows.length}
          onSelectAll={(all) => setChecked(all ? new Set(rows.map((r) => r.id)) : new Set())}
          onClear={() => setChecked(new Set())}
          onDone={setNotice}
        />
      )}
      <output className="visually-hidden" aria-live="polite">
        {notice}
      </output>
      <div className="list-header" hidden={selected.length > 0}>
        <button
          type="button"
          className="icon-button nav-toggle"
          aria-label="Views"
          aria-expanded={navOpen}
          onClick={onToggleNav}
        >
          <MenuIcon />
        </button>
        <h1 id="list-title" className="list-title">
          {title}
        </h1>
        {list.isFetching && !list.isFetchingNextPage && (
          <span className="list-busy" role="status">
            Updating…
          </span>
        )}
      </div>
      {search.contact && <ContactFilterChip contactId={search.contact} search={search} />}
      <div ref={scrollRef} className="list-scroll" id="conversation-list" tabIndex={-1}>
        {list.isError ? (
          <div className="list-empty" role="alert">
            The conversations could not be loaded: {list.error.message}{" "}
            <button type="button" className="link-button" onClick={() => void list.refetch()}>
              Try again
            </button>
          </div>
        ) : list.isPending ? (
          <div className="list-empty">Loading conversations…</div>
        ) : rows.length === 0 ? (
          <div className="list-empty">Nothing here. Well done.</div>
        ) : (
          <ul
            className="rows"
            aria-label={`${title} conversations`}
            style={{ height: virtualizer.getTotalSize() + (hasNextPage ? ROW_HEIGHT : 0) }}
          >
            {items.map((item) => {
              const row = rows[item.index];
              return (
                <ConversationRow
                  key={row.id}
                  conversation={row}
                  href={`/conversations/${row.id}${searchPart}`}
                  assignee={row.assignee_id ? agents.find((a) => a.id === row.assignee_id) : undefined}
                  targetMinutes={targetMinutes}
                  top={item.start}
                  position={item.index + 1}
                  total={hasNextPage ? -1 : rows.length}
                  open={row.id === openId}
                  selected={row.id === cursorId}
                  checked={checked.has(row.id)}
                  onCheck={toggleChecked}
                  onFocus={setCursorId}
                  onOpen={openRow}
                />
              );
            })}
            {hasNextPage && (
              <li className="rows-more" style={{ transform: `translateY(${virtualizer.getTotalSize()}px)` }}>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => void fetchNextPage()}
                  disabled={isFetchingNextPage}
                >
                  {isFetchingNextPage ? "Loading more…" : "Load more"}
                </button>
              </li>
            )}
          </ul>
        )}
      </div>
    </section>
  );
}

function useViewTitle(search: InboxSearch): string {
  const inboxes = useInboxes();
  const status =
    search.status === "any" ? "" : ` · ${STATUSES.find((s) => s.value === search.status)?.label}`;
  if (search.contact) return `Customer${status}`;
  if (search.tag) return `#${search.tag}${status}`;
  if (search.view === "mine") return `Mine${status}`;
  if (search.view === "unassigned") return `Unassigned${status}`;
  if (search.view === "inbox")
    return `${inboxes.find((i) => i.id === search.inbox)?.name ?? "Inbox"}${status}`;
  return `All${status}`;
}

function ContactFilterChip({ contactId, search }: { contactId: string; search: InboxSearch }) {
  const contact = useQuery(contactQuery(contactId)).data;
  return (
    <div className="filter-chip">
      <span>
        Conversations of <strong>{contactName(contact)}</strong>
      </span>
      <Link
        to="/conversations"
        search={{ view: search.view === "inbox" ? "all" : search.view, status: "open" }}
        className="icon-button"
        aria-label="Clear the customer filter"
      >
        <CloseIcon />
      </Link>
    </div>
  );
}
