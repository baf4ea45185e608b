import { DomUtils, parseDocument } from "htmlparser2";

type Node = ReturnType<typeof parseDocument>["children"][number];
type Element = Parameters<Parameters<typeof DomUtils.findOne>[0]>[0];

/*
 * Folds the quoted thread of an HTML reply behind a <details> element, so the agent reads what the
 * customer just wrote first and opens the rest with one click, with no script (the display page
 * runs none). Mail clients mark where their quote starts; the marker and everything after it at the
 * same level is folded. Runs before the sanitizer, which still sees the whole result.
 */

const QUOTE_CLASSES = [
  "gmail_quote",
  "yahoo_quoted",
  "moz-cite-prefix",
  "ms-outlook-mobile-reference-message",
];
const QUOTE_IDS = ["divrplyfwdmsg", "appendonsend", "mail-editor-reference-message-container"];

function isQuoteMarker(node: Element): boolean {
  const classes = (node.attribs.class ?? "").toLowerCase().split(/\s+/);
  if (QUOTE_CLASSES.some((c) => classes.includes(c))) return true;
  if (QUOTE_IDS.includes((node.attribs.id ?? "").toLowerCase())) return true;
  return node.name === "blockquote" && (node.attribs.type ?? "").toLowerCase() === "cite";
}

export function foldQuotedHtml(html: string): { html: string; folded: boolean } {
  const document = parseDocument(html);
  const marker = DomUtils.findOne(isQuoteMarker, document.children, true);
  const parent = marker?.parent;
  if (!marker || !parent) return { html, folded: false };
  const quoted = parent.children.slice(parent.children.indexOf(marker));
  for (const node of quoted) DomUtils.removeElement(node);
  // Nothing new outside the quote (a forward, or a quote-only message): show everything.
  if (!document.children.some(hasVisibleContent)) return { html, folded: false };
  const folded = parseDocument(
    `<details><summary>Show quoted text</summary>${DomUtils.getOuterHTML(quoted)}</details>`,
  ).children[0];
  DomUtils.appendChild(parent, folded);
  return { html: DomUtils.getOuterHTML(document.children), folded: true };
}

function hasVisibleContent(node: Node): boolean {
  if (DomUtils.textContent(node).trim().length > 0) return true;
  if (!("name" in node) || !("children" in node)) return false;
  return node.name === "img" || DomUtils.findOne((n) => n.name === "img", node.children, true) !== null;
}
