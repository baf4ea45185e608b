import { describe, expect, it } from "vitest";
import { classifyAutomatic, readDeliveryReport } from "./automatic.ts";
import { parseEmail } from "./parse.ts";

const parse = (headers: string, body = "Hello") =>
  parseEmail(
    Buffer.from(
      `From: someone@customer.example\r\nTo: support@acme.example\r\n${headers}\r\n\r\n${body}\r\n`,
    ),
  );

describe("recognizing automatic mail", () => {
  it.each([
    ["Auto-Submitted: auto-replied", /Auto-Submitted/],
    ["Auto-Submitted: auto-generated", /Auto-Submitted/],
    ["X-Autoreply: yes", /X-Autoreply/],
    ["X-Autorespond: yes", /X-Autorespond/],
    ["Precedence: bulk", /Precedence: bulk/],
    ["Precedence: junk", /Precedence: junk/],
    ["Precedence: list", /Precedence: list/],
    ["List-Id: <news.customer.example>", /List-Id/],
    ["X-Auto-Response-Suppress: All", /X-Auto-Response-Suppress/],
  ])("marks %s as an auto-reply", async (header, reason) => {
    const verdict = classifyAutomatic(await parse(`Subject: x\r\n${header}`), "someone@customer.example");
    expect(verdict.autoReply).toBe(true);
    expect(verdict.bounce).toBe(false);
    expect(verdict.reasons.join("; ")).toMatch(reason);
  });

  it("leaves a person's mail (Auto-Submitted: no) unmarked", async () => {
    const verdict = classifyAutomatic(
      await parse("Subject: x\r\nAuto-Submitted: no"),
      "someone@customer.example",
    );
    expect(verdict).toEqual({ autoReply: false, bounce: false, reasons: [] });
  });

  it("marks mail with an empty return path as automatic, and MAILER-DAEMON's as a bounce", async () => {
    expect(classifyAutomatic(await parse("Subject: x"), "").autoReply).toBe(true);
    // Over IMAP there is no envelope: the Return-Path header keeps it.
    expect(classifyAutomatic(await parse("Return-Path: <>\r\nSubject: x"), null).autoReply).toBe(true);
    expect(classifyAutomatic(await parse("Return-Path: <a@b.example>\r\nSubject: x"), null).autoReply).toBe(
      false,
    );
    const daemon = await parseEmail(
      Buffer.from("From: MAILER-DAEMON@mx.example\r\nSubject: failure\r\n\r\nNo.\r\n"),
    );
    expect(classifyAutomatic(daemon, "").bounce).toBe(true);
  });

  it("reads the failed recipient, status, reason and original Message-ID from a delivery report", async () => {
    const dsn = await parseEmail(
      Buffer.from(
        [
          "From: postmaster@mx.example",
          'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
          "",
          "--b",
          "Content-Type: text/plain",
          "",
          "Sorry.",
          "--b",
          "Content-Type: message/delivery-status",
          "",
          "Reporting-MTA: dns; mx.example",
          "",
          "Final-Recipient: rfc822; gone@customer.example",
          "Action: failed",
          "Status: 5.1.1",
          "Diagnostic-Code: smtp; 550 5.1.1 User unknown",
          "--b",
          "Content-Type: message/rfc822",
          "",
          "Message-ID: <ours.123@support.acme.example>",
          "Subject: Re: help",
          "",
          "body",
          "--b--",
          "",
        ].join("\r\n"),
      ),
    );
    expect(classifyAutomatic(dsn, "").bounce).toBe(true);
    expect(readDeliveryReport(dsn)).toMatchObject({
      originalMessageIds: ["ours.123@support.acme.example"],
      action: "failed",
      status: "5.1.1",
      reason: "550 5.1.1 User unknown",
      recipient: "gone@customer.example",
    });
  });
});
