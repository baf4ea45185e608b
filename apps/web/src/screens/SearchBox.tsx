import { useQuery } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { type KeyboardEvent, useEffect, useRef, useState } from "react";
import { api, query } from "../api/client.ts";
import { contactName } from "../api/directory.ts";
import type { Contact, Page } from "../api/types.ts";
import { useCommand } from "../lib/commands.ts";

/** Finds a customer by the start of their name or email and shows their conversations. */
export function SearchBox() {
  const navigate = useNavigate();
  const input = useRef<HTMLInputElement>(null);
  const [text, setText] = useState("");
  const [term, setTerm] = useState("");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);

  useEffect(() => {
    const timer = setTimeout(() => setTerm(text.trim()), 200);
    return () => clearTimeout(timer);
  }, [text]);

  const results = useQuery({
    queryKey: ["contact-search", term],
    queryFn: ({ signal }) => api<Page<Contact>>(`/contacts${query({ q: term, limit: 8 })}`, { signal }),
    enabled: term.length > 0,
    staleTime: 10_000,
  });
  const contacts = term ? (results.data?.data ?? []) : [];

  useCommand("search", () => input.current?.focus());
  useCommand("escape", () => setOpen(false), open);

  function choose(contact: Contact) {
    setOpen(false);
    setText("");
    input.current?.blur();
    void navigate({ to: "/conversations", search: { view: "all", status: "any", contact: contact.id } });
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      setOpen(true);
      setActive((i) => Math.min(i + 1, contacts.length - 1));
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      setActive((i) => Math.max(i - 1, 0));
    } else if (event.key === "Enter" && contacts[active]) {
      event.preventDefault();
      choose(contacts[active]);
    }
  }

  const expanded = open && term.length > 0;
  return (
    <search className="search">
      <label htmlFor="search-input" className="visually-hidden">
        Search customers
      </label>
      <input
        ref={input}
        id="search-input"
        type="search"
        role="combobox"
        autoComplete="off"
        placeholder="Search customers   /"
        value={text}
        aria-expanded={expanded}
        aria-controls="search-results"
        aria-autocomplete="list"
        aria-activedescendant={
          expanded && contacts[active] ? `search-option-${contacts[active].id}` : undefined
        }
        onChange={(e) => {
          setText(e.target.value);
          setActive(0);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={onKeyDown}
      />
      {expanded && (
        <div className="search-results" id="search-results" role="listbox" aria-label="Customers">
          {contacts.map((contact, index) => (
            <div
              key={contact.id}
              id={`search-option-${contact.id}`}
              role="option"
              tabIndex={-1}
              aria-selected={index === active}
              className="search-option"
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => choose(contact)}
              onKeyDown={() => {}}
            >
              <span className="search-name">{contactName(contact)}</span>
              {contact.email && contact.name && <span className="search-email">{contact.email}</span>}
            </div>
          ))}
          {results.isFetched && contacts.length === 0 && (
            <div className="search-empty">No customer starts with “{term}”.</div>
          )}
        </div>
      )}
    </search>
  );
}
