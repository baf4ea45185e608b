import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import type { Contact } from "../../api/types.ts";
import { searchContacts } from "./api.ts";

/** Finds a contact by the start of their name or email; shows the choice and lets it be cleared. */
export function ContactPicker({
  label,
  value,
  onChange,
}: {
  label: string;
  value: Contact | null;
  onChange: (contact: Contact | null) => void;
}) {
  const id = useId();
  const [q, setQ] = useState("");
  const found = useQuery({
    queryKey: ["contacts", "search", q.trim()],
    queryFn: ({ signal }) => searchContacts(q.trim(), signal),
    enabled: q.trim().length > 0,
    staleTime: 30_000,
  });
  if (value) {
    return (
      <div className="automation-contact">
        <span>
          {label}: <strong>{value.name ?? value.email}</strong>
          {value.name && value.email ? <span className="hint"> {value.email}</span> : null}
        </span>{" "}
        <button type="button" className="button" onClick={() => onChange(null)}>
          Change
        </button>
      </div>
    );
  }
  return (
    <div className="automation-contact">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="search"
        placeholder="Name or email"
        value={q}
        onChange={(e) => setQ(e.target.value)}
      />
      {q.trim() && found.data && (
        <ul className="automation-matches" aria-label={`${label}: matches`}>
          {found.data.data.length === 0 && <li className="hint">No contact starts with “{q.trim()}”.</li>}
          {found.data.data.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  onChange(c);
                  setQ("");
                }}
              >
                {c.name ?? c.email} {c.name && c.email ? <span className="hint">{c.email}</span> : null}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
