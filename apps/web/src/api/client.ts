/** An RFC 9457 problem as the Keepwell API sends it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  field?: string;
  errors?: { field: string; message: string }[];
}

/** A failed API call: the server's problem, or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.title);
    this.status = problem.status;
    this.problem = problem;
  }

  /** What the server said about one input field, if it named that field. */
  fieldMessage(field: string): string | undefined {
    const listed = this.problem.errors?.find((e) => e.field === field);
    if (listed) return listed.message;
    return this.problem.field === field ? this.problem.title : undefined;
  }

  /** True when the problem is about a field of the form, so the form can show it there. */
  namesField(fields: readonly string[]): boolean {
    return fields.some((f) => this.fieldMessage(f) !== undefined);
  }
}

let csrfToken: string | null = null;
let unauthorizedHandler: (() => void) | undefined;

/** Cookie-authenticated writes must echo the session's CSRF token. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when the session has ended under us (another tab signed out, the session expired). */
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler;
}

const SAFE = new Set(["GET", "HEAD"]);

/*
 * The first screen's reads, asked for by main.tsx while the rest of the app still downloads. The
 * first api() GET of the same path takes the answer instead of asking again; nothing else does.
 */
const early = new Map<string, Promise<Response>>();

/**
 * Starts a GET now for the first api() call of this path to use. It sends no custom headers, so
 * that Chromium can answer it from a `<link rel="preload">` of the same URL in index.html.
 */
export function requestEarly(path: string): void {
  const response = fetch(`/api/v1${path}`, { credentials: "same-origin" });
  // A failure is reported to whoever takes the answer, or to no one if it is discarded.
  response.catch(() => {});
  early.set(path, response);
}

/** Forgets answers no one took (signed out, another screen): they must never serve a later read. */
export function discardEarlyRequests(): void {
  early.clear();
}

/** True while an early answer for this path waits to be taken. */
export function hasEarlyRequest(path: string): boolean {
  return early.has(path);
}

function takeEarly(path: string): Promise<Response> | undefined {
  const response = early.get(path);
  early.delete(path);
  return response;
}

export async function api<T>(
  path: string,
  options: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const method = options.method ?? "GET";
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (!SAFE.has(method) && csrfToken) headers["x-csrf-token"] = csrfToken;
  let response: Response;
  try {
    const earlier = method === "GET" ? takeEarly(path) : undefined;
    response = await (earlier ??
      fetch(`/api/v1${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        credentials: "same-origin",
        signal: options.signal,
      }));
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError({
      type: "network",
      title: "Keepwell cannot be reached. Check your connection; nothing you typed is lost.",
      status: 0,
    });
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const problem =
      body && typeof body === "object" && "title" in body
        ? (body as Problem)
        : { type: "http", title: `The server answered ${response.status}`, status: response.status };
    if (response.status === 401 && !path.startsWith("/auth/")) unauthorizedHandler?.();
    throw new ApiError(problem);
  }
  return body as T;
}

/** Builds a query string from the defined values only. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
