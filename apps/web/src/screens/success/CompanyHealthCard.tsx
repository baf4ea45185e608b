import { useQuery } from "@tanstack/react-query";
import { formatDateTime } from "../../lib/time.ts";
import { companyBilling, companyHealth, flagsOf } from "./api.ts";
import { FlagBadge, HealthScore, Reasons } from "./HealthParts.tsx";
import "./success.css";

/** The company's health, flags and reasons, and an open dunning case: beside the conversation. */
export function CompanyHealthCard({ companyId }: { companyId: string }) {
  const health = useQuery({
    queryKey: ["health", companyId],
    queryFn: ({ signal }) => companyHealth(companyId, signal),
    staleTime: 30_000,
  });
  const billing = useQuery({
    queryKey: ["billing", companyId],
    queryFn: ({ signal }) => companyBilling(companyId, signal),
    staleTime: 30_000,
  });
  if (!health.data) return null;
  const open = billing.data?.dunning.find((c) => c.state === "open");
  return (
    <section className="sidebar-section" aria-label="Health">
      <h3>
        Health <HealthScore score={health.data.score} />{" "}
        {flagsOf(health.data).map((flag) => (
          <FlagBadge key={flag} flag={flag} />
        ))}
      </h3>
      <Reasons reasons={health.data.reasons} limit={4} />
      {open && (
        <p className="hint">
          Payment failed: grace period until {formatDateTime(open.grace_ends_at)}, {open.notices.length}{" "}
          reminder
          {open.notices.length === 1 ? "" : "s"} sent.
        </p>
      )}
    </section>
  );
}
