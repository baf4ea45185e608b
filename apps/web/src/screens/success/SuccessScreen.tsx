import { useInfiniteQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { useSession } from "../../api/session.ts";
import { isAdminRole } from "../settings/SettingsShell.tsx";
import { FLAG_LABEL, type Flag, flaggedCompanies, formatMrr } from "./api.ts";
import { HealthScore, Reasons } from "./HealthParts.tsx";
import "./success.css";

const FLAGS: Flag[] = ["at_risk", "upsell", "advocate"];
const EXPLAIN: Record<Flag, string> = {
  at_risk: "Weakest first. Each shows why, so you know what to fix first.",
  upsell: "Near their plan's limits or growing fast: ready to hear about more.",
  advocate: "Consistently great ratings and kind words: ask them for a testimonial.",
};

/** Customer health: the companies at risk, the upsell prospects and the advocates, each with reasons. */
export function SuccessScreen() {
  const [flag, setFlag] = useState<Flag>("at_risk");
  const list = useInfiniteQuery({
    queryKey: ["health", "flagged", flag],
    queryFn: ({ pageParam, signal }) => flaggedCompanies(flag, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const companies = list.data?.pages.flatMap((p) => p.data) ?? [];
  const admin = isAdminRole(useSession().workspace.role);

  return (
    <main className="success" aria-labelledby="success-title">
      <h1 id="success-title">Customer health</h1>
      {admin && (
        <p className="hint">
          The score's weights, thresholds and plans are in{" "}
          <Link to="/settings/health">Settings → Customer health</Link>.
        </p>
      )}
      <nav className="success-tabs" aria-label="Flags">
        {FLAGS.map((f) => (
          <a
            key={f}
            href={`#${f}`}
            aria-current={f === flag ? "page" : undefined}
            onClick={(event) => {
              event.preventDefault();
              setFlag(f);
            }}
          >
            {FLAG_LABEL[f]}
          </a>
        ))}
      </nav>
      <p className="hint">{EXPLAIN[flag]}</p>
      {list.isPending ? (
        <p className="hint">Loading…</p>
      ) : list.isError ? (
        <p className="field-error">{list.error.message}</p>
      ) : companies.length === 0 ? (
        <p className="hint">No company carries this flag right now.</p>
      ) : (
        <ul className="success-list" aria-label={FLAG_LABEL[flag]}>
          {companies.map((c) => (
            <li key={c.id} className="success-company">
              <h2>
                <HealthScore score={c.score} />
                <span>{c.name}</span>
                <span className="hint">
                  {c.plan ?? "no plan"} · {formatMrr(c.mrr_cents)}/mo
                </span>
              </h2>
              <Reasons reasons={c.reasons} />
            </li>
          ))}
        </ul>
      )}
      {list.hasNextPage && (
        <button type="button" onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          More
        </button>
      )}
    </main>
  );
}
