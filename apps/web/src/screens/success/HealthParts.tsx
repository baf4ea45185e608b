import { FLAG_LABEL, type Flag, type Reason } from "./api.ts";

/** The score with a colour band a glance can read; the number is always shown. */
export function HealthScore({ score }: { score: number }) {
  const band = score < 50 ? "low" : score < 70 ? "mid" : "high";
  return (
    <span className="health-score" data-band={band} title="Health score, 0 to 100">
      {score}
    </span>
  );
}

export function FlagBadge({ flag }: { flag: Flag }) {
  return (
    <span className="health-flag" data-flag={flag}>
      {FLAG_LABEL[flag]}
    </span>
  );
}

/** Every reason, with the points it moved the score by. */
export function Reasons({ reasons, limit }: { reasons: Reason[]; limit?: number }) {
  if (reasons.length === 0) return <p className="hint">Nothing remarkable: a steady customer.</p>;
  return (
    <ul className="health-reasons">
      {reasons.slice(0, limit).map((r) => (
        <li key={`${r.factor}-${r.text}`}>
          {r.text}
          {r.impact !== 0 && <span className="impact">{r.impact > 0 ? `+${r.impact}` : r.impact}</span>}
        </li>
      ))}
    </ul>
  );
}
