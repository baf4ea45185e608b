import { describe, expect, it } from "vitest";
import { contentDisposition, displayFilename, storedContentType } from "./filename.ts";

describe("attachment filenames", () => {
  it("removes path separators, so a name can never point into a directory", () => {
    expect(displayFilename("../../etc/passwd")).toBe("etcpasswd");
    expect(displayFilename("C:\\Users\\ada\\report.docx")).toBe("C:Usersadareport.docx");
    expect(displayFilename("..")).toBe("attachment");
  });

  it("removes control, invisible and bidirectional override characters but keeps joiners scripts need", () => {
    expect(displayFilename("invoice\u202Efdp.exe")).toBe("invoicefdp.exe");
    expect(displayFilename("a\u200Bb\u0000c\u2066d\uFEFF.txt")).toBe("abcd.txt");
    expect(displayFilename("line\nbreak\ttab.txt")).toBe("line break tab.txt");
    expect(displayFilename("می\u200Cخواهم.pdf")).toBe("می\u200Cخواهم.pdf");
  });

  it("composes characters (NFC) and limits the length by code point, keeping the extension", () => {
    expect(displayFilename("Cafe\u0301.pdf")).toBe("Café.pdf");
    const long = displayFilename(`${"😀".repeat(300)}.tar.gz`);
    expect(Array.from(long)).toHaveLength(180);
    expect(long.endsWith("😀.gz")).toBe(true);
    expect(Buffer.from(long).toString(), "no half of a surrogate pair is left").toBe(long);
  });

  it("sends an ASCII fallback and the exact UTF-8 name in Content-Disposition", () => {
    expect(contentDisposition('naïve "quote";.txt')).toBe(
      `attachment; filename="naive _quote__.txt"; filename*=UTF-8''na%C3%AFve%20%22quote%22%3B.txt`,
    );
    expect(contentDisposition("報告.pdf")).toBe(
      `attachment; filename=".pdf"; filename*=UTF-8''%E5%A0%B1%E5%91%8A.pdf`,
    );
  });

  it("keeps a well-formed declared content type and neutralizes anything else", () => {
    expect(storedContentType("Image/PNG; charset=binary")).toBe("image/png");
    expect(storedContentType("text/html\r\nX-Evil: 1")).toBe("application/octet-stream");
    expect(storedContentType(undefined)).toBe("application/octet-stream");
  });
});
