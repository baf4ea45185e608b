import WebSocket from "ws";
import type { TestServer } from "../../test/harness.ts";

/* A visitor's side of the widget for tests and the benchmark: the session call and the socket. */

// biome-ignore lint/suspicious/noExplicitAny: tests read frames loosely, as the widget does
export type VisitorFrame = Record<string, any> & { type: string };

export async function visitorSession(
  server: Pick<TestServer, "url">,
  key: string,
  body: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${server.url}/widget/v1/${key}/session`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: loose JSON for tests
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

export class VisitorSocket {
  readonly frames: VisitorFrame[] = [];
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

  /** Opens the socket; with a token, authenticates and waits for the ready frame. */
  static async open(
    baseUrl: string,
    key: string,
    options: { token?: string; after?: string; origin?: string; headers?: Record<string, string> } = {},
  ): Promise<VisitorSocket> {
    const socket = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/widget/v1/${key}/socket`, {
      origin: options.origin,
      headers: options.headers,
    });
    const client = new VisitorSocket(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
      socket.once("unexpected-response", (_request, response) =>
        reject(new Error(`upgrade refused with ${response.statusCode}`)),
      );
    });
    if (options.token) {
      client.send({ type: "auth", token: options.token, ...(options.after ? { after: options.after } : {}) });
      await client.next("ready");
    }
    return client;
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** The first frame (from `from` on) that matches, waiting up to the deadline. */
  async next(
    type: string,
    match: (frame: VisitorFrame) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<VisitorFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find((f) => f.type === type && match(f));
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `no ${type} frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.map((f) => f.type))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.#waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#waiters.add(wake);
      });
    }
  }

  close(): void {
    this.socket.close();
  }
}

/** Uploads a file as the visitor (multipart, token in the Authorization header), as the widget does. */
export async function visitorUpload(
  server: Pick<TestServer, "url">,
  key: string,
  token: string | null,
  file: { name: string; content: string | Uint8Array<ArrayBuffer>; type: string },
) {
  const form = new FormData();
  form.append("file", new Blob([file.content], { type: file.type }), file.name);
  const response = await fetch(`${server.url}/widget/v1/${key}/uploads`, {
    method: "POST",
    headers: token ? { authorization: `Visitor ${token}` } : {},
    body: form,
  });
  // biome-ignore lint/suspicious/noExplicitAny: loose JSON for tests
  return { status: response.status, body: (await response.json()) as any };
}
