import { Extension } from "@tiptap/core";
import { Placeholder } from "@tiptap/extensions";
import { EditorContent, useEditor, useEditorState } from "@tiptap/react";
import StarterKit from "@tiptap/starter-kit";
import { type Ref, useEffect, useImperativeHandle, useRef } from "react";
import "./rich-editor.css";
import { cleanPastedHtml, type DocNode, docToText, textToHtml } from "./rich-text.ts";

/** What the composer asks of the editor, whichever editor library sits behind it. */
export interface RichEditorHandle {
  focus(): void;
  /** Inserts plain text (blank lines make paragraphs) at the caret, or over `replace`. */
  insertText(text: string, replace?: { from: number; to: number }): void;
  /** Adds plain text as new paragraphs after what is there. */
  appendText(text: string): void;
  caret(): number;
  clear(): void;
}

export interface RichEditorProps {
  initialHtml: string;
  label: string;
  placeholder: string;
  describedBy?: string;
  handle: Ref<RichEditorHandle>;
  onChange: (html: string, text: string) => void;
  onSubmit: () => void;
  /** A "/" typed at a line's start or after a space, at this document position. */
  onSlash: (at: number) => void;
  onPasteFiles: (files: FileList) => void;
  /** Called once the editor exists, so a focus asked for while it loaded can happen now. */
  onReady: () => void;
}

/**
 * The rich text field of the composer: bold, italic, links, lists, code and quotes, nothing
 * else, so what is sent is clean HTML. Loaded on first use, outside the app's first download.
 */
export function RichEditor(props: RichEditorProps) {
  // The editor is built once; its callbacks read the latest props through this ref.
  const latest = useRef(props);
  latest.current = props;

  const editor = useEditor({
    // The app's CSP allows no inline <style>; the editor's base rules live in rich-editor.css.
    injectCSS: false,
    extensions: [
      StarterKit.configure({
        heading: false,
        horizontalRule: false,
        strike: false,
        underline: false,
        link: { openOnClick: false, autolink: true, defaultProtocol: "https" },
      }),
      Placeholder.configure({ placeholder: () => latest.current.placeholder }),
      SendShortcut.configure({ submit: () => latest.current.onSubmit() }),
    ],
    content: props.initialHtml,
    editorProps: {
      attributes: {
        id: "composer-text",
        class: "composer-editor",
        role: "textbox",
        "aria-multiline": "true",
        "aria-label": props.label,
      },
      transformPastedHTML: cleanPastedHtml,
      handleTextInput(view, from, _to, text) {
        if (text !== "/") return false;
        const before = view.state.doc.textBetween(Math.max(0, from - 1), from, "\n", "\n");
        const atLineStart = view.state.doc.resolve(from).parentOffset === 0;
        if (atLineStart || /^\s$/u.test(before)) queueMicrotask(() => latest.current.onSlash(from));
        return false;
      },
      handlePaste(_view, event) {
        const files = event.clipboardData?.files;
        if (!files || files.length === 0 || event.clipboardData?.types.includes("text/html")) return false;
        latest.current.onPasteFiles(files);
        return true;
      },
    },
    onUpdate({ editor }) {
      latest.current.onChange(editor.isEmpty ? "" : editor.getHTML(), docToText(editor.getJSON() as DocNode));
    },
  });

  // The label and the error it points to change with the mode and the last send.
  const attributes = editor.options.editorProps.attributes as Record<string, string>;
  if (attributes["aria-label"] !== props.label || attributes["aria-describedby"] !== props.describedBy) {
    editor.setOptions({
      editorProps: {
        ...editor.options.editorProps,
        attributes: {
          ...attributes,
          "aria-label": props.label,
          ...(props.describedBy ? { "aria-describedby": props.describedBy } : { "aria-describedby": "" }),
        },
      },
    });
  }

  useImperativeHandle(
    props.handle,
    () => ({
      // ProseMirror's own focus is immediate; Tiptap's focus command waits for the next frame.
      focus: () => editor.view.focus(),
      insertText(text, replace) {
        const chain = editor.chain().focus();
        (replace
          ? chain.insertContentAt(replace, textToHtml(text))
          : chain.insertContent(textToHtml(text))
        ).run();
      },
      appendText(text) {
        editor.chain().focus("end").insertContentAt(editor.state.doc.content.size, textToHtml(text)).run();
      },
      caret: () => editor.state.selection.from,
      clear: () => editor.commands.clearContent(true),
    }),
    [editor],
  );

  useEffect(() => latest.current.onReady(), []);

  return (
    <div className="rich-editor">
      <Toolbar editor={editor} />
      <EditorContent editor={editor} />
    </div>
  );
}

