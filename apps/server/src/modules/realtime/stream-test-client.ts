import WebSocket from "ws";

/* A WebSocket client for tests of GET /api/v1/stream: collects frames and waits with deadlines. */

export interface StreamFrame {
  type: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read frame data loosely, as a client would
  data: Record<string, any>;
  at: string;
}

export interface StreamAuth {
  token?: string;
  cookie?: string;
  origin?: string;
  /** Leave pongs unanswered, to play a client that died without closing. */
  silent?: boolean;
}

function streamUrl(baseUrl: string): string {
  return `${baseUrl.replace(/^http/, "ws")}/api/v1/stream`;
}

function headersOf(auth: StreamAuth): Record<string, string> {
  const headers: Record<string, string> = {};
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  if (auth.cookie) headers.cookie = auth.cookie;
  return headers;
}

export class StreamClient {
  readonly frames: StreamFrame[] = [];
  readonly socket: WebSocket;
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters = new Set<() => void>();

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on("message", (data) => {
      this.frames.push(JSON.parse(data.toString()));
      for (const wake of this.#waiters) wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
    });
  }

  /** Opens a stream and waits for its hello frame. */
  static async open(baseUrl: string, auth: StreamAuth): Promise<StreamClient> {
    const socket = new WebSocket(streamUrl(baseUrl), {
      headers: headersOf(auth),
      origin: auth.origin,
      autoPong: !auth.silent,
    });
    const client = new StreamClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
      socket.once("unexpected-response", (_request, response) =>
        reject(new Error(`upgrade refused with ${response.statusCode}`)),
      );
    });
    await client.next((f) => f.type === "hello");
    return client;
  }

  /** Tries to open a stream that should be refused; answers the HTTP status and problem body. */
  // biome-ignore lint/suspicious/noExplicitAny: the problem body is checked field by field by the test
  static async refusal(baseUrl: string, auth: StreamAuth): Promise<{ status: number; body: any }> {
    const socket = new WebSocket(streamUrl(baseUrl), { headers: headersOf(auth), origin: auth.origin });
    return new Promise((resolve, reject) => {
      socket.once("open", () => {
        socket.close();
        reject(new Error("the upgrade was accepted"));
      });
      socket.once("unexpected-response", (_request, response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : null });
        });
      });
      socket.once("error", () => {});
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** The first frame (already received or still to come) that matches, within the deadline. */
  async next(match: (frame: StreamFrame) => boolean, timeoutMs = 5_000): Promise<StreamFrame> {
    return this.until(() => this.frames.find(match), timeoutMs, "a matching frame");
  }

  /** Resolves once `check` answers something other than undefined. */
  async until<T>(check: () => T | undefined, timeoutMs = 5_000, what = "the condition"): Promise<T> {
    const found = check();
    if (found !== undefined) return found;
    return new Promise<T>((resolve, reject) => {
      const wake = () => {
        const value = check();
        if (value === undefined) return;
        cleanup();
        resolve(value);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.frames.map((f) => f.type))}`),
        );
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
      };
      this.#waiters.add(wake);
    });
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close();
    }
    await this.closed;
  }
}
