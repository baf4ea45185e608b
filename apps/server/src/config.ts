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
  /** Inbound SMTP listener; port 0 turns it off. It runs where the web part runs. */
  smtp: SmtpConfig;
  /** How often IMAP inboxes are polled, in seconds. */
  imapPollSeconds: number;
  /** Where outgoing Stripe calls go instead of Stripe's own API (a Stripe mock); unset: Stripe. */
  stripeApiBase: string | undefined;
}

export interface SmtpConfig {
  port: number;
  /** False when SMTP_PORT was left at its default: a busy default port then only costs a warning. */
  portExplicit: boolean;
  host: string;
  /** The mail domain of per-inbox forwarding addresses (inbox-<id>@domain); BASE_URL's host by default. */
  domain: string;
  tls: { cert: string; key: string } | undefined;
  maxMessageBytes: number;
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

  const smtp = loadSmtpConfig(env, host, baseUrl, problems);
  const imapPollSeconds = parseInteger(
    env.IMAP_POLL_SECONDS ?? "60",
    "IMAP_POLL_SECONDS",
    5,
    86400,
    problems,
  );

  const stripeApiBase = env.KEEPWELL_STRIPE_API_BASE || undefined;
  if (stripeApiBase && !/^https?:\/\/[^/]+\/?$/.test(stripeApiBase)) {
    problems.push(
      `KEEPWELL_STRIPE_API_BASE must be an http(s) origin such as http://127.0.0.1:12111 (got "${stripeApiBase}")`,
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
    smtp,
    imapPollSeconds,
    stripeApiBase,
  };
}

function loadSmtpConfig(env: Env, webHost: string, baseUrl: string, problems: string[]): SmtpConfig {
  const port = parseInteger(env.SMTP_PORT ?? "2525", "SMTP_PORT", 0, 65535, problems);
  const host = env.SMTP_HOST || webHost;
  let domain = (env.SMTP_DOMAIN || "").trim().toLowerCase();
  if (!domain) {
    try {
      domain = new URL(baseUrl).hostname.replace(/^\[|\]$/g, "").toLowerCase();
    } catch {
      domain = "localhost";
    }
  }
  if (!/^[a-z0-9.:-]+$/.test(domain)) {
    problems.push(`SMTP_DOMAIN must be a domain name such as mail.example.com (got "${domain}")`);
  }
  const maxMessageBytes = parseInteger(
    env.SMTP_MAX_MESSAGE_BYTES ?? String(25 * 1024 * 1024),
    "SMTP_MAX_MESSAGE_BYTES",
    1024,
    1024 * 1024 * 1024,
    problems,
  );
  const certFile = env.SMTP_TLS_CERT || undefined;
  const keyFile = env.SMTP_TLS_KEY || undefined;
  let tls: SmtpConfig["tls"];
  if (certFile || keyFile) {
    if (!certFile || !keyFile) {
      problems.push(
        "SMTP_TLS_CERT and SMTP_TLS_KEY go together: set both (PEM files) for STARTTLS, or neither",
      );
    } else {
      try {
        tls = { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8") };
      } catch (error) {
        problems.push(
          `SMTP_TLS_CERT and SMTP_TLS_KEY must be readable PEM files (${(error as Error).message})`,
        );
      }
    }
  }
  return { port, portExplicit: Boolean(env.SMTP_PORT), host, domain, tls, maxMessageBytes };
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