/** Ctrl/Cmd+Enter sends (outranking the line break the same keys would insert); Escape leaves. */
const SendShortcut = Extension.create<{ submit: () => void }>({
  name: "sendShortcut",
  priority: 1000,
  addOptions: () => ({ submit: () => {} }),
  addKeyboardShortcuts() {
    return {
      "Mod-Enter": () => {
        this.options.submit();
        return true;
      },
      // Leave the field like any text box, so the next key is a shortcut again; the app's own
      // Escape handling still sees the key.
      Escape: () => {
        this.editor.view.dom.blur();
        return false;
      },
    };
  },
});

type Editor = ReturnType<typeof useEditor>;

const MARKS = [
  {
    name: "bold",
    label: "Bold",
    keys: "Ctrl B",
    text: "B",
    run: (e: Editor) => e.chain().focus().toggleBold().run(),
  },
  {
    name: "italic",
    label: "Italic",
    keys: "Ctrl I",
    text: "I",
    run: (e: Editor) => e.chain().focus().toggleItalic().run(),
  },
  {
    name: "code",
    label: "Code",
    keys: "Ctrl E",
    text: "</>",
    run: (e: Editor) => e.chain().focus().toggleCode().run(),
  },
  {
    name: "bulletList",
    label: "Bulleted list",
    keys: "Ctrl Shift 8",
    text: "•",
    run: (e: Editor) => e.chain().focus().toggleBulletList().run(),
  },
  {
    name: "orderedList",
    label: "Numbered list",
    keys: "Ctrl Shift 7",
    text: "1.",
    run: (e: Editor) => e.chain().focus().toggleOrderedList().run(),
  },
  {
    name: "blockquote",
    label: "Quote",
    keys: "Ctrl Shift B",
    text: "❝",
    run: (e: Editor) => e.chain().focus().toggleBlockquote().run(),
  },
] as const;

function Toolbar({ editor }: { editor: Editor }) {
  const active = useEditorState({
    editor,
    selector: ({ editor: e }): Record<string, boolean> =>
      Object.fromEntries([...MARKS.map((m) => m.name), "link"].map((name) => [name, e.isActive(name)])),
  });

  function toggleLink() {
    if (editor.isActive("link")) {
      editor.chain().focus().extendMarkRange("link").unsetLink().run();
      return;
    }
    const href = window.prompt("Link address", "https://")?.trim();
    if (!href || href === "https://") return;
    const chain = editor.chain().focus();
    if (editor.state.selection.empty)
      chain.insertContent({ type: "text", text: href, marks: [{ type: "link", attrs: { href } }] }).run();
    else chain.extendMarkRange("link").setLink({ href }).run();
  }

  return (
    <div className="rich-toolbar" role="toolbar" aria-label="Formatting" aria-controls="composer-text">
      {MARKS.map((m) => (
        <button
          key={m.name}
          type="button"
          className={`icon-button rich-tool rich-tool-${m.name}`}
          aria-label={m.label}
          aria-pressed={active[m.name] === true}
          title={`${m.label} (${m.keys})`}
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => m.run(editor)}
        >
          {m.text}
        </button>
      ))}
      <button
        type="button"
        className="icon-button rich-tool"
        aria-label={active.link ? "Remove link" : "Link"}
        aria-pressed={active.link === true}
        title={active.link ? "Remove link" : "Link"}
        onMouseDown={(e) => e.preventDefault()}
        onClick={toggleLink}
      >
        <LinkIcon />
      </button>
    </div>
  );
}

function LinkIcon() {
  return (
    <svg
      width="16"
      height="16"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      aria-hidden="true"
    >
      <path d="M10 14a4 4 0 0 0 5.66 0l3-3a4 4 0 0 0-5.66-5.66l-1 1" />
      <path d="M14 10a4 4 0 0 0-5.66 0l-3 3a4 4 0 0 0 5.66 5.66l1-1" />
    </svg>
  );
}
