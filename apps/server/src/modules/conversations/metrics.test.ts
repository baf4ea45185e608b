import { describe, expect, it } from "vitest";
import { type ConversationClock, changesForMessage, previewOf } from "./metrics.ts";

const fresh: ConversationClock = {
  status: "open",
  message_count: 0,
  first_customer_message_at: null,
  first_human_response_at: null,
  waiting_since: null,
};
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 9, minute));
const message = (
  kind: "incoming" | "outgoing" | "note" | "activity",
  minute: number,
  sentByHuman = kind === "outgoing",
) => ({
  kind,
  sentByHuman,
  bodyText: `${kind} at ${minute}`,
  at: at(minute),
});

describe("how a message moves its conversation's clock", () => {
  it("starts the wait and the first-response clock with the customer's first message", () => {
    const { changes } = changesForMessage(fresh, message("incoming", 0));
    expect(changes).toMatchObject({
      first_customer_message_at: at(0),
      waiting_since: at(0),
      message_count: 1,
    });
  });

  it("does not restart the wait for a customer who writes again while waiting", () => {
    const waiting = { ...fresh, first_customer_message_at: at(0), waiting_since: at(0), message_count: 1 };
    const { changes } = changesForMessage(waiting, message("incoming", 5));
    expect(changes.waiting_since).toBeUndefined();
    expect(changes.first_customer_message_at).toBeUndefined();
  });

  it("answers the customer only with a human's outgoing message, never a note, an activity or an automated reply", () => {
    const waiting = { ...fresh, first_customer_message_at: at(0), waiting_since: at(0), message_count: 1 };
    for (const other of [message("note", 1), message("activity", 2), message("outgoing", 3, false)]) {
      const { changes } = changesForMessage(waiting, other);
      expect(changes.first_human_response_at, other.kind).toBeUndefined();
      expect(changes.waiting_since, other.kind).toBeUndefined();
    }
    const { changes } = changesForMessage(waiting, message("outgoing", 4));
    expect(changes).toMatchObject({ first_human_response_at: at(4), waiting_since: null });
  });

  it("keeps the first response once set, and ignores replies sent before the customer ever wrote", () => {
    expect(changesForMessage(fresh, message("outgoing", 0)).changes.first_human_response_at).toBeUndefined();
    const answered = {
      ...fresh,
      first_customer_message_at: at(0),
      first_human_response_at: at(3),
      message_count: 3,
    };
    expect(
      changesForMessage(answered, message("outgoing", 9)).changes.first_human_response_at,
    ).toBeUndefined();
  });

  it("reopens a resolved or snoozed conversation on a customer message, and only then", () => {
    for (const status of ["resolved", "snoozed"] as const) {
      const result = changesForMessage({ ...fresh, status }, message("incoming", 0));
      expect(result.reopened).toBe(true);
      expect(result.changes).toMatchObject({ status: "open", snoozed_until: null, resolved_at: null });
    }
    expect(changesForMessage({ ...fresh, status: "resolved" }, message("outgoing", 0)).reopened).toBe(false);
    expect(changesForMessage({ ...fresh, status: "pending" }, message("incoming", 0)).reopened).toBe(false);
  });

  it("changes nothing for an activity line, and keeps notes out of the preview", () => {
    expect(changesForMessage(fresh, message("activity", 0)).changes).toEqual({});
    const note = changesForMessage(fresh, message("note", 0)).changes;
    expect(note.preview).toBeUndefined();
    expect(note.last_activity_at).toEqual(at(0));
  });
});

describe("the preview line", () => {
  it("collapses whitespace and cuts long text at a word, never inside a character", () => {
    expect(previewOf("  Hello\n\n  there  ")).toBe("Hello there");
    expect(previewOf("   ")).toBeNull();
    const long = previewOf(`${"word ".repeat(60)}`)!;
    expect(long.endsWith("word…")).toBe(true);
    const emoji = previewOf("😀".repeat(200))!;
    expect(Array.from(emoji)).toHaveLength(161);
    expect(Buffer.from(emoji).toString()).toBe(emoji);
  });
});
