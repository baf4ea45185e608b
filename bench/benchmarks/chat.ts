import { randomBytes } from "node:crypto";
import { createDemoToken, expectOk } from "../lib/api.ts";
import type { BenchContext, Benchmark } from "../lib/context.ts";
import { cpuMsOf } from "../lib/cpu.ts";
import { temporaryDataDir, throwawayPostgres } from "../lib/databases.ts";
import { percentile } from "../lib/emails.ts";
import { type Child, freePort, memoryOf, spawnNode, waitForReady } from "../lib/processes.ts";
import type { LoadRow, Section } from "../lib/report.ts";

/*
 * Chat (issue 6): visitor sockets and agent sockets driven from a separate process, visitors
 * sending at a steady total rate; the visitor-to-agent delivery latency (every agent socket counts)
 * and the server's memory, beside a bare WebSocket relay measured the same way in the same run.
 */

const OWNER_EMAIL = "owner@demo.keepwell.test";
const AIM_P99_MS = 50;

export const chatBenchmarks: Benchmark[] = [
  {
    name: "chat-postgres",
    summary:
      "visitor→agent delivery over WebSockets vs a bare relay, on PostgreSQL (BENCH_CHAT_VISITORS, _AGENTS, _RATE)",
    run: (ctx) => chat(ctx),
  },
];

function positiveEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]?.replaceAll("_", "") || fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number ≥ 1`);
  return value;
}

interface LoadOutcome {
  latencies: number[];
  expected: number;
  sent: number;
  seconds: number;
  connectSeconds: number;
  failures: number;
  counts?: { acks: number; agentEvents: number; errors: string[] };
  warmupSeconds: number;
}

/** Runs bench/lib/chat-load.ts in its own process and waits for its result. */
async function runGenerator(
  ctx: BenchContext,
  plan: Record<string, unknown>,
  on: { connected?: () => void; warm?: () => void; drained?: () => void } = {},
) {
  const env = { ...process.env, CHAT_LOAD: JSON.stringify(plan) } as Record<string, string>;
  const child = spawnNode(ctx.cleanup, "chat load", ["bench/lib/chat-load.ts"], env, "", { ipc: true });
  try {
    return await new Promise<LoadOutcome>((resolve, reject) => {
      child.process.on("message", (message: { type: string; message?: string } & LoadOutcome) => {
        if (message.type === "connected") on.connected?.();
        if (message.type === "warm") on.warm?.();
        if (message.type === "drained") on.drained?.();
        if (message.type === "done") resolve(message);
        if (message.type === "error") reject(new Error(`chat load: ${message.message}`));
      });
      child.process.once("exit", (code) =>
        reject(new Error(`chat load exited with ${code}:\n${child.output()}`)),
      );
    });
  } finally {
    await child.stop();
  }
}

function row(label: string, outcome: LoadOutcome, base?: number): LoadRow {
  const perSecond = outcome.sent / outcome.seconds;
  const missing = Math.max(0, outcome.expected - outcome.latencies.length);
  return {
    label,
    result: {
      completed: outcome.latencies.length,
      requestsPerSecond: perSecond,
      p50Ms: percentile(outcome.latencies, 50),
      p99Ms: percentile(outcome.latencies, 99),
      maxMs: outcome.latencies.at(-1) ?? Number.NaN,
      failures: missing + outcome.failures,
      timeouts: missing,
      statusCodes: {},
      serverCpuMs: undefined,
      databaseCpuMs: undefined,
    },
    ratio: base ? perSecond / base : 1,
  };
}

function childEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env))
    if (
      value !== undefined &&
      !key.startsWith("KEEPWELL_") &&
      !["DATABASE_URL", "PORT", "HOST"].includes(key)
    )
      env[key] = value;
  return { ...env, ...extra };
}

async function chat(ctx: BenchContext): Promise<Section[]> {
  const { settings, cleanup, progress } = ctx;
  const visitors = positiveEnv("BENCH_CHAT_VISITORS", 2000);
  const agents = positiveEnv("BENCH_CHAT_AGENTS", 20);
  const rate = positiveEnv("BENCH_CHAT_RATE", 100);
  const durationSeconds = settings.durationSeconds;
  const shape = { visitors, agents, ratePerSecond: rate, durationSeconds };

  progress(`baseline: bare WebSocket relay, ${visitors} visitor and ${agents} agent sockets, ${rate} msg/s`);
  const relayPort = await freePort();
  const relay = spawnNode(
    cleanup,
    "ws relay",
    ["bench/lib/ws-relay.ts"],
    childEnv({ PORT: String(relayPort) }),
    `http://127.0.0.1:${relayPort}`,
    { ipc: true },
  );
  await waitForReady(relay, { path: "/" });
  const baseline = await runGenerator(ctx, { target: "relay", url: relay.url, ...shape });
  await relay.stop();

  const database = await throwawayPostgres(cleanup, settings.adminDatabaseUrl);
  const data = temporaryDataDir(cleanup, "chat");
  const port = await freePort();
  const password = randomBytes(12).toString("base64url");
  // Visitors come from many addresses: the generator sends X-Forwarded-For, trusted from loopback.
  const server: Child = spawnNode(
    cleanup,
    "keepwell",
    ["bin/keepwell.js", "start"],
    childEnv({
      PORT: String(port),
      HOST: "127.0.0.1",
      KEEPWELL_DATA_DIR: data.dir,
      KEEPWELL_DEMO_PASSWORD: password,
      DATABASE_URL: database.url,
      TRUST_PROXY: "127.0.0.1",
      LOG_LEVEL: "warn",
    }),
    `http://127.0.0.1:${port}`,
  );
  const readyMs = await waitForReady(server);
  progress(`server ready in ${Math.round(readyMs)} ms (pid ${server.pid})`);
  const token = await createDemoToken(server.url, OWNER_EMAIL, password);
  const headers = { authorization: `Bearer ${token}` };
  // The demo seed adds the chat inbox last; the owner can sign in before it is there.
  let chatInbox: { id: string; channel: string } | undefined;
  for (let attempt = 0; attempt < 300 && !chatInbox; attempt++) {
    const inboxes = await expectOk<{ data: { id: string; channel: string }[] }>(
      "inboxes",
      `${server.url}/api/v1/inboxes`,
      { headers },
    );
    chatInbox = inboxes.data.find((i) => i.channel === "chat");
    if (!chatInbox) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (!chatInbox) throw new Error("the demo workspace has no chat inbox");
  const widget = await expectOk<{ public_key: string }>(
    "widget",
    `${server.url}/api/v1/inboxes/${chatInbox.id}/widget`,
    {
      headers,
    },
  );
  const idle = memoryOf(server.pid);
  let connected: ReturnType<typeof memoryOf>;
  let cpuAtConnect: number | undefined;
  let cpuAtWarm: number | undefined;
  let cpuAtDrained: number | undefined;
  progress(
    `Keepwell: ${visitors} visitor and ${agents} agent sockets, ${rate} msg/s for ${durationSeconds} s`,
  );
  const keepwell = await runGenerator(
    ctx,
    { target: "keepwell", url: server.url, widgetKey: widget.public_key, agentToken: token, ...shape },
    {
      connected: () => {
        connected = memoryOf(server.pid);
        cpuAtConnect = cpuMsOf(server.pid);
      },
      warm: () => {
        cpuAtWarm = cpuMsOf(server.pid);
      },
      drained: () => {
        cpuAtDrained = cpuMsOf(server.pid);
      },
    },
  );
  const end = memoryOf(server.pid);
  const cpuAtEnd = cpuMsOf(server.pid);
  if (keepwell.counts?.errors.length) progress(`visitors were refused: ${keepwell.counts.errors.join("; ")}`);
  await server.stop();
  await database.drop();
  await data.remove();

  const baseRow = row(`baseline: bare WebSocket relay (${agents} agent sockets)`, baseline);
  const chatRow = row(`Keepwell widget → agent streams`, keepwell, baseRow.result.requestsPerSecond);
  chatRow.aim = { maxP99Ms: AIM_P99_MS };
  // Server CPU per message over the warm-up burst and the measured load (both write one message each).
  if (cpuAtConnect !== undefined && cpuAtEnd !== undefined) {
    chatRow.result.serverCpuMs = (cpuAtEnd - cpuAtConnect) / (keepwell.sent + visitors);
  }
  // The same split in two: a visitor's first message (a new conversation) and the follow-ups.
  const cpuPerNew =
    cpuAtConnect !== undefined && cpuAtWarm !== undefined ? (cpuAtWarm - cpuAtConnect) / visitors : undefined;
  const cpuPerFollowUp =
    cpuAtWarm !== undefined && cpuAtDrained !== undefined
      ? (cpuAtDrained - cpuAtWarm) / keepwell.sent
      : undefined;
  return [
    {
      title: "Chat: visitor-to-agent delivery on PostgreSQL",
      context: `${visitors} visitor sockets, ${agents} agent sockets (separate process); ${rate} messages/s for ${durationSeconds} s; latency from a visitor's send to each agent socket's event; msg/s shown as req/s, "requests" = deliveries`,
      loads: [baseRow, chatRow],
      facts: [
        { label: "server memory, idle", value: idle?.rssMiB, unit: "MiB" },
        {
          label: `server memory, ${visitors + agents} sockets open`,
          value: connected?.rssMiB,
          unit: "MiB",
        },
        {
          label: "server memory, after the load",
          value: end?.rssMiB,
          unit: "MiB",
          detail: `peak ${end?.peakMiB.toFixed(0)} MiB`,
        },
        {
          label: "visitor sockets connected (session + socket + auth)",
          value: keepwell.connectSeconds,
          unit: "s",
        },
        {
          label: "first messages (a new conversation each) all acknowledged",
          value: keepwell.warmupSeconds,
          unit: "s",
          detail: `${(visitors / keepwell.warmupSeconds).toFixed(0)} conversations/s`,
        },
        { label: "server CPU per first message (new conversation)", value: cpuPerNew, unit: "ms" },
        { label: "server CPU per follow-up message (measured load)", value: cpuPerFollowUp, unit: "ms" },
        {
          label: "baseline p99 vs Keepwell p99",
          value: chatRow.result.p99Ms - baseRow.result.p99Ms,
          unit: "ms more",
        },
      ],
    },
  ];
}
