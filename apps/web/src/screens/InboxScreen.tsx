import { Outlet, useParams, useSearch } from "@tanstack/react-router";
import { useState } from "react";
import { useCommand } from "../lib/commands.ts";
import { parseInboxSearch } from "../lib/views.ts";
import { ConversationList } from "./ConversationList.tsx";
import { NavViews } from "./NavViews.tsx";

/**
 * The working screen: views on the left, the queue in the middle, the open conversation on the
 * right. Narrow screens show one of the three at a time (styles.css).
 */
export function InboxScreen() {
  const search = parseInboxSearch(useSearch({ strict: false }) as Record<string, unknown>);
  const { conversationId } = useParams({ strict: false }) as { conversationId?: string };
  const [navOpen, setNavOpen] = useState(false);
  useCommand("escape", () => setNavOpen(false), navOpen);

  return (
    <main className={`inbox${conversationId ? " has-open" : ""}${navOpen ? " nav-open" : ""}`}>
      <NavViews search={search} drawerOpen={navOpen} onNavigate={() => setNavOpen(false)} />
      {navOpen && (
        <button
          type="button"
          className="nav-scrim"
          aria-label="Close the views"
          onClick={() => setNavOpen(false)}
        />
      )}
      <ConversationList
        search={search}
        openId={conversationId}
        navOpen={navOpen}
        onToggleNav={() => setNavOpen((open) => !open)}
      />
      <section className="conversation-pane" aria-label="Conversation">
        <Outlet />
      </section>
    </main>
  );
}

export function NoConversationOpen() {
  return (
    <div className="empty-pane">
      <p>Pick a conversation from the list.</p>
      <p className="hint">
        <kbd>j</kbd> <kbd>k</kbd> to move, <kbd>Enter</kbd> to open, <kbd>?</kbd> for every shortcut.
      </p>
    </div>
  );
}
