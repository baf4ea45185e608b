// The chat load generator, run as its own process (so its work does not count against the server):
// opens visitor sockets and agent sockets against a target, has the visitors send messages at a
// steady total rate, and reports how long each message took to reach every agent socket.
//
// Two targets speak different protocols but are measured the same way:
//  - "keepwell": visitors use the widget's socket (session call, auth frame, message frames, acks);
//    agents hold the agent app's /api/v1/stream and see `message.created` events.
//  - "relay": the baseline, a bare WebSocket relay (bench/lib/ws-relay.ts) that hands each visitor
//    frame to every agent socket.
// Configuration comes as JSON in CHAT_LOAD; the result goes back over IPC.
import WebSocket from "ws";

interface Plan {
  target: "keepwell" | "relay";
  url: string;
  widgetKey?: string;
  agentToken?: string;
  visitors: number;
  agents: number;
  ratePerSecond: number;
  durationSeconds: number;
}

const plan = JSON.parse(process.env.CHAT_LOAD ?? "{}") as Plan;
const wsUrl = plan.url.replace(/^http/, "ws");
const sentAt = new Map<string, number>();
/** Deliveries that reached an agent before the visitor's ack named the message. */
const early = new Map<string, number[]>();
const latencies: number[] = [];
let recording = false;
/** Only messages sent after this instant are measured (warm-up deliveries may still be arriving). */
let recordFrom = Number.POSITIVE_INFINITY;
let failures = 0;
const counts = { acks: 0, agentEvents: 0, errors: [] as string[] };

function record(id: string, at: number) {
  const start = sentAt.get(id);
  if (start === undefined) {
    early.set(id, [...(early.get(id) ?? []), at]);
    return;
  }
  if (recording && start >= recordFrom) latencies.push(at - start);
}

function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers, perMessageDeflate: false });
    socket.once("open", () => resolve(socket));
    socket.once("error", reject);
    socket.once("unexpected-response", (_req, res) =>
      reject(new Error(`upgrade refused: ${res.statusCode}`)),
    );
  });
}

async function inBatches<T>(count: number, size: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += size) {
    out.push(
      ...(await Promise.all(Array.from({ length: Math.min(size, count - i) }, (_, j) => make(i + j)))),
    );
  }
  return out;
}

interface Visitor {
  socket: WebSocket;
  send(n: number): void;
}

/** A distinct client address per visitor, so per-address limits see many people, as in production. */
const addressOf = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

async function keepwellAgents(): Promise<WebSocket[]> {
  return inBatches(plan.agents, 10, async () => {
    const socket = await open(`${wsUrl}/api/v1/stream`, { authorization: `Bearer ${plan.agentToken}` });
    socket.on("message", (data) => {
      const at = performance.now();
      const frame = JSON.parse(String(data));
      if (frame.type === "message.created" && frame.data.kind === "incoming") {
        counts.agentEvents += 1;
        record(frame.data.id, at);
      }
    });
    return socket;
  });
}

async function keepwellVisitor(i: number): Promise<Visitor> {
  const headers = { "content-type": "application/json", "x-forwarded-for": addressOf(i) };
  const response = await fetch(`${plan.url}/widget/v1/${plan.widgetKey}/session`, {
    method: "POST",
    headers,
    body: JSON.stringify({ name: `Visitor ${i}` }),
  });
  if (!response.ok) throw new Error(`session ${i}: ${response.status} ${await response.text()}`);
  const { token } = (await response.json()) as { token: string };
  const socket = await open(`${wsUrl}/widget/v1/${plan.widgetKey}/socket`, {
    "x-forwarded-for": addressOf(i),
  });
  const pending = new Map<string, number>();
  await new Promise<void>((resolve, reject) => {
    socket.on("message", (data) => {
      const frame = JSON.parse(String(data));
      if (frame.type === "ready") resolve();
      else if (frame.type === "ack") {
        counts.acks += 1;
        const start = pending.get(frame.client_id);
        pending.delete(frame.client_id);
        if (start === undefined) return;
        const id = frame.message.id as string;
        sentAt.set(id, start);
        for (const at of early.get(id) ?? [])
          if (recording && start >= recordFrom) latencies.push(at - start);
        early.delete(id);
      } else if (frame.type === "error") {
        failures += 1;
        if (counts.errors.length < 5) counts.errors.push(`${frame.code}: ${frame.message}`);
        reject(new Error(`visitor ${i}: ${frame.code} ${frame.message}`));
      }
    });
    socket.send(JSON.stringify({ type: "auth", token }));
  });
  return {
    socket,
    send(n) {
      const clientId = `${i}-${n}`;
      pending.set(clientId, performance.now());
      socket.send(
        JSON.stringify({ type: "message", body: `Message ${n} from visitor ${i}`, client_id: clientId }),
      );
    },
  };
}

async function relayAgents(): Promise<WebSocket[]> {
  return inBatches(plan.agents, 10, async () => {
    const socket = await open(`${wsUrl}/agent`);
    socket.on("message", (data) => record(String(data), performance.now()));
    return socket;
  });
}

async function relayVisitor(i: number): Promise<Visitor> {
  const socket = await open(`${wsUrl}/visitor`);
  return {
    socket,
    send(n) {
      const id = `${i}-${n}`;
      sentAt.set(id, performance.now());
      socket.send(id);
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const keepwell = plan.target === "keepwell";
  const agents = await (keepwell ? keepwellAgents() : relayAgents());
  const connectStarted = performance.now();
  const visitors = await inBatches(plan.visitors, 50, keepwell ? keepwellVisitor : relayVisitor);
  const connectSeconds = (performance.now() - connectStarted) / 1000;
  process.send?.({ type: "connected", connectSeconds });
  // Each visitor's first message opens its conversation; that burst is warm-up, not measured, and
  // the load starts once every conversation exists (or after five minutes).
  const warmupStarted = performance.now();
  for (const visitor of visitors) visitor.send(0);
  const warmTarget = keepwell ? plan.visitors : 0;
  while (counts.acks < warmTarget && performance.now() - warmupStarted < 300_000) await sleep(100);
  const warmupSeconds = (performance.now() - warmupStarted) / 1000;
  process.send?.({ type: "warm", warmupSeconds });
  await sleep(500);
  recording = true;
  recordFrom = performance.now();
  const intervalMs = 1000 / plan.ratePerSecond;
  const total = Math.round(plan.ratePerSecond * plan.durationSeconds);
  const started = performance.now();
  for (let n = 0; n < total; n++) {
    const due = started + n * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    visitors[n % visitors.length].send(1 + Math.floor(n / visitors.length));
  }
  const sendSeconds = (performance.now() - started) / 1000;
  // Deliveries still on their way get up to 15 s to arrive; what never arrives counts as failed.
  const expected = total * plan.agents;
  const drainUntil = performance.now() + 15_000;
  while (latencies.length < expected && performance.now() < drainUntil) await sleep(100);
  recording = false;
  process.send?.({ type: "drained" });
  for (const socket of [...agents, ...visitors.map((v) => v.socket)]) socket.terminate();
  latencies.sort((a, b) => a - b);
  process.send?.({
    type: "done",
    latencies,
    expected,
    sent: total,
    seconds: sendSeconds,
    connectSeconds,
    failures,
    counts,
    warmupSeconds,
  });
}

main().catch((error) => {
  process.send?.({ type: "error", message: String(error?.stack ?? error) });
  process.exitCode = 1;
});
process.on("disconnect", () => process.exit(0));
