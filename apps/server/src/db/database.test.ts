import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresDatabase } from "../test/harness.ts";
import { type Database, openPostgres } from "./database.ts";

const onPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

onPostgres("the PostgreSQL connection's LISTEN", () => {
  let created: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let database: Database;

  beforeAll(async () => {
    created = await createPostgresDatabase();
    database = await openPostgres(created.url, 2);
  });
  afterAll(async () => {
    await database?.close();
    await created?.drop();
  });

  it("opens one connection for concurrent first listeners, and listens again after it was cut", async () => {
    const received: string[] = [];
    await Promise.all(
      ["one", "two", "three"].map((channel) => database.listen(channel, (payload) => received.push(payload))),
    );
    const admin = new pg.Client({ connectionString: created.url });
    await admin.connect();
    try {
      const listeners = async () =>
        (
          await admin.query(
            "select pid from pg_stat_activity where datname = current_database() and query ilike 'LISTEN%'",
          )
        ).rows as { pid: number }[];
      expect(await listeners()).toHaveLength(1);

      await admin.query("select pg_terminate_backend($1)", [(await listeners())[0].pid]);
      const deadline = Date.now() + 15_000;
      while (!received.includes("after") && Date.now() < deadline) {
        await database.notify("two", "after");
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(received).toContain("after");
    } finally {
      await admin.end();
    }
  });
});
