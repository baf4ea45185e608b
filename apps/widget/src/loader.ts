/*
 * The embed loader: `<script src="https://desk.example.com/widget.js" data-keepwell-widget="kwc_…">`.
 * It draws only a launcher button, in a closed shadow root so the host page's CSS cannot restyle it,
 * and creates the chat frame (served from the Keepwell origin) the first time the visitor opens it.
 * The host page talks to the chat only through window.Keepwell(...) and postMessage to that origin.
 */

type Listener = (detail?: unknown) => void;
type Command = "open" | "close" | "toggle" | "identify" | "setAttributes" | "on" | "off";
interface KeepwellApi {
  (command: Command, ...args: unknown[]): void;
  q?: unknown[][];
}

declare global {
  interface Window {
    Keepwell?: KeepwellApi;
  }
}

export {};

(() => {
  const script =
    (document.currentScript as HTMLScriptElement | null) ??
    document.querySelector<HTMLScriptElement>("script[data-keepwell-widget]");
  if (!script || (window.Keepwell && !window.Keepwell.q)) return;
  const key = script.dataset.keepwellWidget ?? "";
  const origin = new URL(script.src, location.href).origin;
  const queued = window.Keepwell?.q ?? [];

  const listeners: Record<string, Listener[]> = {};
  let identity: unknown = null;
  let attributes: Record<string, unknown> = {};
  let frame: HTMLIFrameElement | null = null;
  let frameReady = false;
  let isOpen = false;
  let color = "#2563eb";

  const emit = (event: string, detail?: unknown) => {
    for (const fn of listeners[event] ?? []) {
      try {
        fn(detail);
      } catch {
        // A host page's callback must not break the widget.
      }
    }
  };

  const host = document.createElement("div");
  host.setAttribute("data-keepwell", "");
  host.style.cssText = "position:fixed;right:20px;bottom:20px;z-index:2147483000;";
  const shadow = host.attachShadow({ mode: "closed" });
  shadow.innerHTML = `<style>
    :host { all: initial; }
    button { all: unset; box-sizing: border-box; width: 56px; height: 56px; border-radius: 50%;
      display: flex; align-items: center; justify-content: center; cursor: pointer;
      box-shadow: 0 4px 14px rgba(0,0,0,.25); color: #fff; background: var(--kw-color, #2563eb); }
    button:focus-visible { outline: 3px solid #111; outline-offset: 2px; }
    .panel { position: fixed; right: 20px; bottom: 88px; width: min(380px, calc(100vw - 24px));
      height: min(600px, calc(100vh - 110px)); border-radius: 12px; overflow: hidden;
      box-shadow: 0 8px 30px rgba(0,0,0,.3); background: #fff; display: none; }
    .panel.open { display: block; }
    iframe { border: 0; width: 100%; height: 100%; display: block; }
    .badge { position: absolute; top: -4px; right: -4px; min-width: 18px; height: 18px; border-radius: 9px;
      background: #dc2626; color: #fff; font: 600 11px/18px system-ui, sans-serif; text-align: center; display: none; }
  </style>
  <div class="panel" part="panel"></div>
  <button type="button" aria-label="Chat with us" aria-expanded="false">
    <svg width="26" height="26" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true">
      <path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/>
    </svg>
  </button>
  <span class="badge"></span>`;
  const panel = shadow.querySelector(".panel") as HTMLDivElement;
  const button = shadow.querySelector("button") as HTMLButtonElement;
  const badge = shadow.querySelector(".badge") as HTMLSpanElement;

  // The page the visitor is on, for agents (single-page apps change it without reloading).
  const pageInfo = () => ({ url: location.href, title: document.title });

  const post = (message: Record<string, unknown>) => {
    if (frame?.contentWindow && frameReady) frame.contentWindow.postMessage({ kw: 1, ...message }, origin);
  };

  const setOpen = (open: boolean) => {
    if (open === isOpen) return;
    isOpen = open;
    if (open && !frame) {
      frame = document.createElement("iframe");
      frame.title = "Chat";
      frame.allow = "clipboard-write";
      const lang = script.dataset.lang ?? navigator.language;
      frame.src = `${origin}/widget/frame/${encodeURIComponent(key)}#lang=${encodeURIComponent(lang)}`;
      panel.appendChild(frame);
    }
    panel.classList.toggle("open", open);
    button.setAttribute("aria-expanded", String(open));
    if (open) badge.style.display = "none";
    post({ type: open ? "open" : "close", page: pageInfo() });
    emit(open ? "open" : "close");
  };

  button.addEventListener("click", () => setOpen(!isOpen));

  window.addEventListener("message", (event) => {
    if (event.origin !== origin || !frame || event.source !== frame.contentWindow) return;
    const data = event.data as { kw?: number; type?: string; [k: string]: unknown };
    if (data?.kw !== 1) return;
    if (data.type === "hello") {
      frameReady = true;
      post({ type: "init", identity, attributes, open: isOpen, page: pageInfo() });
    } else if (data.type === "config" && typeof data.color === "string") {
      color = data.color;
      button.style.setProperty("--kw-color", color);
    } else if (data.type === "close") {
      setOpen(false);
    } else if (data.type === "unread" && !isOpen) {
      badge.textContent = String(data.count);
      badge.style.display = Number(data.count) > 0 ? "block" : "none";
    } else if (data.type === "event" && typeof data.name === "string") {
      emit(data.name, data.detail);
    }
  });

  const api: KeepwellApi = (command, ...args) => {
    switch (command) {
      case "open":
        return setOpen(true);
      case "close":
        return setOpen(false);
      case "toggle":
        return setOpen(!isOpen);
      case "identify":
        identity = args[0] ?? null;
        return post({ type: "identify", identity });
      case "setAttributes":
        attributes = { ...attributes, ...(args[0] as Record<string, unknown>) };
        return post({ type: "attributes", attributes });
      case "on":
        if (typeof args[0] === "string" && typeof args[1] === "function") {
          listeners[args[0]] = [...(listeners[args[0]] ?? []), args[1] as Listener];
        }
        return;
      case "off":
        if (typeof args[0] === "string") {
          listeners[args[0]] = (listeners[args[0]] ?? []).filter((fn) => fn !== args[1]);
        }
        return;
    }
  };
  window.Keepwell = api;

  const mount = () => {
    document.body.appendChild(host);
    // The launcher wears the inbox's colour before the frame exists.
    fetch(`${origin}/widget/v1/${encodeURIComponent(key)}/config`)
      .then((r) => (r.ok ? r.json() : null))
      .then((config) => config?.color && button.style.setProperty("--kw-color", config.color))
      .catch(() => {});
    for (const call of queued) api(...(call as [Command, ...unknown[]]));
    emit("ready");
  };
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
