/* Plain helpers between the editor's document, HTML and the text part of a message. */

/** The shape of a Tiptap/ProseMirror JSON node, as much as the text part needs. */
export interface DocNode {
  type?: string;
  text?: string;
  attrs?: Record<string, unknown>;
  marks?: { type: string; attrs?: Record<string, unknown> }[];
  content?: DocNode[];
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Plain text as editor HTML: blank lines separate paragraphs, single newlines become line breaks. */
export function textToHtml(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((block) => `<p>${escapeHtml(block).replace(/\n/g, "<br>")}</p>`)
    .join("");
}

/** Inline content as text; a link whose words differ from its address keeps the address beside them. */
function inlineText(nodes: DocNode[] = []): string {
  return nodes
    .map((node) => {
      if (node.type === "hardBreak") return "\n";
      const text = node.text ?? inlineText(node.content);
      const href = node.marks?.find((m) => m.type === "link")?.attrs?.href;
      return typeof href === "string" && href !== text ? `${text} (${href})` : text;
    })
    .join("");
}

/**
 * The text part of a rich message, written the way people write plain mail: lists keep their
 * "- " and "1. " markers, quotes their "> ", paragraphs a blank line between them.
 */
export function docToText(doc: DocNode): string {
  return blocks(doc.content ?? [])
    .join("\n\n")
    .trim();
}

function blocks(nodes: DocNode[]): string[] {
  return nodes.map(block).filter((text) => text !== "");
}

function block(node: DocNode): string {
  switch (node.type) {
    case "bulletList":
      return (node.content ?? []).map((item) => indentItem("- ", blocks(item.content ?? []))).join("\n");
    case "orderedList": {
      const start = typeof node.attrs?.start === "number" ? node.attrs.start : 1;
      return (node.content ?? [])
        .map((item, i) => indentItem(`${start + i}. `, blocks(item.content ?? [])))
        .join("\n");
    }
    case "blockquote":
      return blocks(node.content ?? [])
        .join("\n\n")
        .split("\n")
        .map((line) => (line ? `> ${line}` : ">"))
        .join("\n");
    case "codeBlock":
      return inlineText(node.content);
    case "horizontalRule":
      return "---";
    default:
      return node.content?.some((c) => c.type !== "text" && c.type !== "hardBreak")
        ? blocks(node.content).join("\n\n")
        : inlineText(node.content);
  }
}

/** A list item's blocks under its marker, later lines indented to line up with the first. */
function indentItem(marker: string, parts: string[]): string {
  const pad = " ".repeat(marker.length);
  return (marker + parts.join("\n"))
    .split("\n")
    .map((line, i) => (i === 0 ? line : pad + line))
    .join("\n");
}

/**
 * Word and Gmail paste carries Office namespaces, inline styles and comments. The editor's schema
 * already drops every element, attribute and style it does not know; this only removes Word's
 * `<o:p>` spacers, whose contents would otherwise survive as stray blank paragraphs.
 */
export function cleanPastedHtml(html: string): string {
  return html.replace(/<o:p>\s*(&nbsp;)?\s*<\/o:p>/gi, "").replace(/<\/?o:p[^>]*>/gi, "");
}
