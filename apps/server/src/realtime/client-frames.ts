import { Compile } from "typebox/compile";
import { type ClientFrame, TypingFrame, ViewingFrame } from "../../../../packages/contracts/src/index.ts";

const validators = {
  typing: Compile(TypingFrame),
  viewing: Compile(ViewingFrame),
} as const;

export interface FrameError {
  code: "malformed_frame" | "unknown_frame_type" | "invalid_frame";
  message: string;
  field?: string;
}

/** Reads one frame a client sent; anything unexpected becomes an error to report, never an exception. */
export function parseClientFrame(
  raw: Buffer | ArrayBuffer | Buffer[],
  isBinary: boolean,
): ClientFrame | FrameError {
  if (isBinary) return { code: "malformed_frame", message: "Send frames as JSON text" };
  const text = Array.isArray(raw)
    ? Buffer.concat(raw).toString("utf8")
    : Buffer.from(raw as Buffer).toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { code: "malformed_frame", message: "The frame is not valid JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { code: "malformed_frame", message: 'A frame is a JSON object with a "type"' };
  }
  const type = (value as { type?: unknown }).type;
  if (type !== "typing" && type !== "viewing") {
    return {
      code: "unknown_frame_type",
      message: `Unknown frame type ${JSON.stringify(type ?? null)}; send "typing" or "viewing"`,
      field: "type",
    };
  }
  const validator = validators[type];
  if (validator.Check(value)) return value as ClientFrame;
  const errors = [...validator.Errors(value)];
  const unknown = errors.find((e) => e.schemaPath.endsWith("/additionalProperties"));
  if (unknown) {
    const field = unknown.instancePath.replace(/^\//, "");
    return { code: "invalid_frame", message: `unknown field "${field}"`, field };
  }
  const first = errors[0];
  const missing = (first?.params as { requiredProperties?: string[] } | undefined)?.requiredProperties?.[0];
  const field = missing ?? first?.instancePath.replace(/^\//, "");
  const message = missing
    ? `"${missing}" is required`
    : first?.keyword === "format"
      ? `${field} must be a UUID`
      : `${field || "frame"} ${first?.message ?? "is invalid"}`;
  return { code: "invalid_frame", message, field: field || undefined };
}

export function isFrameError(value: ClientFrame | FrameError): value is FrameError {
  return "code" in value;
}
