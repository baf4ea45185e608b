import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { Field } from "../../components/Field.tsx";
import { formatDateTime } from "../../lib/time.ts";
import { DEFAULT_SEARCH } from "../../lib/views.ts";
import { useSubmit } from "../settings/forms.ts";
import {
  createRequest,
  type FeatureRequest,
  formatDays,
  formatMrr,
  getRequest,
  listNotices,
  listRequests,
  type Notice,
  type RequestStatus,
  STATUS_LABEL,
  type SortKey,
  sendNotices,
  updateNotice,
  updateRequest,
} from "./api.ts";
import "./features.css";

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

const SORTS: { value: SortKey; label: string }[] = [
  { value: "mrr", label: "MRR behind it" },
  { value: "count", label: "Customers who asked" },
  { value: "recent", label: "Latest ask" },
];

/** The prioritised list of feature requests, and the one selected: who asked, what they pay, and the ship notices. */
export function FeatureRequestsScreen() {
  const [sort, setSort] = useState<SortKey>("mrr");
  const [status, setStatus] = useState<RequestStatus | "">("");
  const [selected, setSelected] = useState<string | null>(null);
  const list = useQuery({
    queryKey: ["feature-requests", sort, status],
    queryFn: ({ signal }) => listRequests({ sort, status: status || undefined }, signal),
  });

  return (
    <main className="features" aria-labelledby="features-title">
      <section className="features-list">
        <h1 id="features-title">Feature requests</h1>
        <div className="features-controls">
          <label>
            Sort by{" "}
            <select aria-label="Sort by" value={sort} onChange={(e) => setSort(e.target.value as SortKey)}>
              {SORTS.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Status{" "}
            <select
              aria-label="Status"
              value={status}
              onChange={(e) => setStatus(e.target.value as RequestStatus | "")}
            >
              <option value="">Any</option>
              {Object.entries(STATUS_LABEL).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        </div>
        <NewRequest onCreated={setSelected} />
        {list.isPending ? (
          <p className="hint">Loading…</p>
        ) : list.isError ? (
          <p className="field-error">{list.error.message}</p>
        ) : list.data.data.length === 0 ? (
          <p className="hint">No feature requests yet. Link one from a conversation's sidebar.</p>
        ) : (
          <ol className="features-rows" aria-label="Feature requests">
            {list.data.data.map((request) => (
              <RequestRow
                key={request.id}
                request={request}
                selected={request.id === selected}
                onSelect={() => setSelected(request.id)}
              />
            ))}
          </ol>
        )}
      </section>
      {selected ? <RequestPanel id={selected} /> : <p className="hint features-empty">Choose a request.</p>}
    </main>
  );
}

function RequestRow({
  request,
  selected,
  onSelect,
}: {
  request: FeatureRequest;
  selected: boolean;
  onSelect: () => void;
}) {
  return (
    <li className={selected ? "features-row is-selected" : "features-row"}>
      <button
        type="button"
        className="features-row-button"
        aria-current={selected || undefined}
        onClick={onSelect}
      >
        <span className="features-title">{request.title}</span>
        <span className={`features-status status-${request.status}`}>{STATUS_LABEL[request.status]}</span>
        <span className="features-mrr" title="Total MRR of the companies that asked">
          {formatMrr(request.total_mrr_cents)}
        </span>
        <span className="hint">
          {request.contact_count} asked · {plural(request.company_count, "company", "companies")}
          {request.last_asked_at ? ` · last ${formatDateTime(request.last_asked_at)}` : ""}
        </span>
      </button>
    </li>
  );
}

function NewRequest({ onCreated }: { onCreated: (id: string) => void }) {
  const queryClient = useQueryClient();
  const [title, setTitle] = useState("");
  const form = useSubmit(["title"]);
  async function submit(event: FormEvent) {
    event.preventDefault();
    const ok = await form.run(async () => {
      const created = await createRequest(title.trim());
      await queryClient.invalidateQueries({ queryKey: ["feature-requests"] });
      onCreated(created.id);
    });
    if (ok) setTitle("");
  }
  return (
    <form className="features-new" onSubmit={submit} noValidate>
      <Field label="New request" error={form.fieldError("title") ?? form.formLevel}>
        {(props) => <input {...props} value={title} onChange={(e) => setTitle(e.target.value)} />}
      </Field>
      <button type="submit" className="button" disabled={form.busy || !title.trim()}>
        Add
      </button>
    </form>
  );
}

function RequestPanel({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const detail = useQuery({
    queryKey: ["feature-request", id],
    queryFn: ({ signal }) => getRequest(id, signal),
  });
  const form = useSubmit(["status"]);
  if (detail.isPending) return <p className="hint features-empty">Loading…</p>;
  if (detail.isError) return <p className="field-error features-empty">{detail.error.message}</p>;
  const request = detail.data;

  async function changeStatus(status: RequestStatus) {
    await form.run(async () => {
      await updateRequest(id, { status });
      await queryClient.invalidateQueries({ queryKey: ["feature-request", id] });
      await queryClient.invalidateQueries({ queryKey: ["feature-requests"] });
      await queryClient.invalidateQueries({ queryKey: ["feature-request-notices", id] });
    });
  }

  return (
    <section className="features-detail" aria-labelledby="request-title">
      <h2 id="request-title">{request.title}</h2>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <select
            aria-label="Request status"
            value={request.status}
            disabled={form.busy}
            onChange={(e) => void changeStatus(e.target.value as RequestStatus)}
          >
            {Object.entries(STATUS_LABEL).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
          {form.formLevel && <span className="field-error">{form.formLevel}</span>}
        </dd>
        <dt>MRR behind it</dt>
        <dd>{formatMrr(request.total_mrr_cents)}</dd>
        <dt>Asked by</dt>
        <dd>
          {plural(request.contact_count, "customer", "customers")},{" "}
          {plural(request.company_count, "company", "companies")}
        </dd>
        {request.first_ask_to_ship_ms !== null && (
          <>
            <dt>First ask to shipped</dt>
            <dd>{formatDays(request.first_ask_to_ship_ms)}</dd>
          </>
        )}
      </dl>
      <h3>Who asked</h3>
      {request.asks.length === 0 ? (
        <p className="hint">Nobody yet.</p>
      ) : (
        <ul className="features-asks" aria-label="Asks">
          {request.asks.map((ask) => (
            <li key={ask.id}>
              <strong>{ask.contact.name ?? ask.contact.email ?? "Unnamed customer"}</strong>
              {ask.company && (
                <span>
                  {" "}
                  · {ask.company.name} ({formatMrr(ask.company.mrr_cents)}/mo)
                </span>
              )}
              <span className="hint">
                {" "}
                · asked {formatDateTime(ask.asked_at)}
                {ask.linked_by ? `, linked by ${ask.linked_by.name}` : ""}
              </span>
              {ask.conversation_id && (
                <>
                  {" "}
                  <Link
                    to="/conversations/$conversationId"
                    params={{ conversationId: ask.conversation_id }}
                    search={DEFAULT_SEARCH}
                  >
                    conversation
                  </Link>
                </>
              )}
              {ask.note && <p className="hint">{ask.note}</p>}
            </li>
          ))}
        </ul>
      )}
      {request.status === "shipped" && <Notices id={id} />}
    </section>
  );
}

/** The personal emails drafted when the request shipped: edit, leave out, then send them all. */
function Notices({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const notices = useQuery({
    queryKey: ["feature-request-notices", id],
    queryFn: ({ signal }) => listNotices(id, signal),
  });
  const send = useSubmit([]);
  const [result, setResult] = useState<string | null>(null);
  const drafts = notices.data?.data.filter((n) => n.state === "draft") ?? [];

  async function sendAll() {
    await send.run(async () => {
      const sent = await sendNotices(id);
      setResult(`${sent.sent} sent${sent.skipped.length ? `, ${sent.skipped.length} skipped` : ""}`);
      await queryClient.invalidateQueries({ queryKey: ["feature-request-notices", id] });
    });
  }

  return (
    <section aria-labelledby="notices-title">
      <h3 id="notices-title">Tell everyone who asked</h3>
      {notices.data?.data.map((notice) => (
        <NoticeEditor key={notice.id} requestId={id} notice={notice} />
      ))}
      {drafts.length > 0 && (
        <button type="button" className="button button-primary" disabled={send.busy} onClick={sendAll}>
          Send {plural(drafts.length, "email", "emails")}
        </button>
      )}
      {result && <output className="hint"> {result}</output>}
      {send.formLevel && <p className="field-error">{send.formLevel}</p>}
    </section>
  );
}

function NoticeEditor({ requestId, notice }: { requestId: string; notice: Notice }) {
  const queryClient = useQueryClient();
  const [subject, setSubject] = useState(notice.subject);
  const [body, setBody] = useState(notice.body);
  const form = useSubmit(["subject", "body"]);
  const who = notice.contact.name ?? notice.contact.email ?? "Unnamed customer";
  if (notice.state !== "draft") {
    return (
      <p className="features-notice">
        <strong>{who}</strong>:{" "}
        {notice.state === "sent"
          ? `sent ${notice.sent_at ? formatDateTime(notice.sent_at) : ""}`
          : `left out (${notice.skip_reason ?? "skipped"})`}
      </p>
    );
  }
  async function save(change: { subject?: string; body?: string; skip?: boolean }) {
    await form.run(async () => {
      await updateNotice(requestId, notice.id, change);
      await queryClient.invalidateQueries({ queryKey: ["feature-request-notices", requestId] });
    });
  }
  return (
    <form
      className="features-notice"
      aria-label={`Email to ${who}`}
      onSubmit={(e) => {
        e.preventDefault();
        void save({ subject, body });
      }}
      noValidate
    >
      <p>
        To <strong>{who}</strong> {notice.contact.email ? `<${notice.contact.email}>` : "(no email address)"},
        from {notice.sender?.name ?? "you"}
      </p>
      <Field label="Subject" error={form.fieldError("subject")}>
        {(props) => <input {...props} value={subject} onChange={(e) => setSubject(e.target.value)} />}
      </Field>
      <Field label="Message" error={form.fieldError("body")}>
        {(props) => <textarea {...props} rows={7} value={body} onChange={(e) => setBody(e.target.value)} />}
      </Field>
      <button type="submit" className="button" disabled={form.busy}>
        Save draft
      </button>{" "}
      <button type="button" className="button" disabled={form.busy} onClick={() => void save({ skip: true })}>
        Leave out
      </button>
      {form.saved && <span className="hint"> Saved</span>}
      {form.formLevel && <p className="field-error">{form.formLevel}</p>}
    </form>
  );
}
