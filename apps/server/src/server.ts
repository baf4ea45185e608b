import type { FastifyInstance } from "fastify";
import pino from "pino";
import { buildApp } from "./app.ts";
import type { Config } from "./config.ts";
import type { AppContext } from "./context.ts";
import { openDatabase } from "./db/database.ts";
import { migrateToLatest } from "./db/migrate.ts";
import { Jobs } from "./jobs/jobs.ts";
import { moduleJobs, moduleShutdowns, moduleStartups } from "./modules/index.ts";
import { SystemMailer } from "./modules/notifications/system-mail.ts";
import { EventBus } from "./events/bus.ts";

export interface RunningServer {
  ctx: AppContext;
  app: FastifyInstance | undefined;
  /** The address the web part listens on, when it runs. */
  url: string | undefined;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: boolean;
  now?: () => Date;
  onProgress?: (message: string) => void;
}

/** Opens the database, migrates it, then starts whichever of the web and worker parts the config asks for. */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const log = pino({ level: options.logger === false ? "silent" : config.logLevel });
  const database = await openDatabase(config);
  try {
    await migrateToLatest(database.db, options.onProgress);
  } catch (error) {
    await database.close();
    throw error;
  }
  const events = new EventBus(database, log);
  const jobs = new Jobs(database, config);
  const ctx: AppContext = {
    config,
    database,
    db: database.db,
    events,
    jobs,
    log,
    notify: new SystemMailer({ dataDir: config.dataDir, baseUrl: config.baseUrl, log: (m) => log.info(m) }),
    now: options.now ?? (() => new Date()),
  };
  for (const register of moduleJobs) register(ctx);
  await events.start();
  await jobs.start(config.runWorker);
  for (const startup of moduleStartups) await startup(ctx);
  // Durable listeners were defined by the modules' startups; worker instances consume the outbox.
  if (config.runWorker) events.consumers.start();

  let app: FastifyInstance | undefined;
  let url: string | undefined;
  if (config.runWeb) {
    app = await buildApp(ctx, { logger: options.logger });
    url = await app.listen({ port: config.port, host: config.host });
  }

  let closed = false;
  return {
    ctx,
    app,
    url,
    async close() {
      if (closed) return;
      closed = true;
      await closeWeb(app);
      for (const shutdown of moduleShutdowns) await shutdown(ctx);
      await events.stop();
      await jobs.stop();
      await database.close();
    },
  };
}

/** How long in-flight requests get to finish when the server stops; then their sockets are closed. */
const DRAIN_MS = 5_000;

/**
 * Stops accepting connections and lets in-flight requests finish, but not for ever: a socket the
 * client keeps open mid-request would otherwise hold the shutdown until Node's request timeouts.
 */
async function closeWeb(app: FastifyInstance | undefined): Promise<void> {
  if (!app) return;
  const force = setTimeout(() => app.server.closeAllConnections(), DRAIN_MS);
  force.unref();
  try {
    await app.close();
  } finally {
    clearTimeout(force);
  }
}
