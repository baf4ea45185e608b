import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "./config.ts";
import { openDatabase } from "./db/database.ts";
import { migrateToLatest } from "./db/migrate.ts";
import { hashPassword, MIN_PASSWORD_LENGTH } from "./modules/access/passwords.ts";
import { DEMO_OWNER_EMAIL, ensureDemoWorkspace, seedDemo } from "./modules/demo/seed.ts";
import { rebuildAllRollups } from "./modules/metrics/rebuild.ts";
import { addMember, upsertAgent } from "./modules/workspaces/service.ts";
import { startServer } from "./server.ts";

interface Command {
  summary: string;
  usage: string;
  options: Record<string, { type: "string" | "boolean"; short?: string; description: string }>;
  run(values: Record<string, string | boolean | undefined>): Promise<number>;
}

const progress = (message: string) => process.stderr.write(`  ${message}\n`);

const commands: Record<string, Command> = {
  start: {
    summary:
      "Start Keepwell (web, worker, or both, as configured); creates the demo workspace on first start",
    usage: "keepwell start",
    options: {},
    async run() {
      const config = loadConfig();
      process.stderr.write(
        `Starting Keepwell (${config.databaseUrl ? "PostgreSQL" : `embedded database in ${config.dataDir}`})\n`,
      );
      const server = await startServer(config, { onProgress: progress });
      const demo = await ensureDemoWorkspace(server.ctx, progress);
      const shutdown = async (signal: string) => {
        process.stderr.write(`\n${signal}: stopping Keepwell\n`);
        await server.close();
        process.exit(0);
      };
      process.once("SIGINT", () => void shutdown("SIGINT"));
      process.once("SIGTERM", () => void shutdown("SIGTERM"));
      const parts = [config.runWeb && "web", config.runWorker && "worker"].filter(Boolean).join(" + ");
      console.log(`\nKeepwell is running (${parts}).`);
      if (server.url) console.log(`  Open      ${config.baseUrl}`);
      if (server.url) console.log(`  API docs  ${config.baseUrl}/api/docs`);
      if (demo.created) {
        console.log(`  Sign in   ${DEMO_OWNER_EMAIL}`);
        console.log(
          `  Password  ${demo.password}${config.demoPassword ? "" : "   (shown once; set KEEPWELL_DEMO_PASSWORD to choose it)"}`,
        );
      }
      return new Promise<number>(() => {});
    },
  },
  migrate: {
    summary: "Bring the database schema up to date, then exit",
    usage: "keepwell migrate",
    options: {},
    async run() {
      const config = loadConfig();
      const database = await openDatabase(config);
      try {
        await migrateToLatest(database.db, progress);
        console.log("Database is up to date.");
      } finally {
        await database.close();
      }
      return 0;
    },
  },
  "create-admin": {
    summary: "Create an agent (or update an existing one) and make them owner of a workspace",
    usage: "keepwell create-admin --email EMAIL --name NAME --password PASSWORD [--workspace SLUG]",
    options: {
      email: { type: "string", description: "the agent's email address" },
      name: { type: "string", description: "the agent's display name" },
      password: { type: "string", description: `at least ${MIN_PASSWORD_LENGTH} characters` },
      workspace: { type: "string", description: "workspace slug (default: demo)" },
    },
    async run(values) {
      const email = String(values.email ?? "");
      const password = String(values.password ?? "");
      if (!/^[^@\s]+@[^@\s]+$/.test(email)) return fail("--email must be an email address");
      if (password.length < MIN_PASSWORD_LENGTH)
        return fail(`--password must be at least ${MIN_PASSWORD_LENGTH} characters`);
      const config = loadConfig();
      const database = await openDatabase(config);
      try {
        await migrateToLatest(database.db, progress);
        const slug = String(values.workspace ?? "demo");
        const workspace = await database.db
          .selectFrom("workspaces")
          .select("id")
          .where("slug", "=", slug)
          .executeTakeFirst();
        if (!workspace)
          return fail(`no workspace with the slug "${slug}" (run keepwell seed-demo, or pass --workspace)`);
        const hash = await hashPassword(password);
        const agentId = await upsertAgent(
          database.db,
          email,
          String(values.name ?? email.split("@")[0]),
          hash,
        );
        await database.db
          .updateTable("agents")
          .set({ password_hash: hash })
          .where("id", "=", agentId)
          .execute();
        await addMember(database.db, workspace.id, agentId, "owner");
        console.log(`${email} is now an owner of ${slug}.`);
      } finally {
        await database.close();
      }
      return 0;
    },
  },
  "seed-demo": {
    summary: "Create the demo workspace (the same every time) if it does not exist",
    usage: "keepwell seed-demo",
    options: {},
    async run() {
      const config = loadConfig();
      const server = await startServer(
        { ...config, runWeb: false, runWorker: false },
        { logger: false, onProgress: progress },
      );
      try {
        const result = await seedDemo(server.ctx, progress);
        if (!result.created)
          console.log("The demo workspace exists already; any missing demo content was added.");
        else
          console.log(
            `Demo workspace created. Sign in as ${DEMO_OWNER_EMAIL} with password ${result.password}`,
          );
      } finally {
        await server.close();
      }
      return 0;
    },
  },
  "rebuild-rollups": {
    summary:
      "Recompute every conversation's response metrics and the report rollups (after a definition change)",
    usage: "keepwell rebuild-rollups [--workspace SLUG]",
    options: { workspace: { type: "string", description: "only this workspace (default: all)" } },
    async run(values) {
      const server = await startServer(
        { ...loadConfig(), runWeb: false, runWorker: false },
        { logger: false, onProgress: progress },
      );
      try {
        const slug = typeof values.workspace === "string" ? values.workspace : undefined;
        const result = await rebuildAllRollups(server.ctx, { slug, onProgress: progress });
        console.log(
          `Rollups rebuilt: ${result.workspaces} workspaces, ${result.conversations} conversations.`,
        );
      } catch (error) {
        return fail((error as Error).message);
      } finally {
        await server.close();
      }
      return 0;
    },
  },
};

function fail(message: string): number {
  console.error(`keepwell: ${message}`);
  return 2;
}

function helpFor(command: Command): string {
  const lines = [`${command.summary}\n`, `Usage: ${command.usage}`];
  const options = Object.entries(command.options);
  if (options.length) {
    lines.push("", "Options:");
    for (const [option, spec] of options) lines.push(`  --${option.padEnd(12)} ${spec.description}`);
  }
  lines.push("", "Configuration comes from environment variables; see README.md.");
  return lines.join("\n");
}

function overview(): string {
  const lines = [
    "Keepwell: customer support and success desk\n",
    "Usage: keepwell <command> [options]\n",
    "Commands:",
  ];
  for (const [name, command] of Object.entries(commands))
    lines.push(`  ${name.padEnd(14)} ${command.summary}`);
  lines.push("", "Run keepwell <command> --help for a command's options.");
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(overview());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) return fail(`unknown command "${name}"\n\n${overview()}`);
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: "boolean", short: "h" } },
      strict: true,
    }));
  } catch (error) {
    return fail(`${(error as Error).message}\n\n${helpFor(command)}`);
  }
  if (values.help) {
    console.log(helpFor(command));
    return 0;
  }
  try {
    return await command.run(values);
  } catch (error) {
    if (error instanceof ConfigError) return fail(error.message);
    throw error;
  }
}
