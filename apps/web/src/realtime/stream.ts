import { useSyncExternalStore } from "react";

export type StreamStatus = "connecting" | "live" | "offline";

export interface StreamFrame {
  type: string;
  data: Record<string, unknown>;
  at: string;
}

export interface StreamHandlers {
  onFrame: (frame: StreamFrame) => void;
  /** After a reconnect: events were missed, so what is cached must be fetched again. */
  onCatchUp: () => void;
  /** The server closed the socket because the session ended. */
  onSignedOut: () => void;
}

/** The server's close code for an ended session (contracts' StreamCloseCodes.credentialRevoked). */
const CREDENTIAL_REVOKED = 4401;
const MAX_DELAY_MS = 15_000;

/**
 * The workspace's event stream over /api/v1/stream. It reconnects with growing delays (at once when
 * the browser says it is back online) and asks for a catch-up after every reconnect.
 */
export class EventStream {
  #handlers: StreamHandlers;
  #socket: WebSocket | undefined;
  #status: StreamStatus = "connecting";
  #listeners = new Set<() => void>();
  #attempt = 0;
  #connectedBefore = false;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #viewing: string | null = null;

  constructor(handlers: StreamHandlers) {
    this.#handlers = handlers;
  }

  start(): void {
    window.addEventListener("online", this.#onOnline);
    window.addEventListener("offline", this.#onOffline);
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    window.removeEventListener("online", this.#onOnline);
    window.removeEventListener("offline", this.#onOffline);
    clearTimeout(this.#retry);
    this.#socket?.close(1000);
  }

  get status(): StreamStatus {
    return this.#status;
  }

  subscribe = (listener: () => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  send(frame: Record<string, unknown>): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(frame));
  }

  /** The conversation open in this tab; told again after every reconnect, since the server forgets it. */
  setViewing(conversationId: string | null): void {
    this.#viewing = conversationId;
    this.send({ type: "viewing", conversation_id: conversationId });
  }

  #setStatus(status: StreamStatus): void {
    if (this.#status === status) return;
    this.#status = status;
    for (const listener of this.#listeners) listener();
  }

  #connect(): void {
    if (this.#stopped) return;
    clearTimeout(this.#retry);
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/stream`;
    const socket = new WebSocket(url);
    this.#socket = socket;
    socket.onopen = () => {
      this.#attempt = 0;
      this.#setStatus("live");
      if (this.#viewing) this.send({ type: "viewing", conversation_id: this.#viewing });
      if (this.#connectedBefore) this.#handlers.onCatchUp();
      this.#connectedBefore = true;
    };
    socket.onmessage = (event) => {
      try {
        this.#handlers.onFrame(JSON.parse(String(event.data)) as StreamFrame);
      } catch {
        // A frame we cannot read is skipped; the next catch-up repairs whatever it carried.
      }
    };
    socket.onclose = (event) => {
      if (this.#socket !== socket || this.#stopped) return;
      if (event.code === CREDENTIAL_REVOKED) {
        this.#handlers.onSignedOut();
        return;
      }
      this.#setStatus("offline");
      // The first attempt fails over to catch-up too: events may have been missed before it opened.
      this.#connectedBefore = true;
      const delay = Math.min(MAX_DELAY_MS, 1000 * 2 ** this.#attempt) * (0.75 + Math.random() / 2);
      this.#attempt += 1;
      this.#retry = setTimeout(() => this.#connect(), delay);
    };
  }

  #onOnline = () => {
    if (this.#status !== "live") {
      this.#socket?.close();
      this.#connect();
    }
  };

  #onOffline = () => this.#setStatus("offline");
}

export function useStreamStatus(stream: EventStream | undefined): StreamStatus {
  return useSyncExternalStore(
    (listener) => stream?.subscribe(listener) ?? (() => {}),
    () => stream?.status ?? "connecting",
  );
}
