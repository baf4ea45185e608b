import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds, startTestServer, type TestServer } from "../../test/harness.ts";
import {
  type ConversationFixture,
  conversationWorkspace,
  uploadFile,
} from "../conversations/test-support.ts";
import { eventually } from "../conversations/test-support.ts";
import { UPLOAD_SWEEP_QUEUE } from "./cleanup.ts";
import { ATTACHMENT_MAX_BYTES } from "./service.ts";

const sha256 = (content: string | Uint8Array) => createHash("sha256").update(content).digest("hex");

describe.each(databaseKinds)("attachments on %s", (kind) => {
  let server: TestServer;
  let acme: ConversationFixture;
  let globex: ConversationFixture;
  let store: string;
  /** How far the server's clock runs ahead of the real one. */
  let ahead = 0;

  beforeAll(async () => {
    server = await startTestServer(kind, {}, { now: () => new Date(Date.now() + ahead) });
    acme = await conversationWorkspace(server, "Acme");
    globex = await conversationWorkspace(server, "Globex");
    store = path.join(server.ctx.config.dataDir, "attachments");
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it("stores an upload under its SHA-256, never under the name the client gave", async () => {
    const content = "root:x:0:0";
    const response = await uploadFile(server, acme.tokens.agent, { name: "../../etc/passwd", content });
    expect(response.status).toBe(201);
    const digest = sha256(content);
    expect(response.body).toMatchObject({
      filename: "passwd",
      content_type: "text/plain",
      size_bytes: content.length,
      sha256: digest,
      message_id: null,
    });
    expect(existsSync(path.join(store, digest.slice(0, 2), digest))).toBe(true);
    expect(readdirSync(store).sort()).not.toContain("passwd");
    expect(readdirSync(path.join(store, "tmp"))).toEqual([]);

    const twice = await uploadFile(server, acme.tokens.agent, { name: "copy.txt", content });
    expect(twice.body.sha256).toBe(digest);
    expect(twice.body.id).not.toBe(response.body.id);
  });

  it("shows a cleaned-up filename: composed, without invisible or direction-changing characters, not too long", async () => {
    const cases: [string, string][] = [
      ["invoice\u202Efdp.exe", "invoicefdp.exe"],
      ["Cafe\u0301 menu.pdf", "Café menu.pdf"],
      ["a\u200Bb\u0000c\u2066d.txt", "abcd.txt"],
      ["C:\\Users\\ada\\report.docx", "report.docx"],
      ["   ...hidden   ", "hidden"],
      ["...", "attachment"],
    ];
    for (const [name, shown] of cases) {
      const response = await uploadFile(server, acme.tokens.agent, { name, content: "x" });
      expect(response.status, name).toBe(201);
      expect(response.body.filename, JSON.stringify(name)).toBe(shown);
    }
    const long = await uploadFile(server, acme.tokens.agent, {
      name: `${"ক".repeat(400)}.pdf`,
      content: "x",
    });
    expect(Array.from(long.body.filename as string)).toHaveLength(180);
    expect(long.body.filename.endsWith("ক.pdf")).toBe(true);
  });

  it("downloads as an attachment, with the stored type, nosniff and the exact name in RFC 5987 form", async () => {
    const html = "<script>alert(1)</script>";
    const uploaded = await uploadFile(server, acme.tokens.agent, {
      name: "résumé final.html",
      content: html,
      type: "text/html",
    });
    const response = await fetch(`${server.url}/api/v1/attachments/${uploaded.body.id}`, {
      headers: { authorization: `Bearer ${acme.tokens.viewer}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-disposition")).toBe(
      `attachment; filename="resume final.html"; filename*=UTF-8''r%C3%A9sum%C3%A9%20final.html`,
    );
    expect(await response.text()).toBe(html);

    const odd = await uploadFile(server, acme.tokens.agent, {
      name: "x.bin",
      content: "x",
      type: "not a type",
    });
    expect(odd.body.content_type).toBe("application/octet-stream");
  });

  it("refuses an empty file with 400, an oversized one with 413, and a request without a file", async () => {
    const empty = await uploadFile(server, acme.tokens.agent, { name: "empty.txt", content: "" });
    expect(empty.status).toBe(400);
    expect(empty.body.field).toBe("file");

    const huge = await uploadFile(server, acme.tokens.agent, {
      name: "huge.bin",
      content: new Uint8Array(ATTACHMENT_MAX_BYTES + 1),
    });
    expect(huge.status).toBe(413);
    expect(huge.headers.get("content-type")).toMatch(/problem\+json/);
    expect(huge.body).toMatchObject({ field: "file", status: 413 });
    expect(readdirSync(path.join(store, "tmp"))).toEqual([]);

    const json = await acme.as.agent.post("/api/v1/attachments", { file: "aGVsbG8=" });
    expect(json.status).toBe(415);
    const noFile = await fetch(`${server.url}/api/v1/attachments`, {
      method: "POST",
      headers: { authorization: `Bearer ${acme.tokens.agent}` },
      body: (() => {
        const form = new FormData();
        form.append("note", "no file here");
        return form;
      })(),
    });
    expect(noFile.status).toBe(400);
  });

  it("answers 404 for another workspace's attachment and 403 to a viewer who uploads", async () => {
    const theirs = await uploadFile(server, globex.tokens.agent, { name: "secret.txt", content: "secret" });
    const response = await acme.as.owner.get(`/api/v1/attachments/${theirs.body.id}`);
    expect(response.status).toBe(404);
    expect(JSON.stringify(response.body)).not.toContain("secret");
    expect((await acme.as.owner.get("/api/v1/attachments/not-a-uuid")).status).toBe(400);
    const viewer = await uploadFile(server, acme.tokens.viewer, { name: "v.txt", content: "v" });
    expect(viewer.status).toBe(403);
  });

  it("deletes uploads no message claimed within a day, and their bytes unless another row shares them", async () => {
    const stored = (digest: string) => existsSync(path.join(store, digest.slice(0, 2), digest));
    const upload = async (name: string, content: string) => {
      const response = await uploadFile(server, acme.tokens.agent, { name, content });
      expect(response.status).toBe(201);
      return response.body as { id: string; sha256: string };
    };
    const abandoned = await upload("draft.txt", "never sent anywhere");
    const shared = await upload("shared.txt", "sent and also abandoned");
    const sharedCopy = await upload("copy.txt", "sent and also abandoned");
    const conversation = await acme.as.agent.post("/api/v1/conversations", {
      inbox_id: acme.inboxes.api,
      contact: { email: "files@example.com" },
      message: { kind: "incoming", body_text: "Here" },
    });
    const reply = await acme.as.agent.post(`/api/v1/conversations/${conversation.body.id}/messages`, {
      kind: "outgoing",
      body_text: "Attached",
      attachment_ids: [shared.id],
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    ahead = 23 * 3_600_000;
    const recent = await upload("recent.txt", "uploaded an hour before the sweep");

    ahead = 25 * 3_600_000;
    await server.ctx.jobs.send(UPLOAD_SWEEP_QUEUE, {});
    // The job deletes the row first and the bytes after: wait for both.
    await eventually(async () =>
      (await acme.as.agent.get(`/api/v1/attachments/${abandoned.id}`)).status === 404 &&
      !stored(abandoned.sha256)
        ? true
        : undefined,
    );
    // The unclaimed copy goes, but the bytes stay for the message that uses the same content.
    expect((await acme.as.agent.get(`/api/v1/attachments/${sharedCopy.id}`)).status).toBe(404);
    const kept = await acme.as.agent.get(`/api/v1/attachments/${shared.id}`);
    expect(kept.status).toBe(200);
    expect(kept.body).toBe("sent and also abandoned");
    expect(stored(shared.sha256)).toBe(true);
    expect((await acme.as.agent.get(`/api/v1/attachments/${recent.id}`)).status).toBe(200);
    expect(stored(recent.sha256)).toBe(true);
    ahead = 0;
  });
});
