import { useAgents } from "../api/directory.ts";
import "./avatar.css";

/**
 * The agent's uploaded picture, or initials on a colour derived from the name, so an agent looks
 * the same on every screen. Decorative: the name is always written beside it.
 */
export function Avatar({ name, url, size = 28 }: { name: string; url?: string | null; size?: number }) {
  if (url) {
    return (
      <img
        className="avatar avatar-image"
        src={url}
        alt=""
        aria-hidden="true"
        width={size}
        height={size}
        style={{ width: size, height: size, objectFit: "cover" }}
      />
    );
  }
  const initials = name
    .split(/[\s@._-]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase())
    .join("");
  let hash = 0;
  for (const char of name) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return (
    <span
      className="avatar"
      aria-hidden="true"
      style={{ width: size, height: size, fontSize: size * 0.4, background: `hsl(${hash % 360} 45% 42%)` }}
    >
      {initials || "?"}
    </span>
  );
}

/** A teammate's avatar by id, from the workspace's member list (nothing while it loads). */
export function AgentAvatar({ agentId, size }: { agentId: string | null | undefined; size?: number }) {
  const agent = useAgents().find((a) => a.id === agentId);
  if (!agent) return null;
  return <Avatar name={agent.name || agent.email} url={agent.avatar_url} size={size} />;
}
