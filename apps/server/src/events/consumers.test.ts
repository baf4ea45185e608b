import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestWorkspace,
  databaseKinds,
  eventually,
  startTestServer,
  type TestServer,
  type TestWorkspace,
  apiClient,
} from "../test/harness.ts";
import type { WorkspaceEvent } from "./types.ts";

/*
 * Durable listeners, through a real server: they read the outbox behind their own position, a
 * failing one neither blocks the others nor loses its events, and an event that keeps failing is
 * parked where an admin sees it and can run it again.
 */

describe.each(databaseKinds)("durable event listeners on %s", (kind) => {
  let server: TestServer;
  let acme: TestWorkspace;

  beforeAll(async () => {
    server = await startTestServer(kind);
    acme = await createTestWorkspace(server, "Acme");
  });
  afterAll(async () => {
    await server?.destroy();
  });

  const createContacts = async (count: number, prefix: string) => {
    const owner = apiClient(server.url, acme.tokens.owner);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const created = await owner.post("/api/v1/contacts", {
        email: `${prefix}-${i}@example.test`,
        name: `${prefix} ${i}`,
      });
      expect(created.status).toBe(201);
      ids.push(created.body.id);
    }
    return ids;
  };
  const contactIds = (events: WorkspaceEvent[]) =>
    events.filter((event) => event.type === "contact.created").map((event) => event.data.id as string);

  it("hands a listener every event once, in the order the writes committed", async () => {
    const seen: string[] = [];
    server.ctx.events.consumers.define({
      name: "test-order",
      types: ["contact.created"],
      batchSize: 7,
      handle: async (events) => void seen.push(...contactIds(events)),
    });
    // Enough transactions that their ids cross a power of ten, in batches that end mid-stream.
    const ids = await createContacts(120, "ordered");
    await eventually(async () => ids.every((id) => seen.includes(id)), 15_000);
    expect(seen.filter((id) => ids.includes(id))).toEqual(ids);
  });

  it("keeps a failing listener from delaying the others, and lets it catch up once fixed", async () => {
    let broken = true;
    const healthy: WorkspaceEvent[] = [];
    const fixed: WorkspaceEvent[] = [];
    server.ctx.events.consumers.define({
      name: "test-healthy",
      types: ["contact.created"],
      handle: async (events) => void healthy.push(...events),
    });
    server.ctx.events.consumers.define({
      name: "test-broken",
      types: ["contact.created"],
      // Long enough retries that it is still failing while the test looks.
      retryDelaysMs: Array.from({ length: 100 }, () => 200),
      handle: async (events) => {
        if (broken) throw new Error("the listener's dependency is down");
        fixed.push(...events);
      },
    });

    const ids = await createContacts(5, "during-outage");
    await eventually(async () => ids.every((id) => contactIds(healthy).includes(id)), 10_000);
    expect(fixed).toHaveLength(0);

    broken = false;
    await eventually(async () => ids.every((id) => contactIds(fixed).includes(id)), 10_000);
    // Each event once, in the order written.
    expect(contactIds(fixed).filter((id) => ids.includes(id))).toEqual(ids);
    expect(contactIds(healthy).filter((id) => ids.includes(id))).toEqual(ids);
  });

  it("parks an event that keeps failing, shows it to admins, and runs it again on request", async () => {
    let cured = false;
    const handled: string[] = [];
    const nameOf = async (id: string) =>
      (await server.ctx.db.selectFrom("contacts").select("name").where("id", "=", id).executeTakeFirst())
        ?.name;
    server.ctx.events.consumers.define({
      name: "test-poison",
      types: ["contact.created"],
      retryDelaysMs: [20, 20],
      handle: async (events) => {
        for (const event of events) {
          if ((await nameOf(event.data.id as string)) === "Poison" && !cured) {
            throw new Error("cannot digest this contact");
          }
        }
        handled.push(...contactIds(events));
      },
    });
    const owner = apiClient(server.url, acme.tokens.owner);
    const badTwin = await owner.post("/api/v1/contacts", { email: "poison@example.test", name: "Poison" });
    const later: string[] = [];
    for (const name of ["after-1", "after-2"]) {
      later.push((await owner.post("/api/v1/contacts", { email: `${name}@example.test`, name })).body.id);
    }

    // The events after the poison one flow on; the poison one is parked.
    await eventually(async () => later.every((id) => handled.includes(id)), 10_000);
    const parked = await eventually(async () => {
      const list = await owner.get("/api/v1/events/parked");
      const entry = list.body.data.find((row: { data: { id: string } }) => row.data.id === badTwin.body.id);
      return entry ?? false;
    }, 10_000);
    expect(parked).toMatchObject({ listener: "test-poison", type: "contact.created", attempts: 3 });
    expect(parked.error).toMatch(/cannot digest/);
    expect(handled).not.toContain(badTwin.body.id);

    // Agents may not see or retry parked events; another workspace sees none of ours.
    expect((await apiClient(server.url, acme.tokens.agent).get("/api/v1/events/parked")).status).toBe(403);
    const globex = await createTestWorkspace(server, "Globex");
    expect((await apiClient(server.url, globex.tokens.owner).get("/api/v1/events/parked")).body.data).toEqual(
      [],
    );
    const foreign = await apiClient(server.url, globex.tokens.owner).post(
      `/api/v1/events/parked/${parked.event_id}/retry`,
    );
    expect(foreign.status).toBe(404);

    cured = true;
    const retried = await owner.post(`/api/v1/events/parked/${parked.event_id}/retry`);
    expect(retried.status).toBe(202);
    await eventually(async () => handled.includes(badTwin.body.id), 10_000);
    await eventually(async () => {
      const list = await owner.get("/api/v1/events/parked");
      return !list.body.data.some((row: { event_id: string }) => row.event_id === parked.event_id);
    }, 10_000);

    const listeners = await owner.get("/api/v1/events/listeners");
    expect(listeners.status).toBe(200);
    expect(listeners.body.data.map((row: { name: string }) => row.name)).toEqual(
      expect.arrayContaining(["metrics", "webhooks", "email-outbound", "test-poison"]),
    );
  });
});

