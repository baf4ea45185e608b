import { Ajv, type ErrorObject, type Options } from "ajv";
import addFormatsModule from "ajv-formats";
import type { FastifyInstance } from "fastify";

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/*
 * Two validators: request bodies are checked strictly (no type coercion, unknown fields refused,
 * never silently dropped), while query strings and path parameters, which arrive as text, are coerced.
 */
function makeAjv(options: Options): Ajv {
  const ajv = new Ajv({
    allErrors: false,
    removeAdditional: false,
    useDefaults: true,
    strict: false,
    ...options,
  });
  addFormats(ajv);
  return ajv;
}

export function installValidators(app: FastifyInstance): void {
  const strict = makeAjv({ coerceTypes: false });
  const coercing = makeAjv({ coerceTypes: "array" });
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const ajv = httpPart === "body" ? strict : coercing;
    return ajv.compile(schema) as ReturnType<Parameters<FastifyInstance["setValidatorCompiler"]>[0]>;
  });
}

/** Turns an Ajv error into the field it is about, as a client would name it ("contact.email"). */
export function fieldOf(
  error: ErrorObject | { instancePath?: string; params?: Record<string, unknown> },
): string {
  const base = (error.instancePath ?? "").split("/").filter(Boolean).join(".");
  const params = (error.params ?? {}) as Record<string, unknown>;
  const child = (params.missingProperty ?? params.additionalProperty) as string | undefined;
  return [base, child].filter(Boolean).join(".") || "body";
}

export function messageOf(
  error: ErrorObject | { message?: string; keyword?: string; params?: Record<string, unknown> },
): string {
  const params = (error.params ?? {}) as Record<string, unknown>;
  if (error.keyword === "additionalProperties") return `unknown field "${String(params.additionalProperty)}"`;
  if (error.keyword === "required") return `"${String(params.missingProperty)}" is required`;
  return error.message ?? "is invalid";
}
