import { randomUUID } from "node:crypto";
import { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds, startTestServer, type TestServer } from "../../../test/harness.ts";
import { type MailWorkspace, mailWorkspace, rawMessage, settled } from "../test-support.ts";
import { DOVECOT, type Dovecot, startDovecot } from "./dovecot.ts";
import { pollImapAccount } from "./poller.ts";

if (!DOVECOT) {
  console.warn(
    "\n******************************************************************\n" +
      "*** dovecot is not installed: SKIPPING the IMAP polling tests.  ***\n" +
      "*** Install it with: apt-get install -y dovecot-imapd           ***\n" +
      "******************************************************************\n",
  );
}

describe.each(databaseKinds)("IMAP polling (%s)", (kind) => {
  let server: TestServer;
  let acme: MailWorkspace;
  let other: MailWorkspace;
  let dovecot: Dovecot | undefined;

  const client = async () => {
    const imap = new ImapFlow({
      host: "127.0.0.1",
      port: dovecot!.port,
      secure: false,
      auth: { user: dovecot!.user, pass: dovecot!.password },
      logger: false,
    });
    await imap.connect();
    return imap;
  };
  const append = async (folder: string, subjects: string[], flags: string[] = []) => {
    const imap = await client();
    try {
      await imap.mailboxCreate(folder).catch(() => undefined);
      for (const subject of subjects) {
        await imap.append(
          folder,
          rawMessage({ to: acme.address, subject, messageId: `<${randomUUID()}@customer.example>` }),
          flags,
        );
      }
    } finally {
      await imap.logout();
    }
  };
  const configure = (folder: string, extra: Record<string, unknown> = {}) =>
    acme.as.admin.put(`/api/v1/inboxes/${acme.inboxId}/imap`, {
      host: "127.0.0.1",
      port: dovecot!.port,
      tls: false,
      username: dovecot!.user,
      password: dovecot!.password,
      folder,
      ...extra,
    });
  const poll = () => pollImapAccount(server.ctx, acme.workspaceId, acme.inboxId);
  const status = async () => (await acme.as.viewer.get(`/api/v1/inboxes/${acme.inboxId}/imap-status`)).body;

  beforeAll(async () => {
    server = await startTestServer(kind);
    acme = await mailWorkspace(server, "Acme");
    other = await mailWorkspace(server, "Globex");
    if (DOVECOT) dovecot = await startDovecot();
  });
  afterAll(async () => {
    await dovecot?.stop();
    await server?.destroy();
  });

  it("keeps the password sealed and never shows it", async () => {
    const response = await acme.as.admin.put(`/api/v1/inboxes/${acme.inboxId}/imap`, {
      host: "127.0.0.1",
      port: 1,
      tls: false,
      username: "someone",
      password: "hunter2-very-secret",
      enabled: false,
    });
    expect(response.status).toBe(200);
    expect(response.body.password_set).toBe(true);
    expect(JSON.stringify(response.body)).not.toContain("hunter2");
    const row = await server.ctx.db
      .selectFrom("imap_accounts")
      .select("password_sealed")
      .where("inbox_id", "=", acme.inboxId)
      .executeTakeFirstOrThrow();
    expect(row.password_sealed).not.toContain("hunter2");
    const shown = await acme.as.viewer.get(`/api/v1/inboxes/${acme.inboxId}/imap`);
    expect(shown.status).toBe(200);
    expect(JSON.stringify(shown.body)).not.toContain("hunter2");
  });

  it("lets only owners and admins change IMAP settings, and hides them from other workspaces", async () => {
    const body = { host: "127.0.0.1", port: 143, username: "u", password: "p" };
    expect((await acme.as.agent.put(`/api/v1/inboxes/${acme.inboxId}/imap`, body)).status).toBe(403);
    expect((await acme.as.viewer.put(`/api/v1/inboxes/${acme.inboxId}/imap`, body)).status).toBe(403);
    expect((await acme.as.viewer.post(`/api/v1/inboxes/${acme.inboxId}/imap/poll`)).status).toBe(403);
    expect((await acme.as.agent.delete(`/api/v1/inboxes/${acme.inboxId}/imap`)).status).toBe(403);
    expect((await other.as.owner.put(`/api/v1/inboxes/${acme.inboxId}/imap`, body)).status).toBe(404);
    expect((await other.as.owner.get(`/api/v1/inboxes/${acme.inboxId}/imap`)).status).toBe(404);
    expect((await other.as.owner.get(`/api/v1/inboxes/${acme.inboxId}/imap-status`)).status).toBe(404);
    expect((await other.as.owner.post(`/api/v1/inboxes/${acme.inboxId}/imap/poll`)).status).toBe(404);
    expect((await other.as.owner.delete(`/api/v1/inboxes/${acme.inboxId}/imap`)).status).toBe(404);
    const unknown = await acme.as.admin.put(`/api/v1/inboxes/${acme.inboxId}/imap`, {
      ...body,
      secure: true,
    });
    expect(unknown.status).toBe(400);
  });

  it.skipIf(!DOVECOT)(
    "imports mail another client already read, once, and back-fills from the last UID",
    async () => {
      await append("Support", ["IMAP one", "IMAP two"], ["\\Seen"]);
      await append("Support", ["IMAP three"]);
      expect((await configure("Support")).status).toBe(200);
      expect(await poll()).toMatchObject({ status: "polled", imported: 3 });
      expect(await status()).toMatchObject({
        configured: true,
        messages_on_server: 3,
        imported: 3,
        last_error: null,
      });
      expect(await poll()).toMatchObject({ status: "polled", imported: 0 });
      // Downtime: mail keeps arriving while Keepwell is not polling.
      await append("Support", ["IMAP four", "IMAP five"]);
      expect(await poll()).toMatchObject({ status: "polled", imported: 2 });
      const subjects = (await settled(server, acme)).map((c) => c.subject);
      for (const s of ["IMAP one", "IMAP two", "IMAP three", "IMAP four", "IMAP five"]) {
        expect(subjects.filter((x) => x === s)).toHaveLength(1);
      }
      expect(await status()).toMatchObject({ messages_on_server: 5, imported: 5, last_uid: "5" });
    },
  );

  it.skipIf(!DOVECOT)("rescans with de-duplication when UIDVALIDITY changes", async () => {
    const before = await status();
    const imap = await client();
    try {
      // Recreating the folder gives it a new UIDVALIDITY; the same mail comes back under new UIDs.
      const messages: Buffer[] = [];
      await imap.mailboxOpen("Support");
      for await (const m of imap.fetch("1:*", { source: true })) messages.push(m.source!);
      await imap.mailboxClose();
      await imap.mailboxDelete("Support");
      await imap.mailboxCreate("Support");
      await imap.append("Support", messages[0]);
      await imap.append("Support", messages[1]);
      await imap.append("Support", rawMessage({ to: acme.address, subject: "IMAP six" }));
    } finally {
      await imap.logout();
    }
    expect(await poll()).toMatchObject({ status: "polled", imported: 1 });
    const after = await status();
    expect(after.uidvalidity).not.toBe(before.uidvalidity);
    expect(after).toMatchObject({ last_uid: "3", messages_on_server: 3, imported: 6 });
    expect((await settled(server, acme)).filter((c) => c.subject === "IMAP one")).toHaveLength(1);
  });

  it.skipIf(!DOVECOT)("moves imported mail to another folder only after storing it", async () => {
    await append("Moving", ["IMAP to move"]);
    await append("Done", []);
    expect((await configure("Moving", { move_to_folder: "Done" })).status).toBe(200);
    expect(await poll()).toMatchObject({ status: "polled", imported: 1 });
    const imap = await client();
    try {
      const count = async (folder: string) => {
        const folderStatus = await imap.status(folder, { messages: true });
        return folderStatus ? folderStatus.messages : undefined;
      };
      expect(await count("Moving")).toBe(0);
      expect(await count("Done")).toBe(1);
    } finally {
      await imap.logout();
    }
    expect((await settled(server, acme)).some((c) => c.subject === "IMAP to move")).toBe(true);
  });

  it.skipIf(!DOVECOT)(
    "shows a refused login as the inbox's last error instead of stopping silently",
    async () => {
      expect((await configure("Support", { password: "wrong-password" })).status).toBe(200);
      const result = await poll();
      expect(result.status).toBe("failed");
      const shown = await status();
      expect(shown.last_error).toMatch(/refused the user name or password/);
      expect(shown.last_error_at).not.toBeNull();
      expect(shown.last_poll_at).not.toBeNull();
    },
  );

  it.skipIf(!DOVECOT)("polls each inbox with one poller at a time", async () => {
    expect((await configure("Support")).status).toBe(200);
    await server.ctx.db
      .updateTable("imap_accounts")
      .set({ lease_owner: "another-instance", lease_until: new Date(Date.now() + 60_000) })
      .where("inbox_id", "=", acme.inboxId)
      .execute();
    expect(await poll()).toMatchObject({ status: "busy", imported: 0 });
    expect((await status()).polling_now).toBe(true);
    await server.ctx.db
      .updateTable("imap_accounts")
      .set({ lease_owner: null, lease_until: null })
      .where("inbox_id", "=", acme.inboxId)
      .execute();
    expect(await poll()).toMatchObject({ status: "polled" });
    expect((await acme.as.admin.post(`/api/v1/inboxes/${acme.inboxId}/imap/poll`)).status).toBe(202);
  });
});
