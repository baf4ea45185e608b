import { type Static, Type } from "typebox";
import { StrictObject, Timestamp, Uuid } from "./common.ts";

/*
 * GET /api/v1/stream is a WebSocket. The server sends JSON frames { type, data, at }: first a
 * "hello", then every event of the socket's workspace ("conversation.updated", "message.created", …,
 * plus the ephemeral "typing" and "presence"), and "error" when a client frame is refused.
 */

/** "I am typing in this conversation"; sent again every few seconds while typing continues. */
export const TypingFrame = StrictObject({ type: Type.Literal("typing"), conversation_id: Uuid });

/** The conversation the agent has open in this tab, or null when none. */
export const ViewingFrame = StrictObject({
  type: Type.Literal("viewing"),
  conversation_id: Type.Union([Uuid, Type.Null()]),
});

export type ClientFrame = Static<typeof TypingFrame> | Static<typeof ViewingFrame>;

export const ServerFrame = Type.Object({
  type: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
  at: Timestamp,
});

/** An agent's presence, merged over every socket they hold on every instance. */
export const AgentPresence = Type.Object({
  agent_id: Uuid,
  name: Type.String(),
  online: Type.Boolean(),
  sockets: Type.Integer({ minimum: 0 }),
  /** Conversations the agent has open, in any tab. */
  viewing: Type.Array(Uuid),
});

export type AgentPresenceState = Static<typeof AgentPresence>;

/** Close codes the server uses besides the standard ones. */
export const StreamCloseCodes = {
  /** The session ended or the token was revoked; sign in again before reconnecting. */
  credentialRevoked: 4401,
  /** The socket could not keep up with the event rate; reconnect and refetch. */
  tooSlow: 4408,
} as const;
