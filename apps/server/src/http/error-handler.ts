import type { FastifyError, FastifyInstance } from "fastify";
import { Problem, type ProblemBody, PROBLEM_BASE } from "../lib/errors.ts";
import { fieldOf, messageOf } from "./validation.ts";

const PROBLEM_TYPE = "application/problem+json; charset=utf-8";

/** Fastify's own client errors, mapped to stable problem types. */
const frameworkErrors: Record<string, { code: string; title: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: "malformed_json", title: "The request body is not valid JSON" },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: "malformed_json",
    title: "The request body is empty but declared as JSON",
  },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: "body_too_large", title: "The request body is too large" },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: "unsupported_media_type",
    title: "Send the body as application/json",
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: "invalid_content_length",
    title: "Content-Length does not match the body",
  },
  FST_ERR_VALIDATION: { code: "invalid_input", title: "The request is invalid" },
};

/** Every error leaves as RFC 9457 problem+json; server faults are logged and never described to the caller. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(
    (error: FastifyError & { validation?: unknown[]; validationContext?: string }, request, reply) => {
      let body: ProblemBody;
      if (error instanceof Problem) {
        body = error.toBody();
      } else if (error.validation) {
        const errors = (error.validation as Parameters<typeof fieldOf>[0][]).map((e) => ({
          field: fieldOf(e),
          message: messageOf(e as Parameters<typeof messageOf>[0]),
          in: error.validationContext ?? "body",
        }));
        body = {
          type: `${PROBLEM_BASE}invalid_input`,
          title: `${errors[0].field}: ${errors[0].message}`,
          status: 400,
          field: errors[0].field,
          errors,
        };
      } else if (error.code && frameworkErrors[error.code]) {
        const known = frameworkErrors[error.code];
        body = {
          type: `${PROBLEM_BASE}${known.code}`,
          title: known.title,
          status: error.statusCode ?? 400,
          field: "body",
        };
      } else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
        body = { type: `${PROBLEM_BASE}bad_request`, title: error.message, status: error.statusCode };
      } else {
        request.log.error({ err: error }, "unhandled error");
        body = {
          type: `${PROBLEM_BASE}internal`,
          title: "Something went wrong on our side; it has been logged",
          status: 500,
        };
      }
      if (body.status === 429 && typeof body.retry_after === "number")
        reply.header("retry-after", body.retry_after);
      return reply.status(body.status).type(PROBLEM_TYPE).send(body);
    },
  );

  app.setNotFoundHandler((request, reply) => {
    return reply
      .status(404)
      .type(PROBLEM_TYPE)
      .send({
        type: `${PROBLEM_BASE}not_found`,
        title: `No route for ${request.method} ${request.url.split("?")[0]}`,
        status: 404,
      });
  });
}
