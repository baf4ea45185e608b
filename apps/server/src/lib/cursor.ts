import { invalid } from "./errors.ts";

/**
 * Keyset cursors: the sort key of the last row of a page, opaque to clients. A cursor that does not
 * decode to the expected shape is the client's error, answered with a 400 naming `cursor`.
 */
export function encodeCursor(values: (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString("base64url");
}

export function decodeCursor(cursor: string, shape: ("string" | "number" | "date" | "uuid")[]): string[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid("cursor", "cursor is not one this server issued");
  }
  if (!Array.isArray(values) || values.length !== shape.length) {
    throw invalid("cursor", "cursor is not one this server issued");
  }
  return values.map((value, i) => {
    const kind = shape[i];
    const ok =
      (kind === "string" && typeof value === "string") ||
      (kind === "number" && typeof value === "number") ||
      (kind === "date" && typeof value === "string" && !Number.isNaN(Date.parse(value))) ||
      (kind === "uuid" && typeof value === "string" && /^[0-9a-f-]{36}$/i.test(value));
    if (!ok) throw invalid("cursor", "cursor is not one this server issued");
    return String(value);
  });
}
