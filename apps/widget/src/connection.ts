/*
 * The visitor's connection: one session call for the token, then a WebSocket that authenticates with
 * its first frame, reconnects with growing pauses, and on each reconnect asks only for the messages
 * after the last one it holds. Messages not yet acknowledged are sent again after a reconnect; the
 * client id lets the widget match the acknowledgement to what it showed as "sending".
 */

export interface ChatAttachment {
  id: string;
  filename: string;
  content_type: string;
  size_bytes: number;
}

export interface ChatMessage {
  id: string;
  attachments?: ChatAttachment[];
  from: "visitor" | "agent";
  body: string;
  created_at: string;
  agent: { name: string } | null;
  client_id?: string;
  state?: "sending" | "failed";
}

export interface Availability {
  online: boolean;
  founder?: { name: string; avatar_url: string } | null;
  open: boolean;
  next_open_at: string | null;
  reply_time: "minutes" | "hours" | "day";
}

/** The satisfaction question after a resolve; question null means the widget's own translated words. */
export interface ChatSurvey {
  survey_id: string;
  question: string | null;
  choices: string[];
  rating: string | null;
  comment: string | null;
}

export interface ChatState {
  status: "connecting" | "ready" | "reconnecting" | "refused";
  messages: ChatMessage[];
  typing: string | null;
  seenAt: string | null;
  availability: Availability | null;
  email: string | null;
  /** The site signed this visitor's identity: billing actions may be offered. */
  verified: boolean;
  error: string | null;
  survey: ChatSurvey | null;
}

type Frame = Record<string, unknown> & { type: string };

export class ChatConnection {
  state: ChatState = {
    status: "connecting",
    messages: [],
    typing: null,
    seenAt: null,
    availability: null,
    email: null,
    verified: false,
    error: null,
    survey: null,
  };
  readonly #key: string;
  readonly #storageKey: string;
  readonly #onChange: (state: ChatState) => void;
  #identity: unknown = null;
  #token: string | null = null;
  #socket: WebSocket | null = null;
  #attempt = 0;
  #typingTimer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #attributes: Record<string, unknown> = {};
  #page: { url?: string; title?: string } = {};
  /** The language the widget shows (so mail continuing the chat uses it too). */
  #language: string | null = null;

  constructor(key: string, onChange: (state: ChatState) => void) {
    this.#key = key;
    this.#storageKey = `keepwell:${key}:visitor`;
    this.#onChange = onChange;
    try {
      this.#token = localStorage.getItem(this.#storageKey);
    } catch {
      // Storage may be blocked; the chat then lasts as long as the frame.
    }
  }

