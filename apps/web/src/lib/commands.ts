import { useEffect, useRef } from "react";

/*
 * Keyboard shortcuts are commands. The screen that can act on one registers a handler; the most
 * recently mounted handler wins, so the open conversation takes "e" from the list behind it.
 */

export type Command =
  | "next"
  | "previous"
  | "open"
  | "select"
  | "reply"
  | "note"
  | "resolve"
  | "assign"
  | "snooze"
  | "search"
  | "help"
  | "escape";

export const SHORTCUTS: { keys: string[]; command: Command; label: string }[] = [
  { keys: ["j"], command: "next", label: "Next conversation" },
  { keys: ["k"], command: "previous", label: "Previous conversation" },
  { keys: ["Enter"], command: "open", label: "Open the selected conversation" },
  { keys: ["x"], command: "select", label: "Select the conversation for a bulk change" },
  { keys: ["r"], command: "reply", label: "Reply" },
  { keys: ["n"], command: "note", label: "Add an internal note" },
  { keys: ["e"], command: "resolve", label: "Resolve (or reopen)" },
  { keys: ["a"], command: "assign", label: "Assign" },
  { keys: ["s"], command: "snooze", label: "Snooze" },
  { keys: ["/"], command: "search", label: "Search customers" },
  { keys: ["?"], command: "help", label: "Show these shortcuts" },
  { keys: ["Esc"], command: "escape", label: "Leave the field or close the dialog" },
];

const handlers = new Map<Command, (() => void)[]>();

/** Registers a handler for as long as the calling component is mounted. */
export function useCommand(command: Command, handler: () => void, enabled = true): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    if (!enabled) return;
    const run = () => latest.current();
    const list = handlers.get(command) ?? [];
    list.push(run);
    handlers.set(command, list);
    return () => {
      const current = handlers.get(command) ?? [];
      handlers.set(
        command,
        current.filter((h) => h !== run),
      );
    };
  }, [command, enabled]);
}

/** Runs the active handler; false when nothing on screen handles the command. */
export function runCommand(command: Command): boolean {
  const list = handlers.get(command);
  const handler = list?.[list.length - 1];
  if (!handler) return false;
  handler();
  return true;
}

const KEYMAP: Record<string, Command> = {
  j: "next",
  k: "previous",
  Enter: "open",
  x: "select",
  r: "reply",
  n: "note",
  e: "resolve",
  a: "assign",
  s: "snooze",
  "/": "search",
  "?": "help",
};

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
}

/** Turns a keydown into a command, leaving typing, modified keys and native Enter on controls alone. */
export function commandForKey(event: KeyboardEvent): Command | undefined {
  if (event.key === "Escape") return "escape";
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return undefined;
  if (isTyping(event.target)) return undefined;
  const command = KEYMAP[event.key];
  // Enter on a link or a button already does what it says; only a bare Enter opens the selection.
  if (command === "open" && event.target instanceof HTMLElement && event.target.closest("a, button")) {
    return undefined;
  }
  return command;
}
