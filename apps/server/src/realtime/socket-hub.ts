import { randomUUID } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { WebSocket } from "ws";
import {
  type AgentPresenceState,
  type ClientFrame,
  StreamCloseCodes,
} from "../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../context.ts";
import { can } from "../http/permissions.ts";
import type { Principal } from "../http/principal.ts";
import { Problem } from "../lib/errors.ts";
import { isFrameError, parseClientFrame } from "./client-frames.ts";
import type { WorkspaceEvent } from "../events/types.ts";
import { PresenceBoard, type PresenceReport } from "./presence-board.ts";

/** Re-resolves the credential a socket was opened with: null (or a 401 Problem) once it is gone. */
export type CredentialCheck = (request: FastifyRequest) => Promise<Principal | null>;

export interface HubTiming {
  /** Heartbeat, credential re-check and presence refresh all run on this tick. */
  tickMs: number;
  /** A peer instance's presence report expires when not repeated for this long. */
  staleMs: number;
}

const DEFAULT_TIMING: HubTiming = { tickMs: 30_000, staleMs: 75_000 };
const FRAME_WINDOW_MS = 10_000;
const FRAMES_PER_WINDOW = 30;
const TYPING_REPEAT_MS = 2_000;
/** A socket this far behind is not reading; it is closed rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

interface Connection {
  id: string;
  socket: WebSocket;
  principal: Principal;
  name: string;
  request: FastifyRequest;
  alive: boolean;
  viewing: string | null;
  typedAt: Map<string, number>;
  windowStart: number;
  framesInWindow: number;
}

const hubs = new WeakMap<AppContext, RealtimeHub>();

/** The hub of a running web instance (tests use it to run the periodic checks on demand). */
export function realtimeHubOf(ctx: AppContext): RealtimeHub | undefined {
  return hubs.get(ctx);
}

/**
 * Holds this instance's WebSockets and hands each the events of its workspace. Events reach every
 * instance through the EventBus (NOTIFY), so a socket sees changes made through any instance.
 */
export class RealtimeHub {
  readonly instanceId = randomUUID();
  readonly #ctx: AppContext;
  readonly #verify: CredentialCheck;
  readonly #timing: HubTiming;
  readonly #byWorkspace = new Map<string, Set<Connection>>();
  readonly #board = new PresenceBoard();
  #unsubscribe: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  /** Presence reports leave one at a time, so peers never apply an older count after a newer one. */
  #presenceQueue: Promise<void> = Promise.resolve();

  constructor(ctx: AppContext, verify: CredentialCheck, timing: HubTiming = DEFAULT_TIMING) {
    this.#ctx = ctx;
    this.#verify = verify;
    this.#timing = timing;
    hubs.set(ctx, this);
  }

  start(): void {
    this.#unsubscribe = this.#ctx.events.subscribe((event) => this.#onEvent(event));
    this.#timer = setInterval(() => void this.#tick(), this.#timing.tickMs);
    this.#timer.unref();
  }

