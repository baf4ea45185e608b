import { describe, expect, it } from "vitest";
import { foldQuotedText } from "./quoted-text.ts";

describe("quoted text folding", () => {
  it("keeps only the new text above Gmail's 'On … wrote:' line", () => {
    const text =
      "Thanks, that fixed it!\n\nOn Tue, Mar 3, 2026 at 10:00 AM Support <support@acme.example> wrote:\n> Try restarting\n> the app";
    expect(foldQuotedText(text)).toEqual({ visibleText: "Thanks, that fixed it!", folded: true });
  });

  it("folds Outlook's 'From: … Sent:' header block", () => {
    const text =
      "Sounds good.\n\nFrom: Support <support@acme.example>\nSent: Tuesday, March 3, 2026 10:00 AM\nTo: Bob\nSubject: RE: help\n\nTry restarting";
    expect(foldQuotedText(text).visibleText).toBe("Sounds good.");
  });

  it("folds '-----Original Message-----'", () => {
    expect(
      foldQuotedText("Here you go\n\n-----Original Message-----\nFrom: Support\n\nold").visibleText,
    ).toBe("Here you go");
  });

  it("folds the signature after the '-- ' delimiter", () => {
    expect(foldQuotedText("Yes please\n\n-- \nBob Smith\nACME Corp")).toEqual({
      visibleText: "Yes please",
      folded: true,
    });
  });

  it("understands quote headers in other languages", () => {
    expect(
      foldQuotedText("Merci beaucoup\n\nLe mar. 3 mars 2026 à 10:00, Support <s@a.e> a écrit :\n> old")
        .visibleText,
    ).toBe("Merci beaucoup");
    expect(
      foldQuotedText("Danke!\n\nAm 03.03.2026 um 10:00 schrieb Support <s@a.e>:\n> alt\n").visibleText,
    ).toBe("Danke!");
  });

  it("keeps an answer written below '> ' quoted lines", () => {
    expect(foldQuotedText("> quoted first\nthen my answer").visibleText).toBe("then my answer");
  });

  it("shows everything when nothing is quoted, or when only a quote is there", () => {
    expect(foldQuotedText("no quote at all\njust text")).toEqual({
      visibleText: "no quote at all\njust text",
      folded: false,
    });
    expect(foldQuotedText("On Tue, Mar 3, 2026 at 10:00 AM Support wrote:\n> all quoted").folded).toBe(false);
  });

  it("stays quick on hostile input made to make its expressions backtrack", () => {
    // Not a timing assertion: a catastrophic case would hang this test until vitest's timeout.
    const hostile = `On ${" ".repeat(200_000)}x\n${"On a ".repeat(50_000)}`;
    expect(foldQuotedText(hostile).visibleText.length).toBeGreaterThan(0);
  });
});
