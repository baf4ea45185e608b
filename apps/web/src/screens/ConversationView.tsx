import { type InfiniteData, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams, useSearch } from "@tanstack/react-router";
import { useEffect } from "react";
import { conversationQuery, messagesQuery } from "../api/conversations.ts";
import { contactName, useContactAndCompany } from "../api/directory.ts";
import { useSession } from "../api/session.ts";
import type { Conversation, Page } from "../api/types.ts";
import { BackIcon, ChannelIcon } from "../components/icons.tsx";
import { markSeen } from "../lib/seen.ts";
import { parseInboxSearch } from "../lib/views.ts";
import { useCollision } from "../realtime/presence.ts";
import { useStream } from "../realtime/StreamContext.tsx";
import { Composer } from "./Composer.tsx";
import { ConversationActions } from "./ConversationActions.tsx";
import { PriorityBadge } from "./ConversationRow.tsx";
import { CustomerSidebar } from "./CustomerSidebar.tsx";
import { Thread } from "./Thread.tsx";
import { VisitorActivity } from "./chat/VisitorActivity.tsx";

export function ConversationView() {
  const { conversationId } = useParams({ strict: false }) as { conversationId: string };
  const search = parseInboxSearch(useSearch({ strict: false }) as Record<string, unknown>);
  const queryClient = useQueryClient();
  const session = useSession();
  const stream = useStream();

  const conversation = useQuery({
    ...conversationQuery(conversationId),
    // The list already holds the row: show it at once while the fresh copy loads.
    placeholderData: () => findInLists(queryClient, conversationId),
  });
  const messages = useQuery(messagesQuery(conversationId));
  const c = conversation.data;

  useEffect(() => {
    if (c) markSeen(c.id, c.last_activity_at);
  }, [c]);

  useEffect(() => {
    stream?.setViewing(conversationId);
    return () => stream?.setViewing(null);
  }, [stream, conversationId]);

  if (conversation.isError) {
    return (
      <div className="empty-pane" role="alert">
        <p>This conversation could not be opened: {conversation.error.message}</p>
        <Link to="/conversations" search={search}>
          Back to the list
        </Link>
      </div>
    );
  }
  if (!c) return <div className="empty-pane">Loading…</div>;

  return (
    <article className="conversation" aria-labelledby="conversation-title">
      <header className="conversation-header">
        <Link
          to="/conversations"
          search={search}
          className="icon-button back-button"
          aria-label="Back to the list"
        >
          <BackIcon />
        </Link>
        <div className="conversation-heading">
          <h2 id="conversation-title">{c.subject || c.preview || "(no subject)"}</h2>
          <CustomerLine conversation={c} />
        </div>
      </header>
      <CollisionNotice conversationId={c.id} myId={session.agent.id} />
      <ConversationActions conversation={c} myId={session.agent.id} />
      <div className="conversation-body">
        <div className="conversation-main">
          <Thread conversation={c} messages={messages.data} error={messages.error} search={search} />
          <VisitorActivity conversation={c} messages={messages.data} />
          <Composer key={c.id} conversation={c} myId={session.agent.id} />
        </div>
        <CustomerSidebar conversation={c} search={search} myId={session.agent.id} />
      </div>
    </article>
  );
}

/** Who else has this conversation open, so two agents do not answer the same customer at once. */
function CollisionNotice({ conversationId, myId }: { conversationId: string; myId: string }) {
  const others = useCollision(conversationId, myId);
  const watchers = others.viewing.filter((name) => !others.typing.includes(name));
  const text = [
    others.typing.length > 0 &&
      `${listNames(others.typing)} ${others.typing.length > 1 ? "are" : "is"} typing a reply…`,
    watchers.length > 0 &&
      `${listNames(watchers)} ${watchers.length > 1 ? "are" : "is"} viewing this conversation.`,
  ]
    .filter(Boolean)
    .join(" ");
  return (
    <output
      className={`collision${text ? " collision-on" : ""}${others.typing.length ? " collision-typing" : ""}`}
    >
      {text}
    </output>
  );
}

function listNames(names: string[]): string {
  return names.length <= 2 ? names.join(" and ") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

function CustomerLine({ conversation: c }: { conversation: Conversation }) {
  const { contact, company } = useContactAndCompany(c.contact_id);
  return (
    <p className="conversation-customer">
      <ChannelIcon channel={c.channel} />
      <span>#{c.number}</span>
      <PriorityBadge priority={c.priority} />
      <span className="customer-name">{contactName(contact)}</span>
      {contact?.email && contact.name && <span className="customer-email">{contact.email}</span>}
      {company && (
        <span className="row-company">
          {company.name}
          {company.plan && <span className="plan">{company.plan}</span>}
        </span>
      )}
    </p>
  );
}

function findInLists(queryClient: ReturnType<typeof useQueryClient>, id: string): Conversation | undefined {
  for (const [, data] of queryClient.getQueriesData<InfiniteData<Page<Conversation>>>({
    queryKey: ["conversations", "list"],
  })) {
    for (const page of data?.pages ?? []) {
      const found = page.data.find((c) => c.id === id);
      if (found) return found;
    }
  }
  return undefined;
}