  attach(socket: WebSocket, request: FastifyRequest, principal: Principal, name: string): void {
    const conn: Connection = {
      id: randomUUID(),
      socket,
      principal,
      name,
      request,
      alive: true,
      viewing: null,
      typedAt: new Map(),
      windowStart: Date.now(),
      framesInWindow: 0,
    };
    let set = this.#byWorkspace.get(principal.workspaceId);
    if (!set) {
      set = new Set();
      this.#byWorkspace.set(principal.workspaceId, set);
    }
    set.add(conn);
    socket.on("pong", () => {
      conn.alive = true;
    });
    socket.on("message", (data, isBinary) => this.#onFrame(conn, parseClientFrame(data, isBinary)));
    socket.on("close", () => this.#detach(conn));
    this.#send(
      conn,
      frame("hello", {
        connection_id: conn.id,
        agent_id: principal.agentId,
        workspace_id: principal.workspaceId,
        presence: this.#board.list(principal.workspaceId),
      }),
    );
    this.#queuePresence(principal.workspaceId, principal.agentId, name);
  }

  /** Agents online in the workspace, as this instance knows from every instance's reports. */
  presence(workspaceId: string): AgentPresenceState[] {
    return this.#board.list(workspaceId);
  }

  /** Pings every socket; one that did not answer the previous ping is dead and is cut. */
  heartbeat(): void {
    for (const conn of this.#connections()) {
      if (!conn.alive) {
        conn.socket.terminate();
        continue;
      }
      conn.alive = false;
      conn.socket.ping();
    }
  }

  /** Closes sockets whose session ended, whose token was revoked, or whose membership changed. */
  async recheckCredentials(): Promise<void> {
    const byCredential = new Map<string, Connection[]>();
    for (const conn of this.#connections()) {
      const key = `${conn.principal.via}:${conn.principal.credentialId}`;
      byCredential.set(key, [...(byCredential.get(key) ?? []), conn]);
    }
    for (const conns of byCredential.values()) {
      const opened = conns[0].principal;
      let current: Principal | null;
      try {
        current = await this.#verify(conns[0].request);
      } catch (error) {
        if (!(error instanceof Problem && error.status === 401)) {
          // The database may be briefly unreachable; that is no reason to drop every socket.
          this.#ctx.log.warn({ err: error }, "realtime: credential re-check failed");
          continue;
        }
        current = null;
      }
      const valid =
        current !== null && current.agentId === opened.agentId && current.workspaceId === opened.workspaceId;
      for (const conn of conns) {
        if (valid) conn.principal = { ...conn.principal, role: current!.role };
        else conn.socket.close(StreamCloseCodes.credentialRevoked, "credential revoked or expired");
      }
    }
  }

  /** Repeats this instance's presence reports and ages out those other instances stopped repeating. */
  async refreshPresence(): Promise<void> {
    const agents = new Map<string, { workspaceId: string; agentId: string; name: string }>();
    for (const conn of this.#connections()) {
      const { workspaceId, agentId } = conn.principal;
      agents.set(`${workspaceId}:${agentId}`, { workspaceId, agentId, name: conn.name });
    }
    for (const a of agents.values()) this.#queuePresence(a.workspaceId, a.agentId, a.name);
    await this.#presenceQueue;
    for (const change of this.#board.expire(Date.now() - this.#timing.staleMs)) {
      this.#broadcast(change.workspaceId, frame("presence", change.presence));
    }
  }

  /** Reports this instance's agents offline and closes its sockets; the app is shutting down. */
  async stop(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#unsubscribe?.();
    const reports = new Map<string, PresenceReport & { workspaceId: string }>();
    for (const conn of this.#connections()) {
      const { workspaceId, agentId } = conn.principal;
      reports.set(`${workspaceId}:${agentId}`, {
        workspaceId,
        agent_id: agentId,
        name: conn.name,
        instance_id: this.instanceId,
        sockets: 0,
        viewing: [],
      });
      conn.socket.close(1001, "server shutting down");
    }
    await this.#presenceQueue;
    for (const { workspaceId, ...report } of reports.values()) {
      await this.#ctx.events.broadcast(workspaceId, "presence", { ...report }).catch(() => {});
    }
    this.#byWorkspace.clear();
  }

  async #tick(): Promise<void> {
    try {
      this.heartbeat();
      await this.recheckCredentials();
      await this.refreshPresence();
    } catch (error) {
      this.#ctx.log.error({ err: error }, "realtime: periodic check failed");
    }
  }

  *#connections(): Iterable<Connection> {
    for (const set of this.#byWorkspace.values()) yield* set;
  }

