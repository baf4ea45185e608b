import type { FastifyBaseLogger } from "fastify";
import type { Config } from "./config.ts";
import type { Database, Db } from "./db/database.ts";
import type { EventBus } from "./events/bus.ts";
import type { Jobs } from "./jobs/jobs.ts";
import type { SystemMailer } from "./modules/notifications/system-mail.ts";

/** What every module needs from the running instance, built once at start and passed down. */
export interface AppContext {
  config: Config;
  database: Database;
  db: Db;
  events: EventBus;
  jobs: Jobs;
  log: FastifyBaseLogger;
  notify: SystemMailer;
  /** The clock, replaceable in tests that need to move time. */
  now: () => Date;
}
