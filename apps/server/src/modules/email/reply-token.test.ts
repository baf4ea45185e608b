import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { forwardingAddress, forwardingIdPrefix, parseRecipient } from "./addresses.ts";
import { messageIdsIn, outgoingMessageId, replyTargetOfMessageId } from "./message-id.ts";
import { createReplyToken, findReplyToken, verifyReplyToken } from "./reply-token.ts";

const secret = "a-test-secret-that-is-long-enough-0123456789";
const target = { workspaceId: randomUUID(), conversationId: randomUUID() };

describe("reply tokens", () => {
  it("name the workspace and conversation they were made for", () => {
    const token = createReplyToken(secret, target);
    expect(token).toMatch(/^[a-z2-7]{64}$/);
    expect(verifyReplyToken(secret, token)).toEqual(target);
    expect(verifyReplyToken(secret, token.toUpperCase())).toEqual(target);
  });

  it("are refused when made with another secret or changed in any character", () => {
    const token = createReplyToken(secret, target);
    expect(verifyReplyToken(`${secret}x`, token)).toBeNull();
    for (const index of [0, 31, 63]) {
      const flipped = token.slice(0, index) + (token[index] === "a" ? "b" : "a") + token.slice(index + 1);
      expect(verifyReplyToken(secret, flipped)).toBeNull();
    }
    expect(verifyReplyToken(secret, token.slice(1))).toBeNull();
    expect(verifyReplyToken(secret, "not a token")).toBeNull();
  });

  it("are found inside a Message-ID we generated, which stays the same for a retried send", () => {
    const ref = { ...target, messageId: randomUUID() };
    const id = outgoingMessageId(secret, ref, "support.acme.example");
    expect(id).toMatch(/^<[a-z2-7]{64}\.[a-z2-7]{16}@support\.acme\.example>$/);
    expect(outgoingMessageId(secret, ref, "support.acme.example")).toBe(id);
    expect(replyTargetOfMessageId(secret, id)).toEqual(target);
    expect(replyTargetOfMessageId(secret, "<CAF=abc@mail.gmail.com>")).toBeNull();
  });

  it("are found in the +tag of an address", () => {
    const token = createReplyToken(secret, target);
    const parts = parseRecipient(`Support+${token}@Acme.Example`)!;
    expect(parts.base).toBe("support@acme.example");
    expect(findReplyToken(secret, parts.tag!)).toEqual(target);
  });
});

describe("addresses and Message-ID lists", () => {
  it("give each inbox a forwarding address that leads back to it", () => {
    const inboxId = "3f2a9c81-d0e4-4b6f-9a1c-2d3e4f5a6b7c";
    const address = forwardingAddress(inboxId, "mail.keepwell.example");
    expect(address).toBe("inbox-3f2a9c81d0e4@mail.keepwell.example");
    expect(forwardingIdPrefix(parseRecipient(address)!, "mail.keepwell.example")).toBe("3f2a9c81d0e4");
    expect(forwardingIdPrefix(parseRecipient(address)!, "other.example")).toBeNull();
    expect(
      forwardingIdPrefix(parseRecipient("inbox-xyz@mail.keepwell.example")!, "mail.keepwell.example"),
    ).toBeNull();
  });

  it("read In-Reply-To and References however clients fold them", () => {
    expect(messageIdsIn("<a@x>\r\n <b@y>  <a@x>")).toEqual(["a@x", "b@y"]);
    expect(messageIdsIn(["<a@x>", "<c@z>"])).toEqual(["a@x", "c@z"]);
    expect(messageIdsIn("bare@id.example")).toEqual(["bare@id.example"]);
    expect(messageIdsIn(undefined)).toEqual([]);
  });
});