  #onEvent(event: WorkspaceEvent): void {
    if (event.type === "presence") {
      const report = event.data as unknown as PresenceReport;
      if (typeof report.agent_id !== "string" || typeof report.instance_id !== "string") return;
      const changed = this.#board.apply(event.workspace_id, report, Date.now());
      if (changed) this.#broadcast(event.workspace_id, frame("presence", changed, event.at));
      return;
    }
    // A typist does not need to hear their own typing echoed back.
    const skipAgent = event.type === "typing" ? (event.data.agent_id as string) : undefined;
    this.#broadcast(event.workspace_id, frame(event.type, event.data, event.at), skipAgent);
  }

  #broadcast(workspaceId: string, text: string, skipAgent?: string): void {
    const set = this.#byWorkspace.get(workspaceId);
    if (!set) return;
    for (const conn of set) if (conn.principal.agentId !== skipAgent) this.#send(conn, text);
  }

  #send(conn: Connection, text: string): void {
    if (conn.socket.readyState !== conn.socket.OPEN) return;
    if (conn.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      conn.socket.close(StreamCloseCodes.tooSlow, "too far behind; reconnect and refetch");
      return;
    }
    conn.socket.send(text);
  }

  #sendError(conn: Connection, code: string, message: string, field?: string): void {
    this.#send(conn, frame("error", field ? { code, message, field } : { code, message }));
  }

  #onFrame(conn: Connection, parsed: ReturnType<typeof parseClientFrame>): void {
    conn.alive = true;
    const now = Date.now();
    if (now - conn.windowStart > FRAME_WINDOW_MS) {
      conn.windowStart = now;
      conn.framesInWindow = 0;
    }
    conn.framesInWindow += 1;
    if (conn.framesInWindow > FRAMES_PER_WINDOW) {
      if (conn.framesInWindow === FRAMES_PER_WINDOW + 1) {
        this.#sendError(conn, "rate_limited", "Too many frames; slow down");
      }
      return;
    }
    if (isFrameError(parsed)) {
      this.#sendError(conn, parsed.code, parsed.message, parsed.field);
      return;
    }
    this.#handle(conn, parsed, now);
  }

  #handle(conn: Connection, message: ClientFrame, now: number): void {
    const { workspaceId, agentId, role } = conn.principal;
    if (message.type === "viewing") {
      if (conn.viewing === message.conversation_id) return;
      conn.viewing = message.conversation_id;
      this.#queuePresence(workspaceId, agentId, conn.name);
      return;
    }
    if (!can(role, "conversations:write")) {
      this.#sendError(conn, "forbidden", "Your role cannot reply, so it does not send typing");
      return;
    }
    const last = conn.typedAt.get(message.conversation_id);
    if (last !== undefined && now - last < TYPING_REPEAT_MS) return;
    if (conn.typedAt.size > 100) conn.typedAt.clear();
    conn.typedAt.set(message.conversation_id, now);
    const data = { conversation_id: message.conversation_id, agent_id: agentId, name: conn.name };
    this.#ctx.events.broadcast(workspaceId, "typing", data).catch((error) => {
      this.#ctx.log.warn({ err: error }, "realtime: typing not published");
    });
  }

  #detach(conn: Connection): void {
    const { workspaceId, agentId } = conn.principal;
    const set = this.#byWorkspace.get(workspaceId);
    set?.delete(conn);
    if (set?.size === 0) this.#byWorkspace.delete(workspaceId);
    if (!this.#closed) this.#queuePresence(workspaceId, agentId, conn.name);
  }

  /** Publishes this instance's current count for the agent, computed when its turn comes. */
  #queuePresence(workspaceId: string, agentId: string, name: string): void {
    this.#presenceQueue = this.#presenceQueue.then(async () => {
      if (this.#closed) return;
      const mine = [...(this.#byWorkspace.get(workspaceId) ?? [])].filter(
        (c) => c.principal.agentId === agentId,
      );
      const viewing = [...new Set(mine.map((c) => c.viewing).filter((v): v is string => v !== null))];
      const report: PresenceReport = {
        agent_id: agentId,
        name,
        instance_id: this.instanceId,
        sockets: mine.length,
        viewing,
      };
      await this.#ctx.events
        .broadcast(workspaceId, "presence", { ...report })
        .catch((error) => this.#ctx.log.warn({ err: error }, "realtime: presence not published"));
    });
  }
}

function frame(type: string, data: unknown, at = new Date().toISOString()): string {
  return JSON.stringify({ type, data, at });
}