describe.runIf(databaseKinds.includes("postgres"))("durable event listeners on two instances", () => {
  let first: TestServer;
  let second: TestServer;

  afterAll(async () => {
    await second?.close();
    await first?.destroy();
  });

  it("shares one stream between two instances with no event handled twice", async () => {
    first = await startTestServer("postgres");
    second = await startTestServer("postgres", {}, { databaseUrl: first.ctx.config.databaseUrl });
    const acme = await createTestWorkspace(first, "Acme");
    const handled: { instance: string; id: string }[] = [];
    for (const [instance, server] of [
      ["first", first],
      ["second", second],
    ] as const) {
      server.ctx.events.consumers.define({
        name: "test-shared",
        types: ["contact.created"],
        handle: async (events) => {
          for (const event of events) handled.push({ instance, id: event.data.id as string });
        },
      });
    }
    // Writes through both instances; one of them reads the stream, the other waits its turn.
    const ids: string[] = [];
    const clients = [apiClient(first.url, acme.tokens.owner), apiClient(second.url, acme.tokens.owner)];
    for (let i = 0; i < 40; i++) {
      const created = await clients[i % 2]!.post("/api/v1/contacts", { email: `shared-${i}@example.test` });
      ids.push(created.body.id);
      // Halfway, the instance reading the stream stops: the other takes over where it left off.
      if (i === 19) {
        await eventually(async () => ids.every((id) => handled.some((entry) => entry.id === id)), 10_000);
        const reader = handled.at(-1)!.instance === "first" ? first : second;
        await reader.ctx.events.consumers.stop();
      }
    }
    await eventually(async () => ids.every((id) => handled.some((entry) => entry.id === id)), 15_000);
    const counts = new Map<string, number>();
    for (const entry of handled) counts.set(entry.id, (counts.get(entry.id) ?? 0) + 1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(handled.map((entry) => entry.instance)).size).toBe(2);
  });
});
