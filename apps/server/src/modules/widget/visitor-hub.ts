import type { WebSocket } from "ws";
import type { AppContext } from "../../context.ts";
import { Problem } from "../../lib/errors.ts";
import type { WorkspaceEvent } from "../../events/types.ts";
import { chatSurveyOf, commentChatSurvey, rateChatSurvey } from "../surveys/chat.ts";
import { availabilityOf } from "./availability.ts";
import {
  AgentNames,
  conversationOfVisitor,
  markReadByVisitor,
  sendVisitorMessage,
  visitorHistory,
  visitorMessage,
} from "./chat.ts";
import { RateLimiter, SharedLimits, VisitorLimits } from "./rate-limit.ts";
import type { PublicWidget } from "./settings.ts";
import {
  rememberVisitorEmail,
  setVisitorAttributes,
  setVisitorContext,
  type Visitor,
  visitorOfToken,
} from "./visitors.ts";

/*
 * Visitors' sockets. A socket authenticates with its first frame ({type:"auth", token, after}) so the
 * token never sits in a URL (and in access logs). The hub hears every workspace event through the
 * event bus (so replies made on any instance arrive) and passes on only what belongs to the
 * conversation the socket's visitor owns: messages they may read, agents' typing and read state.
 */

export const VisitorCloseCodes = {
  unauthorized: 4401,
  tooSlow: 4408,
  authTimeout: 4400,
} as const;

const AUTH_TIMEOUT_MS = 10_000;
const TYPING_REPEAT_MS = 2_000;
const MAX_BUFFERED_BYTES = 1024 * 1024;
const HEARTBEAT_MS = 30_000;

interface VisitorConnection {
  socket: WebSocket;
  widget: PublicWidget;
  ip: string;
  userAgent: string | undefined;
  visitor: Visitor | null;
  conversationId: string | null;
  alive: boolean;
  typedAt: number;
  /** Messages of this socket being written: their own events need no fetch, the ack carries them. */
  inFlight: number;
  /** Set on close: a frame still being handled must not put the socket back into the indexes. */
  closed: boolean;
  /** Frames are handled one after another, so a visitor's messages keep their order. */
  queue: Promise<void>;
}

type Frame = Record<string, unknown> & { type: string };

