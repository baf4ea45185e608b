import sanitizeHtml from "sanitize-html";

/*
 * Customer HTML is hostile input: it is sanitized here with sanitize-html and then served under a
 * Content-Security-Policy that forbids scripts anyway (display/document.ts), so a gap in one layer is
 * covered by the other.
 *
 * Why sanitize-html rather than DOMPurify: it is an allowlist sanitizer that runs on htmlparser2
 * without a DOM, so the server needs no jsdom (a large dependency with its own parser quirks and a
 * slow start); it lets us decide per element and per attribute what survives, checks URL schemes per
 * tag, filters inline CSS property by property, and its transform hooks are where we rewrite images
 * and links. It is maintained (releases in 2026) and widely used.
 */

/** Shown instead of a remote image until the agent allows images for the message. */
export const BLOCKED_IMAGE_PLACEHOLDER = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="32"><rect width="120" height="32" fill="#eef0f3"/><text x="60" y="20" font-family="sans-serif" font-size="11" fill="#6b7280" text-anchor="middle">image blocked</text></svg>',
)}`;

const RASTER_DATA_URL = /^data:image\/(png|jpeg|gif|webp);base64,[a-z0-9+/=\s]+$/i;

export interface SanitizeOptions {
  /** Load images from other hosts (tracking pixels included). Off until the agent allows it. */
  allowRemoteImages: boolean;
  /** The served URL of an inline part named by a `cid:` reference, or null when the message has none. */
  resolveCid: (contentId: string) => string | null;
  /**
   * The served URL of an attachment of this message when the source names one (the inbound side
   * rewrites inline cid: images to /api/v1/attachments/{id}), else null.
   */
  ownAttachmentUrl: (url: string) => string | null;
}

/*
 * Inline CSS: only properties that shape text and layout, and only values without functions,
 * backslash escapes or comments, so `url(`, `expression(`, `image-set(` and escaped variants of them
 * cannot appear. Colors may use rgb()/rgba(). `position` is left out so a message cannot lay a fake
 * form or button over the agent app's frame.
 */
const PLAIN_VALUE = /^[\w\s#.,%'"!+-]*$/;
const RGB_VALUE = /^rgba?\(\s*[\d.%\s,/]+\)$/i;
const DISPLAY_VALUE = /^(none|block|inline|inline-block|table|table-row|table-cell|list-item)$/i;
const styleProperties = [
  "color",
  "background-color",
  "font-family",
  "font-size",
  "font-weight",
  "font-style",
  "font-variant",
  "line-height",
  "letter-spacing",
  "text-align",
  "text-decoration",
  "text-indent",
  "text-transform",
  "vertical-align",
  "white-space",
  "word-break",
  "direction",
  "list-style-type",
  "border-collapse",
  "border-spacing",
  "width",
  "min-width",
  "max-width",
  "height",
  "min-height",
  "max-height",
  ...["", "-top", "-right", "-bottom", "-left"].flatMap((side) => [
    `margin${side}`,
    `padding${side}`,
    `border${side}`,
    `border${side}-width`,
    `border${side}-style`,
    `border${side}-color`,
  ]),
  "border-radius",
];
const allowedStyles: Record<string, RegExp[]> = Object.fromEntries(
  styleProperties.map((property) => [property, [PLAIN_VALUE, RGB_VALUE]]),
);
allowedStyles.display = [DISPLAY_VALUE];

const tableCell = ["colspan", "rowspan", "align", "valign", "width", "height", "bgcolor", "nowrap"];

const baseOptions: sanitizeHtml.IOptions = {
  allowedTags: [
    ...["address", "article", "aside", "footer", "header", "section", "main", "nav", "center"],
    ...["h1", "h2", "h3", "h4", "h5", "h6", "hgroup"],
    ...["blockquote", "dd", "div", "dl", "dt", "figcaption", "figure", "hr", "li", "ol", "p", "pre", "ul"],
    ...["a", "abbr", "b", "bdi", "bdo", "big", "br", "cite", "code", "del", "dfn", "em", "font", "i"],
    ...["ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup"],
    ...["time", "tt", "u", "var", "wbr", "img", "details", "summary"],
    ...["caption", "col", "colgroup", "table", "tbody", "td", "tfoot", "th", "thead", "tr"],
  ],
  // Everything else (script, style, iframe, object, embed, form, input, button, base, meta, link,
  // svg, math, template…) is dropped; for the listed ones their content goes too.
  disallowedTagsMode: "discard",
  nonTextTags: ["script", "style", "textarea", "option", "xmp", "noscript", "title", "template", "head"],
  allowedAttributes: {
    "*": ["style", "dir", "lang", "title", "align"],
    a: ["href", "name", "target", "rel"],
    img: ["src", "alt", "width", "height"],
    font: ["color", "face", "size"],
    table: ["width", "border", "cellpadding", "cellspacing", "bgcolor", "summary"],
    td: tableCell,
    th: [...tableCell, "scope"],
    tr: ["valign", "bgcolor"],
    col: ["span", "width"],
    colgroup: ["span", "width"],
    ol: ["start", "type", "reversed"],
    ul: ["type"],
    li: ["value"],
    blockquote: ["cite"],
    q: ["cite"],
    time: ["datetime"],
  },
  allowedSchemes: ["http", "https", "mailto", "tel"],
  allowedSchemesByTag: { img: ["http", "https", "data"] },
  allowedSchemesAppliedToAttributes: ["href", "src", "cite"],
  allowProtocolRelative: false,
  allowedStyles: { "*": allowedStyles },
  // Deeply nested markup is flattened past this depth instead of costing the parser and the browser.
  nestingLimit: 100,
};

/**
 * The sanitized body of a customer's (or an agent's) HTML email, ready to put inside <body>, and how
 * many remote images were held back (so the app can offer to load them).
 */
export function sanitizeEmailHtml(
  html: string,
  options: SanitizeOptions,
): { html: string; blockedImages: number } {
  let blockedImages = 0;
  const source = (raw: string) => {
    const src = imageSource(raw, options);
    if (src === BLOCKED_IMAGE_PLACEHOLDER && /^\s*https?:/i.test(raw)) blockedImages += 1;
    return src;
  };
  const sanitized = sanitizeHtml(html, {
    ...baseOptions,
    transformTags: {
      a: (tagName, attribs) => ({
        tagName,
        attribs: { ...attribs, target: "_blank", rel: "noopener noreferrer" },
      }),
      img: (tagName, attribs) => ({
        tagName,
        attribs: { ...attribs, src: source(attribs.src ?? "") },
      }),
    },
  });
  return { html: sanitized, blockedImages };
}

/** Where an image may load from: our attachment URLs, small raster data URLs, or remote when allowed. */
function imageSource(raw: string, options: SanitizeOptions): string {
  const src = raw.trim();
  if (/^cid:/i.test(src)) {
    return (
      options.resolveCid(decodeURIComponent(src.slice(4)).replace(/^<|>$/g, "")) ?? BLOCKED_IMAGE_PLACEHOLDER
    );
  }
  if (/^data:/i.test(src)) return RASTER_DATA_URL.test(src) ? src : BLOCKED_IMAGE_PLACEHOLDER;
  const own = options.ownAttachmentUrl(src);
  if (own) return own;
  if (options.allowRemoteImages && /^https?:\/\//i.test(src)) return src;
  return BLOCKED_IMAGE_PLACEHOLDER;
}
