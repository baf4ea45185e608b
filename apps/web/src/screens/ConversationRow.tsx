import { type MouseEvent, memo } from "react";
import { cardName, useCustomerCard } from "../api/cards.ts";
import type { Conversation, TeamMember } from "../api/types.ts";
import { AgentAvatar } from "../components/Avatar.tsx";
import { ChannelIcon } from "../components/icons.tsx";
import { isUnread, useSeen } from "../lib/seen.ts";
import { formatDuration, useNow } from "../lib/time.ts";

export const ROW_HEIGHT = 88;

/** Only the priorities that ask for attention are shown; "normal" and "low" stay quiet. */
export function PriorityBadge({ priority }: { priority: Conversation["priority"] }) {
  if (priority !== "urgent" && priority !== "high") return null;
  return <span className={`priority priority-${priority}`}>{priority}</span>;
}

/**
 * One conversation in the queue: who, about what, how long they have waited, and who has it.
 * A page of the queue draws dozens of these at once, so what every row would look up the same way
 * (agents, the response target, the link's search part) comes from the list instead.
 */
export const ConversationRow = memo(function ConversationRow({
  conversation: c,
  href,
  assignee,
  targetMinutes: target,
  top,
  position,
  total,
  open,
  selected,
  checked,
  onCheck,
  onFocus,
  onOpen,
}: {
  conversation: Conversation;
  /** Where the row leads, for opening in a new tab; a plain click calls onOpen instead. */
  href: string;
  assignee: TeamMember | undefined;
  targetMinutes: number;
  top: number;
  position: number;
  total: number;
  open: boolean;
  selected: boolean;
  checked: boolean;
  onCheck: (id: string, on: boolean) => void;
  onFocus: (id: string) => void;
  onOpen: (id: string) => void;
}) {
  const card = useCustomerCard(c.contact_id);
  const company = card?.company;
  const seen = useSeen();
  const now = useNow();
  const unread = isUnread(c, seen);
  const waitedMs = c.waiting_since ? now - Date.parse(c.waiting_since) : null;
  const late = waitedMs !== null && waitedMs > target * 60_000;
  const classes = [
    "row",
    unread && "row-unread",
    open && "row-open",
    selected && "row-selected",
    checked && "row-checked",
  ]
    .filter(Boolean)
    .join(" ");

  return (
    <li
      className="row-item"
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
      aria-setsize={total}
      aria-posinset={position}
    >
      <input
        type="checkbox"
        className="row-check"
        checked={checked}
        onChange={(e) => onCheck(c.id, e.target.checked)}
        aria-label={`Select the conversation with ${cardName(card)}: ${c.subject || c.preview || "no subject"}`}
      />
      <a
        id={`row-${c.id}`}
        href={href}
        className={classes}
        aria-current={open ? "page" : undefined}
        onFocus={() => onFocus(c.id)}
        onClick={(event) => {
          if (!isPlainClick(event)) return;
          event.preventDefault();
          onOpen(c.id);
        }}
      >
        <span className="row-line">
          <span className="row-unread-dot" aria-hidden="true" />
          {unread && <span className="visually-hidden">Unread. </span>}
          <span className="row-contact">{cardName(card)}</span>
          {company && (
            <span className="row-company">
              <span className="row-company-name">{company.name}</span>
              {company.plan && <span className="plan">{company.plan}</span>}
            </span>
          )}
          {waitedMs !== null ? (
            <span className={`row-wait${late ? " row-wait-late" : ""}`} title={`Target: ${target} min`}>
              <span className="visually-hidden">{late ? "Waiting past target for " : "Waiting for "}</span>
              {formatDuration(waitedMs)}
            </span>
          ) : (
            <span className="row-status">{c.status}</span>
          )}
        </span>
        <span className="row-line row-subject-line">
          <ChannelIcon channel={c.channel} />
          <span className="row-subject">{c.subject || c.preview || "(no subject)"}</span>
        </span>
        <span className="row-line row-meta">
          <PriorityBadge priority={c.priority} />
          <span className="row-assignee">
            {assignee && <AgentAvatar agentId={assignee.id} size={16} />}
            {assignee ? assignee.name : "Unassigned"}
          </span>
          {c.tags.slice(0, 3).map((t) => (
            <span key={t.id} className="tag" style={{ borderColor: t.color }}>
              {t.name}
            </span>
          ))}
          {c.tags.length > 3 && <span className="tag">+{c.tags.length - 3}</span>}
        </span>
      </a>
    </li>
  );
});

/** A click the app handles itself; with a modifier key or another button the browser opens a tab or window. */
function isPlainClick(event: MouseEvent): boolean {
  return (
    !event.defaultPrevented &&
    event.button === 0 &&
    !event.metaKey &&
    !event.ctrlKey &&
    !event.shiftKey &&
    !event.altKey
  );
}
