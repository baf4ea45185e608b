import MarkdownIt from "markdown-it";
import sanitizeHtml from "sanitize-html";

/*
 * Articles are written in Markdown and shown to anyone. markdown-it renders them (raw HTML allowed,
 * so authors can write a table or a <kbd>), then sanitize-html keeps only an allowlist: no script,
 * style, iframe, form or svg element, no event attribute, no javascript: or data: URL. What the
 * sanitizer lets through is inert even before the page's own Content-Security-Policy.
 */

const markdown = new MarkdownIt({ html: true, linkify: true, typographer: false });

const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: [
    ...["h1", "h2", "h3", "h4", "h5", "h6", "p", "blockquote", "pre", "code", "hr", "br"],
    ...["ul", "ol", "li", "dl", "dt", "dd", "a", "img", "figure", "figcaption"],
    ...["strong", "em", "b", "i", "u", "s", "del", "ins", "mark", "kbd", "samp", "sub", "sup", "small"],
    ...["abbr", "span", "div", "details", "summary"],
    ...["table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption"],
  ],
  disallowedTagsMode: "discard",
  nonTextTags: ["script", "style", "textarea", "option", "noscript", "title", "template", "xmp"],
  allowedAttributes: {
    "*": ["dir", "lang", "title"],
    a: ["href", "name"],
    img: ["src", "alt", "width", "height"],
    th: ["colspan", "rowspan", "scope", "align"],
    td: ["colspan", "rowspan", "align"],
    ol: ["start", "reversed"],
    code: ["class"],
  },
  allowedClasses: { code: ["language-*"] },
  allowedSchemes: ["http", "https", "mailto", "tel"],
  allowedSchemesByTag: { img: ["http", "https"] },
  allowedSchemesAppliedToAttributes: ["href", "src"],
  allowProtocolRelative: false,
  transformTags: {
    // Links leave without the reader's referrer and without lending them our ranking.
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: "noopener noreferrer nofollow" } }),
    img: (tagName, attribs) => ({ tagName, attribs: { ...attribs, loading: "lazy" } }),
  },
  nestingLimit: 50,
};
// The two attributes the transforms add must survive the allowlist.
sanitizeOptions.allowedAttributes = {
  ...sanitizeOptions.allowedAttributes,
  a: ["href", "name", "rel"],
  img: ["src", "alt", "width", "height", "loading"],
};

/** Sanitized HTML of a Markdown text, safe to put into any page. */
export function renderMarkdown(source: string): string {
  return sanitizeHtml(markdown.render(source), sanitizeOptions);
}

/** The readable words of a Markdown text (what search indexes and snippets quote), without markup. */
export function markdownToText(source: string): string {
  const parts: string[] = [];
  for (const token of markdown.parse(source, {})) {
    if (token.type === "inline") {
      for (const child of token.children ?? []) {
        if (child.type === "text" || child.type === "code_inline") parts.push(child.content);
        else if (child.type === "image") parts.push(child.content);
        else if (child.type === "softbreak" || child.type === "hardbreak") parts.push(" ");
      }
      parts.push("\n");
    } else if (token.type === "fence" || token.type === "code_block") {
      parts.push(token.content, "\n");
    }
  }
  return parts
    .join("")
    .replace(/[ \t]+/g, " ")
    .replace(/\s*\n\s*/g, "\n")
    .trim();
}

/**
 * Latin letters without their accents and tone marks ("Yorùbá" → "Yoruba"), so that a reader who
 * types without them still finds the article. Marks on other scripts (Bengali or Tamil vowel signs)
 * are part of the letter and stay.
 */
export function foldLatin(text: string): string {
  return text
    .normalize("NFD")
    .replace(/(?<=\p{Script=Latin})\p{M}+/gu, "")
    .normalize("NFC");
}

/** The folded words of a text that differ from the text itself: indexed beside it, at low weight. */
export function foldedExtra(text: string): string {
  const words = new Set<string>();
  for (const word of text.split(/\s+/u)) {
    const folded = foldLatin(word);
    if (folded !== word) words.add(folded);
  }
  return [...words].join(" ");
}
