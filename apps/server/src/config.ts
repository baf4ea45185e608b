import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import path from "node:path";

/** Everything Keepwell reads from its environment, validated once at start. */
export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  host: string;
  baseUrl: string;
  secret: string;
  runWeb: boolean;
  runWorker: boolean;
  trustProxy: string[];
  demoPassword: string | undefined;
  allowPrivateWebhookTargets: boolean;
  logLevel: string;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Keepwell cannot start; fix these settings:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

/** Reads and checks every setting, collecting all problems so the user can fix them in one go. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const dataDir = path.resolve(env.KEEPWELL_DATA_DIR || "data");

  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push(`DATABASE_URL must start with postgres:// or postgresql:// (got "${databaseUrl}")`);
  }

  const port = parseInteger(env.PORT ?? "3000", "PORT", 0, 65535, problems);
  const host = env.HOST || "127.0.0.1";

  let baseUrl = env.BASE_URL || `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  try {
    const url = new URL(baseUrl);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("protocol");
    baseUrl = url.toString().replace(/\/$/, "");
  } catch {
    problems.push(`BASE_URL must be an http(s) URL such as https://support.example.com (got "${baseUrl}")`);
  }

  const runWeb = parseSwitch(env.KEEPWELL_WEB, "KEEPWELL_WEB", true, problems);
  const runWorker = parseSwitch(env.KEEPWELL_WORKER, "KEEPWELL_WORKER", true, problems);
  if (!runWeb && !runWorker)
    problems.push("KEEPWELL_WEB and KEEPWELL_WORKER are both off: nothing would run");

  const trustProxy = (env.TRUST_PROXY ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const entry of trustProxy) {
    const address = entry.split("/")[0];
    if (!isIP(address))
      problems.push(`TRUST_PROXY entries must be IP addresses or CIDR ranges (got "${entry}")`);
  }

  const secret = env.KEEPWELL_SECRET;
  if (secret !== undefined && secret.length < 32) {
    problems.push("KEEPWELL_SECRET must be at least 32 characters (leave it unset to generate one)");
  }

  const logLevel = env.LOG_LEVEL || "info";
  if (!["fatal", "error", "warn", "info", "debug", "trace", "silent"].includes(logLevel)) {
    problems.push(
      `LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "${logLevel}")`,
    );
  }

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    databaseUrl,
    dataDir,
    port,
    host,
    baseUrl,
    secret: secret ?? readOrCreateSecret(dataDir),
    runWeb,
    runWorker,
    trustProxy,
    demoPassword: env.KEEPWELL_DEMO_PASSWORD || undefined,
    allowPrivateWebhookTargets: parseSwitch(env.KEEPWELL_ALLOW_PRIVATE_WEBHOOKS, "", false, []),
    logLevel,
  };
}

function parseInteger(raw: string, name: string, min: number, max: number, problems: string[]): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
    return min;
  }
  return value;
}

function parseSwitch(raw: string | undefined, name: string, fallback: boolean, problems: string[]): boolean {
  if (raw === undefined || raw === "") return fallback;
  if (["1", "true", "yes", "on"].includes(raw.toLowerCase())) return true;
  if (["0", "false", "no", "off"].includes(raw.toLowerCase())) return false;
  problems.push(`${name} must be true or false (got "${raw}")`);
  return fallback;
}

/** The secret signs tokens and encrypts stored credentials, so it must survive restarts. */
function readOrCreateSecret(dataDir: string): string {
  const file = path.join(dataDir, "secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
    return secret;
  } catch {
    // Another instance created it first: use theirs.
    return readFileSync(file, "utf8").trim();
  }
}
