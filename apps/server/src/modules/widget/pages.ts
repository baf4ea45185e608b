import type { PublicWidget } from "./settings.ts";

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The frame's policy: only our own scripts, requests only to our own origin (HTTP and WebSocket),
 * and framing only by the origins the inbox allows (any site while the list is empty).
 */
export function frameCsp(ownOrigin: string, allowedOrigins: string[]): string {
  const ancestors = allowedOrigins.length > 0 ? ["'self'", ...allowedOrigins].join(" ") : "*";
  const socketOrigin = ownOrigin.replace(/^http/, "ws");
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src 'self' ${socketOrigin}`,
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${ancestors}`,
  ].join("; ");
}

/** The document inside the widget's frame: an empty root and the widget bundle. */
export function framePage(
  widget: Pick<PublicWidget, "public_key" | "color">,
  view: "chat" | "callback" = "chat",
): string {
  return `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${view === "callback" ? "Request a call back" : "Chat"}</title>
</head>
<body style="margin:0">
<div id="kw-root" data-key="${escapeHtml(widget.public_key)}" data-view="${view}"></div>
<script type="module" src="/widget/assets/widget.js"></script>
</body>
</html>
`;
}

/** A stand-in customer site that embeds the demo workspace's widget with the ordinary snippet. */
export function demoWidgetPage(publicKey: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme Analytics — demo customer site</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1f2937; }
  header { background: #111827; color: #fff; padding: 16px 32px; }
  main { max-width: 720px; margin: 32px auto; padding: 0 16px; }
  code { background: #f3f4f6; padding: 2px 4px; border-radius: 4px; }
</style>
</head>
<body>
<header><strong>Acme Analytics</strong> — a pretend customer site</header>
<main>
  <h1>Questions? We're one click away.</h1>
  <p>This page embeds the demo workspace's chat widget with one script tag, the way a customer's
  site would. Open the chat in the corner, write something, and answer it from the agent app.</p>
  <p>The snippet: <code>&lt;script src="/widget.js" data-keepwell-widget="${escapeHtml(publicKey)}" async&gt;&lt;/script&gt;</code></p>
  <p><button type="button" onclick="Keepwell('open')">Open the chat from the page's own button</button></p>
</main>
<script src="/widget.js" data-keepwell-widget="${escapeHtml(publicKey)}" async></script>
</body>
</html>
`;
}
