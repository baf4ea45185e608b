import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { Fragment } from "react";
import { api, query } from "../api/client.ts";
import { contactName, useContactAndCompany } from "../api/directory.ts";
import type { Conversation, Page } from "../api/types.ts";
import { formatDateTime } from "../lib/time.ts";
import type { InboxSearch } from "../lib/views.ts";
import { VisitorPanel } from "./chat/VisitorPanel.tsx";
import { SidebarPanels } from "./features/SidebarPanels.tsx";
import { MergeContactForm, MergeIntoThisButton } from "./MergeTools.tsx";
import { CompanyHealthCard } from "./success/CompanyHealthCard.tsx";

const money = new Intl.NumberFormat(undefined, {
  style: "currency",
  currency: "USD",
  maximumFractionDigits: 0,
});

/** Who the customer is, what they pay, and what they asked before: read while answering. */
export function CustomerSidebar({
  conversation,
  search,
  myId,
}: {
  conversation: Conversation;
  search: InboxSearch;
  myId: string;
}) {
  const { contact, company } = useContactAndCompany(conversation.contact_id);
  const history = useQuery({
    queryKey: ["conversations", "of-contact", conversation.contact_id],
    queryFn: ({ signal }) =>
      api<Page<Conversation>>(`/conversations${query({ contact_id: conversation.contact_id, limit: 11 })}`, {
        signal,
      }),
    staleTime: 30_000,
  });
  const previous = (history.data?.data ?? []).filter((c) => c.id !== conversation.id).slice(0, 10);
  const attributes = Object.entries(contact?.attributes ?? {});

  return (
    <aside className="customer-sidebar" aria-label="Customer">
      <section className="sidebar-section">
        <h3>{contactName(contact)}</h3>
        <dl className="facts">
          {contact?.email && (
            <>
              <dt>Email</dt>
              <dd>
                <a href={`mailto:${contact.email}`}>{contact.email}</a>
              </dd>
            </>
          )}
          {contact?.phone && (
            <>
              <dt>Phone</dt>
              <dd>{contact.phone}</dd>
            </>
          )}
          {attributes.map(([key, value]) => (
            <Fragment key={key}>
              <dt>{key.replaceAll("_", " ")}</dt>
              <dd>{value === null ? "—" : String(value)}</dd>
            </Fragment>
          ))}
        </dl>
        {contact && <MergeContactForm contact={contact} />}
      </section>
      <VisitorPanel conversation={conversation} />
      {company && (
        <section className="sidebar-section" aria-label="Company">
          <h3>{company.name}</h3>
          <dl className="facts">
            <dt>Plan</dt>
            <dd>{company.plan ? <span className="plan">{company.plan}</span> : "—"}</dd>
            <dt>MRR</dt>
            <dd>{money.format(company.mrr_cents / 100)}</dd>
            {company.domain && (
              <>
                <dt>Domain</dt>
                <dd>{company.domain}</dd>
              </>
            )}
          </dl>
        </section>
      )}
      {company && <CompanyHealthCard companyId={company.id} />}
      <SidebarPanels conversationId={conversation.id} contactId={conversation.contact_id} />
      <section className="sidebar-section" aria-labelledby="previous-conversations">
        <h3 id="previous-conversations">Previous conversations</h3>
        {history.isPending ? (
          <p className="hint">Loading…</p>
        ) : previous.length === 0 ? (
          <p className="hint">None: this is the first.</p>
        ) : (
          <ul className="history">
            {previous.map((c) => (
              <li key={c.id}>
                <Link to="/conversations/$conversationId" params={{ conversationId: c.id }} search={search}>
                  {c.subject || c.preview || "(no subject)"}
                </Link>
                <span className="hint">
                  {c.status} · {formatDateTime(c.last_activity_at)} ·{" "}
                  <MergeIntoThisButton conversation={conversation} other={c} myId={myId} />
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </aside>
  );
}
