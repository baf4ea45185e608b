import { describe, expect, it } from "vitest";
import { blockedReason, normalizeWebhookUrl, resolveTarget, TargetRefused } from "./target-guard.ts";

describe("webhook target guard", () => {
  it.each([
    ["127.0.0.1", /loopback/],
    ["127.255.0.9", /loopback/],
    ["::1", /loopback/],
    ["::ffff:127.0.0.1", /IPv6 form of 127\.0\.0\.1, a loopback/],
    ["::ffff:10.1.2.3", /IPv6 form of 10\.1\.2\.3, a private/],
    ["10.0.0.1", /private/],
    ["172.16.0.1", /private/],
    ["172.31.255.255", /private/],
    ["192.168.1.1", /private/],
    ["169.254.169.254", /link-local/],
    ["fe80::1", /link-local/],
    ["fc00::1", /unique-local/],
    ["fd12:3456::1", /unique-local/],
    ["0.0.0.0", /unspecified/],
    ["::", /unspecified/],
    ["224.0.0.1", /multicast/],
    ["ff02::1", /multicast/],
    ["100.64.0.1", /carrier-grade NAT/],
    ["255.255.255.255", /broadcast/],
    ["64:ff9b::a00:1", /special-purpose/],
    // IPv4 embedded in IPv6 by other conventions than ::ffff: is judged by the IPv4 address too.
    ["::127.0.0.1", /127\.0\.0\.1, a loopback/],
    ["::7f00:1", /127\.0\.0\.1, a loopback/],
    ["::a9fe:a9fe", /169\.254\.169\.254, a link-local/],
    ["::ffff:0:7f00:1", /127\.0\.0\.1, a loopback/],
    ["2002:7f00:1::1", /127\.0\.0\.1, a loopback/],
    ["2002:a00:1::", /10\.0\.0\.1, a private/],
  ])("refuses %s as %s", (address, reason) => {
    expect(blockedReason(address)).toMatch(reason);
  });

  it.each(["93.184.216.34", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111"])(
    "accepts the public address %s",
    (address) => {
      expect(blockedReason(address)).toBeNull();
    },
  );

  it("normalizes a good URL and drops its fragment", () => {
    expect(normalizeWebhookUrl("HTTPS://Hooks.Example.com/in?x=1#frag", false)).toBe(
      "https://hooks.example.com/in?x=1",
    );
  });

  it("judges numeric and mapped host spellings by the address they mean", () => {
    for (const url of [
      "http://2130706433/",
      "http://0x7f.1/",
      "http://[::ffff:7f00:1]/",
      "http://127.1/",
      "http://[::127.0.0.1]/",
    ]) {
      expect(() => normalizeWebhookUrl(url, false), url).toThrow(/loopback/);
    }
  });

  it("lets private addresses through only when the operator allows them", () => {
    expect(normalizeWebhookUrl("http://127.0.0.1:9000/hook", true)).toBe("http://127.0.0.1:9000/hook");
    expect(() => normalizeWebhookUrl("ftp://127.0.0.1/", true)).toThrow(/https or http/);
  });

  it("refuses a host name that resolves to a loopback address before connecting", async () => {
    await expect(resolveTarget(new URL("http://localhost:1/"), false)).rejects.toBeInstanceOf(TargetRefused);
    await expect(resolveTarget(new URL("http://localhost:1/"), false)).rejects.toThrow(
      /localhost resolves to .*loopback/,
    );
    const allowed = await resolveTarget(new URL("http://localhost:1/"), true);
    expect(allowed.addresses.length).toBeGreaterThan(0);
  });
});