  #set(patch: Partial<ChatState>): void {
    this.state = { ...this.state, ...patch };
    this.#onChange(this.state);
  }

  async start(identity: unknown): Promise<void> {
    this.#identity = identity;
    await this.#session();
  }

  /** A new identity from the host page (login or logout) starts the matching session. */
  async identify(identity: unknown): Promise<void> {
    if (JSON.stringify(identity) === JSON.stringify(this.#identity)) return;
    this.#identity = identity;
    this.#socket?.close();
    this.#set({ messages: [], status: "connecting" });
    await this.#session();
  }

  async #session(): Promise<void> {
    const body: Record<string, unknown> = {};
    if (this.#token) body.token = this.#token;
    if (this.#identity) body.identity = this.#identity;
    let response: Response;
    try {
      response = await fetch(`/widget/v1/${this.#key}/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    } catch {
      return this.#retry();
    }
    const result = await response.json().catch(() => ({}));
    if (!response.ok) {
      const refused = response.status === 403;
      this.#set({ status: refused ? "refused" : "reconnecting", error: result.title ?? "Error" });
      if (!refused) this.#retry();
      return;
    }
    this.#token = result.token;
    try {
      localStorage.setItem(this.#storageKey, result.token);
    } catch {
      // see constructor
    }
    this.#set({
      email: result.visitor?.email ?? null,
      verified: result.identity_verified === true,
      error: null,
    });
    this.#connect();
  }

  #retry(): void {
    if (this.#stopped) return;
    this.#attempt += 1;
    const delay = Math.min(15_000, 500 * 2 ** Math.min(this.#attempt, 5)) * (0.75 + Math.random() / 2);
    setTimeout(() => (this.#token ? this.#connect() : void this.#session()), delay);
  }

  #connect(): void {
    const url = `${location.origin.replace(/^http/, "ws")}/widget/v1/${this.#key}/socket`;
    const socket = new WebSocket(url);
    this.#socket = socket;
    socket.onopen = () => {
      const last = [...this.state.messages].reverse().find((m) => !m.state);
      socket.send(JSON.stringify({ type: "auth", token: this.#token, ...(last ? { after: last.id } : {}) }));
    };
    socket.onmessage = (event) => {
      try {
        this.#onFrame(JSON.parse(String(event.data)) as Frame);
      } catch {
        // A frame we cannot read is skipped.
      }
    };
    socket.onclose = (event) => {
      if (this.#socket !== socket || this.#stopped) return;
      this.#socket = null;
      if (event.code === 4401) {
        // The token is gone: start a fresh session.
        this.#token = null;
        this.#set({ status: "reconnecting" });
        void this.#session();
        return;
      }
      this.#set({ status: "reconnecting" });
      this.#retry();
    };
  }

  #onFrame(frame: Frame): void {
    switch (frame.type) {
      case "ready": {
        this.#attempt = 0;
        const incoming = frame.messages as ChatMessage[];
        const merged = frame.catch_up ? this.#merge(this.state.messages, incoming) : incoming;
        // Pending messages the server already stored came back in the catch-up; resend only the rest.
        const stored = new Set(incoming.map((m) => m.client_id).filter(Boolean));
        const pending = this.state.messages.filter((m) => m.state && !stored.has(m.client_id));
        this.#set({
          status: "ready",
          messages: [...merged.filter((m) => !m.state), ...pending],
          availability: frame.availability as Availability,
          survey: (frame.survey as ChatSurvey | null) ?? null,
        });
        for (const message of pending) this.#sendFrame(message);
        if (Object.keys(this.#attributes).length > 0)
          this.#raw({ type: "attributes", attributes: this.#attributes });
        this.#sendContext();
        return;
      }
      case "ack":
      case "message": {
        const message = frame.message as ChatMessage;
        this.#set({ messages: this.#merge(this.state.messages, [message]), typing: null });
        if (message.from === "agent")
          window.parent.postMessage(
            { kw: 1, type: "event", name: "message", detail: { body: message.body } },
            "*",
          );
        return;
      }
      case "typing": {
        clearTimeout(this.#typingTimer);
        this.#set({ typing: (frame.agent as { name: string }).name });
        this.#typingTimer = setTimeout(() => this.#set({ typing: null }), 5000);
        return;
      }
      case "availability":
        this.#set({ availability: frame.availability as Availability });
        return;
      case "seen":
        this.#set({ seenAt: String(frame.at) });
        return;
      case "status":
        // A reopened chat is a conversation again: the question belonged to the resolve before.
        if (frame.status !== "resolved") this.#set({ survey: null });
        return;
      case "survey":
        this.#set({ survey: frame.survey as ChatSurvey, error: null });
        return;
      case "email_saved":
        this.#set({ email: String(frame.email), error: null });
        return;
      case "error": {
        const clientId = frame.client_id as string | undefined;
        const messages = clientId
          ? this.state.messages.map((m) =>
              m.client_id === clientId && m.state ? { ...m, state: "failed" as const } : m,
            )
          : this.state.messages;
        this.#set({ messages, error: String(frame.message ?? "Error") });
        return;
      }
    }
  }

  /** Adds messages by id, replacing the "sending" copy that carries the same client id. */
  #merge(current: ChatMessage[], incoming: ChatMessage[]): ChatMessage[] {
    let list = current;
    for (const message of incoming) {
      list = list.filter(
        (m) => m.id !== message.id && !(message.client_id && m.client_id === message.client_id),
      );
      list = [...list, message];
    }
    return list.sort(
      (a, b) => (a.state ? 1 : 0) - (b.state ? 1 : 0) || a.created_at.localeCompare(b.created_at),
    );
  }

  send(body: string, attachments: ChatAttachment[] = []): void {
    const clientId = `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const message: ChatMessage = {
      id: clientId,
      client_id: clientId,
      from: "visitor",
      body,
      attachments,
      created_at: new Date().toISOString(),
      agent: null,
      state: "sending",
    };
    this.#set({ messages: [...this.state.messages, message], error: null });
    this.#sendFrame(message);
  }

  retry(message: ChatMessage): void {
    this.#set({
      messages: this.state.messages.map((m) => (m === message ? { ...m, state: "sending" as const } : m)),
    });
    this.#sendFrame(message);
  }

  #sendFrame(message: ChatMessage): void {
    this.#raw({
      type: "message",
      body: message.body,
      client_id: message.client_id,
      ...(message.attachments?.length ? { attachment_ids: message.attachments.map((a) => a.id) } : {}),
    });
  }

  /** Uploads a file with the visitor's token and sends it as a message; the error says why not. */
  async sendFile(file: File, words: { tooBig: string; wrongType: string }): Promise<void> {
    if (file.size > 10 * 1024 * 1024) return this.#set({ error: words.tooBig });
    if (!/^(image\/(png|jpeg|gif|webp)|application\/pdf|text\/(plain|csv))$/.test(file.type)) {
      return this.#set({ error: words.wrongType });
    }
    const form = new FormData();
    form.append("file", file, file.name);
    const response = await fetch(`/widget/v1/${this.#key}/uploads`, {
      method: "POST",
      headers: { authorization: `Visitor ${this.#token}` },
      body: form,
    }).catch(() => null);
    const result = await response?.json().catch(() => ({}));
    if (!response?.ok) return this.#set({ error: result?.title ?? "Upload failed" });
    this.send("", [result as ChatAttachment]);
  }

  /** The host page the visitor is on (from the loader), told to agents with the browser's language and zone. */
  setPage(page: unknown): void {
    if (typeof page !== "object" || page === null) return;
    this.#page = page as { url?: string; title?: string };
    this.#sendContext();
  }

  /** The language the visitor sees the widget in; the server mails them in it. */
  setLanguage(language: string): void {
    if (language === this.#language) return;
    this.#language = language;
    if (this.state.status === "ready") this.#sendContext();
  }

  #sendContext(): void {
    let timeZone: string | undefined;
    try {
      timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch {
      // An old browser without zones: agents see no local time.
    }
    this.#raw({
      type: "context",
      page_url: this.#page.url,
      page_title: this.#page.title,
      language: navigator.language,
      ...(this.#language ? { widget_language: this.#language } : {}),
      time_zone: timeZone,
    });
  }

  /** The signed pause-or-cancel page of a verified customer's subscription; null when there is none. */
  async pauseLink(): Promise<string | null> {
    const response = await fetch(`/billing/widget/${this.#key}/pause-link`, {
      method: "POST",
      headers: { authorization: `Visitor ${this.#token}` },
    }).catch(() => null);
    if (!response?.ok) return null;
    return ((await response.json()) as { url: string }).url;
  }

  /** Downloads a file of the conversation with the visitor's token (never put in a URL). */
  async download(file: ChatAttachment): Promise<void> {
    const response = await fetch(`/widget/v1/${this.#key}/attachments/${file.id}`, {
      headers: { authorization: `Visitor ${this.#token}` },
    });
    if (!response.ok) {
      this.#set({ error: (await response.json().catch(() => ({}))).title ?? "Download failed" });
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement("a");
    link.href = url;
    link.download = file.filename;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  /** The host page's attributes for this visitor, sent now and again after each reconnect. */
  setAttributes(attributes: unknown): void {
    if (typeof attributes !== "object" || attributes === null) return;
    this.#attributes = { ...this.#attributes, ...(attributes as Record<string, unknown>) };
    this.#raw({ type: "attributes", attributes: this.#attributes });
  }

  typing(): void {
    this.#raw({ type: "typing" });
  }

  read(): void {
    this.#raw({ type: "read" });
  }

  /** A click on a survey choice; a later click changes the answer. */
  rate(rating: string): void {
    const survey = this.state.survey;
    if (survey) this.#raw({ type: "survey_rate", survey_id: survey.survey_id, rating });
  }

  comment(text: string): void {
    const survey = this.state.survey;
    if (survey) this.#raw({ type: "survey_comment", survey_id: survey.survey_id, comment: text });
  }

  saveEmail(email: string): void {
    this.#raw({ type: "email", email });
  }

  #raw(frame: Frame): void {
    if (this.#socket?.readyState === WebSocket.OPEN && this.state.status === "ready") {
      this.#socket.send(JSON.stringify(frame));
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#socket?.close();
  }
}
