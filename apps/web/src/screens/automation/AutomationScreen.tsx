import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { BroadcastsPanel } from "./BroadcastsPanel.tsx";
import { OfficeHoursPanel } from "./OfficeHoursPanel.tsx";
import { SequencesPanel } from "./SequencesPanel.tsx";
import "./automation.css";

type AutomationView = "sequences" | "broadcasts" | "office-hours";

/* The router (router.tsx) keeps the open tab and sequence in the address bar. */
const VIEWS: { value: AutomationView; label: string }[] = [
  { value: "sequences", label: "Sequences" },
  { value: "broadcasts", label: "Broadcasts" },
  { value: "office-hours", label: "Office hours" },
];

/** Lifecycle email and founder presence: sequences, broadcasts, office hours. */
export function AutomationScreen() {
  const search = useSearch({ from: "/app/automation" });
  const navigate = useNavigate({ from: "/automation" });
  const view = search.view ?? "sequences";
  return (
    <main className="automation" aria-labelledby="automation-title">
      <header className="automation-header">
        <h1 id="automation-title">Automation</h1>
        <nav aria-label="Automation">
          <ul className="automation-tabs">
            {VIEWS.map((v) => (
              <li key={v.value}>
                <Link
                  to="/automation"
                  search={{ view: v.value }}
                  aria-current={v.value === view ? "page" : undefined}
                  className="automation-tab"
                >
                  {v.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      {view === "sequences" && (
        <SequencesPanel
          selected={search.sequence}
          onSelect={(id) => void navigate({ search: { view: "sequences", sequence: id } })}
        />
      )}
      {view === "broadcasts" && <BroadcastsPanel />}
      {view === "office-hours" && <OfficeHoursPanel />}
    </main>
  );
}
