import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { api, query } from "../api/client.ts";
import { contactName } from "../api/directory.ts";
import { mergeContact, mergeConversation, splitMessage } from "../api/merge.ts";
import type { Contact, Conversation, Message, Page } from "../api/types.ts";
import type { InboxSearch } from "../lib/views.ts";
import { asApiError } from "./settings/forms.ts";

/*
 * The three ways to fix how conversations were grouped: merge another conversation of the same
 * customer into this one, split a customer message out, merge a duplicate contact into this one.
 * Each asks for confirmation, since none can be undone from the app.
 */

export function MergeIntoThisButton({
  conversation,
  other,
  myId,
}: {
  conversation: Conversation;
  other: Conversation;
  myId: string;
}) {
  const queryClient = useQueryClient();
  const [problem, setProblem] = useState<string>();
  const label = other.subject || other.preview || "(no subject)";

  async function merge() {
    if (
      !window.confirm(`Merge “${label}” (#${other.number}) into this conversation? Its messages move here.`)
    )
      return;
    setProblem(undefined);
    try {
      await mergeConversation(queryClient, myId, conversation.id, other.id);
    } catch (caught) {
      setProblem(asApiError(caught).problem.title);
    }
  }

  return (
    <>
      <button
        type="button"
        className="link-button"
        onClick={() => void merge()}
        aria-label={`Merge #${other.number} ${label} into this conversation`}
      >
        Merge here
      </button>
      {problem && (
        <span className="field-error" role="alert">
          {problem}
        </span>
      )}
    </>
  );
}

export function SplitButton({
  conversation,
  message,
  search,
}: {
  conversation: Conversation;
  message: Message;
  search: InboxSearch;
}) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [problem, setProblem] = useState<string>();

  async function split() {
    if (!window.confirm("Move this message into a new conversation of its own?")) return;
    setProblem(undefined);
    try {
      const created = await splitMessage(queryClient, conversation.id, message.id);
      await navigate({
        to: "/conversations/$conversationId",
        params: { conversationId: created.id },
        search,
      });
    } catch (caught) {
      setProblem(asApiError(caught).problem.title);
    }
  }

  return (
    <>
      <button type="button" className="link-button message-split" onClick={() => void split()}>
        Split into a new conversation
      </button>
      {problem && (
        <span className="field-error" role="alert">
          {problem}
        </span>
      )}
    </>
  );
}

/** Finds a duplicate by name or email and merges it into the conversation's contact. */
export function MergeContactForm({ contact }: { contact: Contact }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();
  const q = text.trim();
  const matches = useQuery({
    queryKey: ["contacts", "search", q],
    queryFn: ({ signal }) => api<Page<Contact>>(`/contacts${query({ q, limit: 6 })}`, { signal }),
    enabled: open && q.length >= 2,
    staleTime: 10_000,
  });
  const candidates = (matches.data?.data ?? []).filter((c) => c.id !== contact.id);

  async function merge(duplicate: Contact) {
    const name = contactName(duplicate);
    if (!window.confirm(`Merge ${name} into ${contactName(contact)}? ${name}'s conversations move here.`))
      return;
    setProblem(undefined);
    try {
      await mergeContact(queryClient, contact.id, duplicate.id);
      setDone(`${name} was merged into ${contactName(contact)}.`);
      setOpen(false);
      setText("");
    } catch (caught) {
      setProblem(asApiError(caught).problem.title);
    }
  }

  if (!open) {
    return (
      <>
        <button type="button" className="link-button" onClick={() => setOpen(true)}>
          Merge a duplicate contact…
        </button>
        <output className="hint merge-done" aria-live="polite">
          {done}
        </output>
      </>
    );
  }
  return (
    <form
      className="merge-contact"
      onSubmit={(e: FormEvent) => e.preventDefault()}
      aria-label="Merge a duplicate contact"
    >
      <label className="hint" htmlFor="merge-contact-search">
        Find the duplicate by name or email
      </label>
      <input
        id="merge-contact-search"
        value={text}
        // biome-ignore lint/a11y/noAutofocus: the field was just asked for
        autoFocus
        onChange={(e) => setText(e.target.value)}
      />
      <ul className="history" aria-label="Possible duplicates">
        {candidates.map((c) => (
          <li key={c.id}>
            <span>
              {contactName(c)} {c.email && c.name && <span className="hint">{c.email}</span>}
            </span>
            <button type="button" className="link-button" onClick={() => void merge(c)}>
              Merge {contactName(c)} here
            </button>
          </li>
        ))}
      </ul>
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      <button type="button" className="link-button" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}
