/*
 * The standalone page the agent app shows in a sandboxed iframe. Its policy is the second layer
 * behind the sanitizer: no script can run (default-src 'none' and the sandbox), nothing can be
 * submitted or navigated from inside, and images load only from our attachment URL space and data:
 * URLs unless the agent allowed remote images for this message.
 */

/** Where inline images and other attachments of a message are served, as an absolute URL prefix. */
export function attachmentUrlPrefix(origin: string): string {
  return `${origin}/api/v1/attachments/`;
}

/**
 * The origin the browser used for this request (so attachment URLs and the policy match what it
 * sees), when the Host is a plain host name or address; otherwise the configured base URL's.
 */
export function displayOrigin(protocol: string, host: string | undefined, baseUrl: string): string {
  if (
    (protocol === "http" || protocol === "https") &&
    host &&
    /^([a-z0-9.-]+|\[[0-9a-f:.]+\])(:\d{1,5})?$/i.test(host)
  ) {
    return `${protocol}://${host.toLowerCase()}`;
  }
  return new URL(baseUrl).origin;
}

export function contentSecurityPolicy(origin: string, allowRemoteImages: boolean): string {
  const images = [attachmentUrlPrefix(origin), "data:", ...(allowRemoteImages ? ["https:", "http:"] : [])];
  return [
    "default-src 'none'",
    `img-src ${images.join(" ")}`,
    "style-src 'unsafe-inline'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'self'",
    // Popups only, so a link the customer sent opens in a new tab, itself outside the sandbox; no
    // scripts, no same-origin access, no forms, no top navigation.
    "sandbox allow-popups allow-popups-to-escape-sandbox",
  ].join("; ");
}

/** Headers that go with every rendered message. */
export function documentHeaders(origin: string, allowRemoteImages: boolean): Record<string, string> {
  return {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": contentSecurityPolicy(origin, allowRemoteImages),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "private, no-store",
    "cross-origin-resource-policy": "same-origin",
  };
}

const STYLE = `
  html { color-scheme: light; }
  body { margin: 0; padding: 12px 16px; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
    color: #111827; background: #fff; overflow-wrap: anywhere; }
  img { max-width: 100%; height: auto; }
  table { max-width: 100%; }
  blockquote { margin: 0 0 0 0.5em; padding-left: 0.75em; border-left: 3px solid #d1d5db; color: #4b5563; }
  pre { white-space: pre-wrap; }
  details > summary { cursor: pointer; color: #6b7280; font-size: 12px; margin: 8px 0; }
  .kw-text { white-space: pre-wrap; }
`;

/** Wraps sanitized body HTML in a complete document. */
export function emailDocument(sanitizedBody: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><meta name="color-scheme" content="light"><style>${STYLE}</style></head>
<body>${sanitizedBody}</body></html>
`;
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** A plain-text message shown as text: escaped, line breaks kept. */
export function plainTextBody(text: string): string {
  return `<div class="kw-text">${escapeHtml(text)}</div>`;
}