export class VisitorHub {
  readonly #ctx: AppContext;
  readonly names = new AgentNames();
  readonly #byConversation = new Map<string, Set<VisitorConnection>>();
  readonly #byVisitor = new Map<string, Set<VisitorConnection>>();
  readonly #all = new Set<VisitorConnection>();
  /** Messages (and uploads) per visitor and per address, shared by every instance. */
  readonly limits: SharedLimits;
  readonly #framesPerSocket = new RateLimiter(60, 10_000);
  #unsubscribe: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #availabilityTimers = new Map<string, NodeJS.Timeout>();

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    this.limits = new SharedLimits(ctx);
  }

  start(): void {
    this.#unsubscribe = this.#ctx.events.subscribe((event) => {
      this.#onEvent(event).catch((error) => this.#ctx.log.warn({ err: error }, "widget: event not relayed"));
    });
    this.#timer = setInterval(() => this.#heartbeat(), HEARTBEAT_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    for (const timer of this.#availabilityTimers.values()) clearTimeout(timer);
    this.#unsubscribe?.();
    for (const conn of this.#all) conn.socket.close(1001, "server shutting down");
    this.#all.clear();
  }

  get size(): number {
    return this.#all.size;
  }

  attach(socket: WebSocket, widget: PublicWidget, ip: string, userAgent?: string): void {
    const conn: VisitorConnection = {
      socket,
      widget,
      ip,
      userAgent,
      visitor: null,
      conversationId: null,
      alive: true,
      typedAt: 0,
      inFlight: 0,
      closed: false,
      queue: Promise.resolve(),
    };
    this.#all.add(conn);
    const timeout = setTimeout(() => {
      if (!conn.visitor) socket.close(VisitorCloseCodes.authTimeout, "send an auth frame first");
    }, AUTH_TIMEOUT_MS);
    socket.on("pong", () => {
      conn.alive = true;
    });
    socket.on("message", (data, isBinary) => {
      conn.alive = true;
      const frame = parseFrame(data as Buffer, isBinary);
      conn.queue = conn.queue
        .then(() => this.#onFrame(conn, frame))
        .catch((error) => this.#fail(conn, error));
    });
    socket.on("close", () => {
      clearTimeout(timeout);
      conn.closed = true;
      this.#detach(conn);
    });
  }

  async #onFrame(conn: VisitorConnection, frame: Frame | FrameError): Promise<void> {
    if (isFrameError(frame)) return this.#send(conn, { type: "error", ...frame.error });
    if (!this.#framesPerSocket.hit(`${conn.ip}|${conn.visitor?.id ?? "anon"}`)) {
      return this.#send(conn, { type: "error", code: "rate_limited", message: "Too many frames; slow down" });
    }
    if (!conn.visitor) {
      if (frame.type !== "auth") {
        return this.#send(conn, { type: "error", code: "unauthorized", message: "Send an auth frame first" });
      }
      return this.#authenticate(conn, frame);
    }
    const visitor = conn.visitor;
    switch (frame.type) {
      case "message":
        return this.#onMessage(conn, visitor, frame);
      case "typing":
        return this.#onTyping(conn, visitor);
      case "read":
        if (conn.conversationId) await markReadByVisitor(this.#ctx, visitor, conn.conversationId);
        return;
      case "email": {
        if (typeof frame.email !== "string") return this.#invalid(conn, "email", "Give an email address");
        await rememberVisitorEmail(this.#ctx, visitor, frame.email);
        return this.#send(conn, { type: "email_saved", email: visitor.email });
      }
      case "attributes":
        await setVisitorAttributes(this.#ctx, visitor, frame.attributes);
        return this.#send(conn, { type: "attributes_saved" });
      case "context":
        return this.#onContext(conn, visitor, frame);
      case "survey_rate":
      case "survey_comment":
        return this.#onSurvey(conn, visitor, frame);
      case "ping":
        return this.#send(conn, { type: "pong" });
      default:
        return this.#send(conn, {
          type: "error",
          code: "unknown_frame_type",
          message: `Unknown frame type ${JSON.stringify(frame.type)}`,
          field: "type",
        });
    }
  }

  async #authenticate(conn: VisitorConnection, frame: Frame): Promise<void> {
    const token = typeof frame.token === "string" ? frame.token : undefined;
    const visitor = await visitorOfToken(this.#ctx.db, conn.widget, token);
    if (!visitor) {
      this.#send(conn, {
        type: "error",
        code: "unauthorized",
        message: "Unknown visitor token; start a new session",
      });
      conn.socket.close(VisitorCloseCodes.unauthorized, "unknown visitor token");
      return;
    }
    conn.visitor = visitor;
    this.#index(this.#byVisitor, visitor.id, conn);
    const after = typeof frame.after === "string" ? frame.after : undefined;
    const history = await visitorHistory(this.#ctx, this.names, visitor, after);
    if (history.conversationId) this.#join(conn, history.conversationId);
    this.#send(conn, {
      type: "ready",
      visitor: {
        id: visitor.id,
        name: visitor.name,
        email: visitor.email,
        verified: visitor.externalId !== null,
      },
      conversation_id: history.conversationId,
      messages: history.messages,
      catch_up: after !== undefined,
      availability: await availabilityOf(this.#ctx, conn.widget),
      survey: history.conversationId
        ? await chatSurveyOf(this.#ctx, visitor.workspaceId, history.conversationId)
        : null,
    });
  }

  /** A click on a survey choice, or the comment after it: only on the visitor's own conversation. */
  async #onSurvey(conn: VisitorConnection, visitor: Visitor, frame: Frame): Promise<void> {
    const conversationId = conn.conversationId;
    if (!conversationId) return this.#invalid(conn, "survey_id", "There is no survey to answer");
    const survey =
      frame.type === "survey_rate"
        ? await rateChatSurvey(this.#ctx, visitor.workspaceId, conversationId, {
            survey_id: frame.survey_id,
            rating: frame.rating,
          })
        : await commentChatSurvey(this.#ctx, visitor.workspaceId, conversationId, {
            survey_id: frame.survey_id,
            comment: frame.comment,
          });
    // Every socket of the conversation shows the same answer (a second tab, a reconnect).
    for (const other of this.#byConversation.get(conversationId) ?? []) {
      this.#send(other, { type: "survey", survey });
    }
  }

  async #onMessage(conn: VisitorConnection, visitor: Visitor, frame: Frame): Promise<void> {
    const clientId = typeof frame.client_id === "string" ? frame.client_id.slice(0, 64) : undefined;
    if (typeof frame.body !== "string")
      return this.#invalid(conn, "body", "A message needs a body", clientId);
    const files = frame.attachment_ids ?? [];
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    if (!Array.isArray(files) || !files.every((id) => typeof id === "string" && uuid.test(id))) {
      return this.#invalid(conn, "attachment_ids", "attachment_ids is a list of uploaded file ids", clientId);
    }
    const verdict = await this.limits.hit([
      { rule: VisitorLimits.messagePerVisitor, key: visitor.id },
      { rule: VisitorLimits.messagePerAddress, key: conn.ip },
    ]);
    if (!verdict.allowed) {
      return this.#send(conn, {
        type: "error",
        code: "rate_limited",
        message: "You are sending messages very fast; wait a few seconds",
        client_id: clientId,
        retry_after: verdict.retryAfter,
      });
    }
    conn.inFlight += 1;
    let sent: Awaited<ReturnType<typeof sendVisitorMessage>>;
    try {
      sent = await sendVisitorMessage(this.#ctx, this.names, visitor, {
        body: frame.body,
        attachment_ids: files as string[],
        client_id: clientId,
        conversation_id: conn.conversationId,
      });
    } catch (error) {
      // A refused message (a file that is not theirs, an empty body) names the message it refuses.
      if (error instanceof Problem && error.status < 500) {
        const { code, message, field } = error;
        return this.#send(conn, { type: "error", code, message, field, client_id: clientId });
      }
      throw error;
    } finally {
      conn.inFlight -= 1;
    }
    if (sent.created || !conn.conversationId) {
      for (const other of this.#byVisitor.get(visitor.id) ?? []) this.#join(other, sent.conversationId);
    }
    this.#send(conn, { type: "ack", client_id: clientId, message: sent.message });
  }

  /** The page the visitor is on and their browser: agents see it beside the chat. */
  async #onContext(conn: VisitorConnection, visitor: Visitor, frame: Frame): Promise<void> {
    await setVisitorContext(this.#ctx, visitor, frame, conn.userAgent);
    const conversationId = conn.conversationId ?? (await conversationOfVisitor(this.#ctx.db, visitor));
    if (conversationId) {
      await this.#ctx.events.broadcast(visitor.workspaceId, "widget.visitor", {
        conversation_id: conversationId,
        visitor_id: visitor.id,
      });
    }
  }

  async #onTyping(conn: VisitorConnection, visitor: Visitor): Promise<void> {
    const now = Date.now();
    if (!conn.conversationId || now - conn.typedAt < TYPING_REPEAT_MS) return;
    conn.typedAt = now;
    await this.#ctx.events.broadcast(visitor.workspaceId, "typing", {
      conversation_id: conn.conversationId,
      contact_id: visitor.contactId,
      visitor: true,
      name: visitor.name ?? "Visitor",
    });
  }

  async #onEvent(event: WorkspaceEvent): Promise<void> {
    const conversationId =
      event.data.conversation_id ?? (event.type.startsWith("conversation.") ? event.data.id : null);
    if (event.type === "presence") return this.#onPresence(event);
    if (typeof conversationId !== "string") return;
    const conns = this.#byConversation.get(conversationId);
    if (!conns || conns.size === 0) return;
    if (event.type === "message.created") {
      const kind = event.data.kind;
      if (kind !== "incoming" && kind !== "outgoing") return;
      // The visitor's own message on their only socket: the ack brings it, no need to fetch it.
      const [only] = conns;
      if (kind === "incoming" && conns.size === 1 && only.inFlight > 0) return;
      const found = await visitorMessage(this.#ctx, this.names, event.workspace_id, String(event.data.id));
      if (!found || found.conversationId !== conversationId) return;
      for (const conn of conns) this.#send(conn, { type: "message", message: found.message });
    } else if (event.type === "typing" && typeof event.data.agent_id === "string") {
      const name = await this.names.of(this.#ctx.db, event.workspace_id, event.data.agent_id);
      for (const conn of conns) this.#send(conn, { type: "typing", agent: { name } });
    } else if (event.type === "survey.sent" && event.data.channel === "chat") {
      const survey = await chatSurveyOf(this.#ctx, event.workspace_id, conversationId);
      if (survey) for (const conn of conns) this.#send(conn, { type: "survey", survey });
    } else if (event.type === "conversation.updated" && typeof event.data.status === "string") {
      for (const conn of conns) this.#send(conn, { type: "status", status: event.data.status });
    }
  }

  /** An agent viewing the conversation has seen what the visitor wrote: a read receipt. */
  #onPresence(event: WorkspaceEvent): void {
    this.#scheduleAvailability(event.workspace_id);
    const viewing = event.data.viewing;
    if (!Array.isArray(viewing)) return;
    for (const id of viewing) {
      for (const conn of this.#byConversation.get(String(id)) ?? []) {
        this.#send(conn, { type: "seen", at: event.at });
      }
    }
  }

  /**
   * Agents coming and going change whether the widget says "online": visitors of the workspace hear
   * the new availability, computed once per widget, at most every half second per workspace.
   */
  #scheduleAvailability(workspaceId: string): void {
    if (this.#availabilityTimers.has(workspaceId)) return;
    const timer = setTimeout(() => {
      this.#availabilityTimers.delete(workspaceId);
      void this.#pushAvailability(workspaceId).catch((error) =>
        this.#ctx.log.warn({ err: error }, "widget: availability not pushed"),
      );
    }, 500);
    timer.unref();
    this.#availabilityTimers.set(workspaceId, timer);
  }

  async #pushAvailability(workspaceId: string): Promise<void> {
    const byWidget = new Map<string, VisitorConnection[]>();
    for (const conn of this.#all) {
      if (conn.widget.workspace_id !== workspaceId || !conn.visitor) continue;
      byWidget.set(conn.widget.inbox_id, [...(byWidget.get(conn.widget.inbox_id) ?? []), conn]);
    }
    for (const conns of byWidget.values()) {
      const availability = await availabilityOf(this.#ctx, conns[0].widget);
      for (const conn of conns) this.#send(conn, { type: "availability", availability });
    }
  }

  #join(conn: VisitorConnection, conversationId: string): void {
    if (conn.conversationId === conversationId) return;
    if (conn.conversationId) this.#byConversation.get(conn.conversationId)?.delete(conn);
    conn.conversationId = conversationId;
    this.#index(this.#byConversation, conversationId, conn);
  }

  #index(map: Map<string, Set<VisitorConnection>>, key: string, conn: VisitorConnection): void {
    if (conn.closed) return;
    let set = map.get(key);
    if (!set) {
      set = new Set();
      map.set(key, set);
    }
    set.add(conn);
  }

  #detach(conn: VisitorConnection): void {
    this.#all.delete(conn);
    for (const [map, key] of [
      [this.#byConversation, conn.conversationId],
      [this.#byVisitor, conn.visitor?.id],
    ] as const) {
      if (!key) continue;
      const set = map.get(key);
      set?.delete(conn);
      if (set?.size === 0) map.delete(key);
    }
  }

  #heartbeat(): void {
    for (const conn of this.#all) {
      if (!conn.alive) {
        conn.socket.terminate();
        continue;
      }
      conn.alive = false;
      conn.socket.ping();
    }
  }

  #invalid(conn: VisitorConnection, field: string, message: string, clientId?: string): void {
    this.#send(conn, { type: "error", code: "invalid_frame", message, field, client_id: clientId });
  }

  /** A refused action becomes an error frame (with its field); anything else is logged, not leaked. */
  #fail(conn: VisitorConnection, error: unknown): void {
    if (error instanceof Problem && error.status < 500) {
      this.#send(conn, { type: "error", code: error.code, message: error.message, field: error.field });
      return;
    }
    this.#ctx.log.error({ err: error }, "widget: frame failed");
    this.#send(conn, { type: "error", code: "server_error", message: "Something went wrong; try again" });
  }

  #send(conn: VisitorConnection, frame: Frame): void {
    const { socket } = conn;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      socket.close(VisitorCloseCodes.tooSlow, "too far behind; reconnect");
      return;
    }
    socket.send(JSON.stringify(frame));
  }

  /** The conversation a visitor's socket follows (tests and the benchmark use it). */
  async conversationOf(visitor: Visitor): Promise<string | null> {
    return conversationOfVisitor(this.#ctx.db, visitor);
  }
}

interface FrameError {
  error: { code: string; message: string; field?: string };
}

function isFrameError(value: Frame | FrameError): value is FrameError {
  return typeof (value as FrameError).error === "object" && !("type" in value);
}

function parseFrame(raw: Buffer, isBinary: boolean): Frame | FrameError {
  if (isBinary) return { error: { code: "malformed_frame", message: "Send frames as JSON text" } };
  let value: unknown;
  try {
    value = JSON.parse(raw.toString("utf8"));
  } catch {
    return { error: { code: "malformed_frame", message: "The frame is not valid JSON" } };
  }
  if (
    typeof value !== "object" ||
    value === null ||
    Array.isArray(value) ||
    typeof (value as Frame).type !== "string"
  ) {
    return {
      error: { code: "malformed_frame", message: 'A frame is a JSON object with a "type"', field: "type" },
    };
  }
  return value as Frame;
}
