import { describe, expect, it } from "vitest";
import { secretBox } from "./secret-box.ts";

const master = "a-test-master-secret-of-at-least-32-chars";

describe("secret box", () => {
  it("opens what it sealed, and seals the same text differently each time", () => {
    const box = secretBox(master, "webhooks");
    const first = box.seal("whsec_abc");
    const second = box.seal("whsec_abc");
    expect(first).not.toBe(second);
    expect(first).not.toContain("whsec_abc");
    expect(box.open(first)).toBe("whsec_abc");
    expect(box.open(second)).toBe("whsec_abc");
  });

  it("refuses a value sealed for another purpose or under another master secret", () => {
    const sealed = secretBox(master, "webhooks").seal("s3cret");
    expect(() => secretBox(master, "smtp").open(sealed)).toThrow();
    expect(() => secretBox(`${master}-rotated`, "webhooks").open(sealed)).toThrow();
  });

  it("refuses a tampered or truncated value", () => {
    const box = secretBox(master, "webhooks");
    const sealed = box.seal("s3cret");
    const bytes = Buffer.from(sealed.slice(3), "base64url");
    bytes[bytes.length - 1] ^= 1;
    expect(() => box.open(`v1.${bytes.toString("base64url")}`)).toThrow();
    expect(() => box.open("v1.AAAA")).toThrow(/truncated/);
    expect(() => box.open("plain text")).toThrow(/not a sealed value/);
  });
});
