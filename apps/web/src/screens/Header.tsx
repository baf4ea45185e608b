import { useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { signOut, switchWorkspace, useSession } from "../api/session.ts";
import { AgentAvatar } from "../components/Avatar.tsx";
import {
  ChartIcon,
  ContrastIcon,
  GearIcon,
  KeyboardIcon,
  MoonIcon,
  SignOutIcon,
  SunIcon,
} from "../components/icons.tsx";
import { chooseTheme, nextTheme, storedTheme, type ThemeChoice } from "../lib/theme.ts";
import { DEFAULT_SEARCH } from "../lib/views.ts";
import { type EventStream, useStreamStatus } from "../realtime/stream.ts";
import { SearchBox } from "./SearchBox.tsx";

const THEME_LABEL: Record<ThemeChoice, string> = { system: "system", light: "light", dark: "dark" };

export function Header({ stream, onHelp }: { stream: EventStream | undefined; onHelp: () => void }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const status = useStreamStatus(stream);
  const [theme, setTheme] = useState<ThemeChoice>(storedTheme);

  function cycleTheme() {
    const next = nextTheme(theme);
    chooseTheme(next);
    setTheme(next);
  }

  async function leave() {
    await signOut(queryClient).catch(() => {});
    await navigate({ to: "/sign-in", search: {} });
  }

  async function changeWorkspace(id: string) {
    await switchWorkspace(queryClient, id);
    await navigate({ to: "/conversations", search: DEFAULT_SEARCH });
  }

  return (
    <header className="top-bar">
      <div className="brand">
        <img src="/favicon.svg" alt="" width="24" height="24" />
        <span className="brand-name">Keepwell</span>
      </div>
      <SearchBox />
      <output className={`connection connection-${status}`} aria-live="polite">
        <span className="connection-dot" aria-hidden="true" />
        <span className="connection-text">
          {status === "live" ? "Live" : status === "connecting" ? "Connecting…" : "Offline, reconnecting…"}
        </span>
      </output>
      <div className="top-actions">
        {session.workspaces.length > 1 && (
          <select
            className="workspace-switch"
            aria-label="Workspace"
            value={session.workspace.id}
            onChange={(e) => void changeWorkspace(e.target.value)}
          >
            {session.workspaces.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name}
              </option>
            ))}
          </select>
        )}
        <button
          type="button"
          className="icon-button"
          onClick={cycleTheme}
          aria-label={`Theme: ${THEME_LABEL[theme]}. Switch to ${THEME_LABEL[nextTheme(theme)]}`}
          title={`Theme: ${THEME_LABEL[theme]}`}
        >
          {theme === "light" ? <SunIcon /> : theme === "dark" ? <MoonIcon /> : <ContrastIcon />}
        </button>
        <button
          type="button"
          className="icon-button"
          onClick={onHelp}
          aria-label="Keyboard shortcuts"
          title="Keyboard shortcuts (?)"
        >
          <KeyboardIcon />
        </button>
        <Link to="/reports" className="icon-button" aria-label="Reports" title="Reports">
          <ChartIcon />
        </Link>
        <Link to="/settings" className="icon-button" aria-label="Settings" title="Settings">
          <GearIcon />
        </Link>
        <Link to="/settings/profile" className="agent-name" title={`${session.agent.email}: your profile`}>
          <AgentAvatar agentId={session.agent.id} size={24} />
          <span>{session.agent.name}</span>
        </Link>
        <button
          type="button"
          className="icon-button"
          onClick={() => void leave()}
          aria-label="Sign out"
          title="Sign out"
        >
          <SignOutIcon />
        </button>
      </div>
    </header>
  );
}
