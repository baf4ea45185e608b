const MAX_FILENAME_LENGTH = 180;
const MAX_EXTENSION_LENGTH = 16;
const FALLBACK = "attachment";

/*
 * Control characters, and format characters that are invisible or reorder text (bidi overrides such as
 * U+202E can make "invoice<U+202E>fdp.exe" read as "invoiceexe.pdf"). U+200C/U+200D stay: Persian and Indic
 * words and emoji sequences need them, and they cannot reorder what is shown.
 */
const INVISIBLE = /[\p{Cc}\p{Zl}\p{Zp}]|(?![\u200c\u200d])\p{Cf}/gu;
const SEPARATORS = /[/\\]/g;
/** Spaces of every kind and line breaks become one plain space (before the controls among them go). */
const SPACES = /[\p{Zs}\t\n\v\f\r\u0085\u2028\u2029]+/gu;

/**
 * The name shown to agents and customers for an uploaded file. Only ever displayed and sent in
 * Content-Disposition: files are stored under their SHA-256, never under this name.
 */
export function displayFilename(raw: string | undefined): string {
  const cleaned = (raw ?? "")
    .normalize("NFC")
    .replace(SPACES, " ")
    .replace(INVISIBLE, "")
    .replace(SEPARATORS, "")
    .replace(/ {2,}/g, " ")
    // Leading dots would make a hidden file or "..", trailing dots and spaces are dropped by Windows.
    .replace(/^[\s.]+|[\s.]+$/gu, "");
  return limitLength(cleaned) || FALLBACK;
}

/** Cuts by code point and keeps a short extension, so "report…long….pdf" still opens as a PDF. */
function limitLength(name: string): string {
  const chars = Array.from(name);
  if (chars.length <= MAX_FILENAME_LENGTH) return name;
  const dot = name.lastIndexOf(".");
  const extension = dot > 0 ? Array.from(name.slice(dot)) : [];
  if (extension.length > 1 && extension.length <= MAX_EXTENSION_LENGTH) {
    const stem = Array.from(name.slice(0, dot)).slice(0, MAX_FILENAME_LENGTH - extension.length);
    return `${stem.join("").trimEnd()}${extension.join("")}`;
  }
  return chars.slice(0, MAX_FILENAME_LENGTH).join("").trimEnd();
}

/**
 * `Content-Disposition: attachment` with an ASCII fallback name and the exact name in RFC 5987
 * `filename*` form, which every current browser prefers.
 */
export function contentDisposition(filename: string): string {
  const ascii = filename
    .normalize("NFKD")
    .replace(/[^\x20-\x7e]/g, "")
    .replace(/["\\%;]/g, "_")
    .trim();
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii || FALLBACK}"; filename*=UTF-8''${encoded}`;
}

const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$/;

/** The uploader's declared type when it is a well-formed media type, else the neutral octet-stream. */
export function storedContentType(declared: string | undefined): string {
  const type = (declared ?? "").split(";")[0].trim().toLowerCase();
  return MEDIA_TYPE.test(type) ? type : "application/octet-stream";
}
