/**
 * Problems are RFC 9457 problem+json bodies. `type` is a stable identifier clients can switch on;
 * `field` names the input at fault when there is one.
 */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  field?: string;
  errors?: { field: string; message: string }[];
  [extension: string]: unknown;
}

export const PROBLEM_BASE = "https://keepwell.dev/problems/";

export class Problem extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly extra: Record<string, unknown>;

  constructor(
    status: number,
    code: string,
    title: string,
    options: { field?: string; extra?: Record<string, unknown> } = {},
  ) {
    super(title);
    this.status = status;
    this.code = code;
    this.field = options.field;
    this.extra = options.extra ?? {};
  }

  toBody(): ProblemBody {
    return {
      type: `${PROBLEM_BASE}${this.code}`,
      title: this.message,
      status: this.status,
      ...(this.field ? { field: this.field } : {}),
      ...this.extra,
    };
  }
}

export const invalid = (field: string, message: string) =>
  new Problem(400, "invalid_input", message, { field, extra: { errors: [{ field, message }] } });
export const notFound = (what: string) => new Problem(404, "not_found", `${what} not found`);
export const unauthorized = (message = "Sign in or send a valid API token") =>
  new Problem(401, "unauthorized", message);
export const forbidden = (message = "Your role does not allow this") =>
  new Problem(403, "forbidden", message);
export const conflict = (code: string, message: string, field?: string) =>
  new Problem(409, code, message, { field });
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new Problem(429, "too_many_requests", message, { extra: { retry_after: retryAfterSeconds } });

/** PostgreSQL error codes Keepwell turns into clear problems. */
export const PG_UNIQUE_VIOLATION = "23505";
export const PG_FOREIGN_KEY_VIOLATION = "23503";

/** True when a database error carries this SQLSTATE (both pg and PGlite put it in `code`). */
export function isDatabaseError(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}
