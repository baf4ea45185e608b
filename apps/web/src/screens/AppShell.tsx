import { useQueryClient } from "@tanstack/react-query";
import { Outlet, useRouter } from "@tanstack/react-router";
import { useEffect, useRef, useState } from "react";
import { sessionQuery, useSession } from "../api/session.ts";
import { commandForKey, runCommand, useCommand } from "../lib/commands.ts";
import { startSeenStore } from "../lib/seen.ts";
import { DEFAULT_SEARCH } from "../lib/views.ts";
import { catchUp, eventApplier } from "../realtime/apply-event.ts";
import { desktopNotifier } from "../realtime/desktop.ts";
import { resetPresence } from "../realtime/presence.ts";
import { StreamContext } from "../realtime/StreamContext.tsx";
import { EventStream } from "../realtime/stream.ts";
import { Header } from "./Header.tsx";
import { ShortcutsDialog } from "./ShortcutsDialog.tsx";

/** The signed-in frame: header, realtime stream, keyboard shortcuts, and the screen of the route. */
export function AppShell() {
  const session = useSession();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [stream, setStream] = useState<EventStream>();
  const [helpOpen, setHelpOpen] = useState(false);
  const agentId = session.agent.id;
  const workspaceId = session.workspace.id;

  // The unread marks are per agent; they must be loaded before the first row renders.
  const seenFor = useRef<string>(undefined);
  if (seenFor.current !== agentId) {
    startSeenStore(agentId);
    seenFor.current = agentId;
  }

  // biome-ignore lint/correctness/useExhaustiveDependencies: the socket belongs to one workspace; a switch needs a new one
  useEffect(() => {
    const apply = eventApplier(queryClient, agentId);
    const notifyDesktop = desktopNotifier(queryClient, agentId, (conversationId) => {
      void router.navigate({
        to: "/conversations/$conversationId",
        params: { conversationId },
        search: DEFAULT_SEARCH,
      });
    });
    const started = new EventStream({
      onFrame: (frame) => {
        apply(frame);
        notifyDesktop(frame);
      },
      onCatchUp: () => catchUp(queryClient),
      onSignedOut: () => {
        queryClient.clear();
        queryClient.setQueryData(sessionQuery.queryKey, null);
        void router.navigate({ to: "/sign-in", search: {} });
      },
    });
    resetPresence();
    started.start();
    setStream(started);
    return () => started.stop();
  }, [queryClient, router, agentId, workspaceId]);

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      const command = commandForKey(event);
      if (!command) return;
      // A modal dialog handles its own keys.
      if (document.querySelector("dialog[open]")) return;
      if (command === "escape") {
        const active = document.activeElement;
        if (
          active instanceof HTMLInputElement ||
          active instanceof HTMLTextAreaElement ||
          active instanceof HTMLSelectElement
        ) {
          active.blur();
        }
        runCommand("escape");
        return;
      }
      if (runCommand(command)) event.preventDefault();
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);

  useCommand("help", () => setHelpOpen(true));

  return (
    <StreamContext.Provider value={stream}>
      <div className="shell">
        <a className="skip-link" href="#conversation-list">
          Skip to the conversations
        </a>
        <Header stream={stream} onHelp={() => setHelpOpen(true)} />
        <Outlet />
        {helpOpen && <ShortcutsDialog onClose={() => setHelpOpen(false)} />}
      </div>
    </StreamContext.Provider>
  );
}
