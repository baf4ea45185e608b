import type { Conversation, Message } from "../../api/types.ts";
import { formatDateTime } from "../../lib/time.ts";
import { useVisitorTyping } from "./chat-events.ts";
import { useChatVisitor } from "./visitor-query.ts";

/**
 * Under a chat's thread: "Visitor is typing…", and whether the visitor has read the last reply
 * (or that it went to them by email because they had left).
 */
export function VisitorActivity({
  conversation,
  messages,
}: {
  conversation: Conversation;
  messages: Message[] | undefined;
}) {
  const visitor = useChatVisitor(conversation);
  const typing = useVisitorTyping(conversation.id);
  if (conversation.channel !== "chat") return null;
  const lastReply = [...(messages ?? [])].reverse().find((m) => m.kind === "outgoing");
  const readAt = visitor.data?.read_at;
  const seen = lastReply && readAt && new Date(readAt) >= new Date(lastReply.created_at);
  const emailedTo = (lastReply?.metadata as { emailed_to?: unknown } | undefined)?.emailed_to;
  const name = visitor.data?.name ?? "The visitor";
  return (
    <output
      className="visitor-activity"
      data-testid="visitor-activity"
      style={{ display: "block", padding: "4px 16px", fontSize: 13 }}
    >
      {typing && (
        <span className="visitor-typing" style={{ fontWeight: 600 }}>
          {name} is typing…
        </span>
      )}
      {lastReply && !typing && (
        <span className="hint" data-testid="read-receipt">
          {seen
            ? `Seen by ${name.toLowerCase() === "the visitor" ? "the visitor" : name} · ${formatDateTime(readAt)}`
            : typeof emailedTo === "string"
              ? `Not seen in the chat: emailed to ${emailedTo}`
              : "Not seen yet"}
        </span>
      )}
    </output>
  );
}
