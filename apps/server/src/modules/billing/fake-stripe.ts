import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { apiClient } from "../../test/harness.ts";

/*
 * Test support: a small stand-in for the Stripe API on a local port, which the tests start and
 * control (what it answers, when it fails), and a signer for webhook payloads through Stripe's own
 * SDK helper.
 */

export interface FakeStripeRequest {
  method: string;
  path: string;
  form: Record<string, string>;
  idempotencyKey: string | null;
  authorization: string | null;
}

export interface FakeStripe {
  url: string;
  requests: FakeStripeRequest[];
  /** The next `count` requests are answered 500, as when Stripe is having a bad minute. */
  failNext(count: number): void;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startFakeStripe(): Promise<FakeStripe> {
  const requests: FakeStripeRequest[] = [];
  let failures = 0;
  const server: Server = createServer(async (request, response) => {
    const body = await readBody(request);
    const path = (request.url ?? "/").split("?")[0];
    requests.push({
      method: request.method ?? "GET",
      path,
      form: Object.fromEntries(new URLSearchParams(body)),
      idempotencyKey: (request.headers["idempotency-key"] as string | undefined) ?? null,
      authorization: request.headers.authorization ?? null,
    });
    const send = (status: number, payload: unknown) => {
      response.writeHead(status, {
        "content-type": "application/json",
        "request-id": `req_${requests.length}`,
      });
      response.end(JSON.stringify(payload));
    };
    if (failures > 0) {
      failures -= 1;
      return send(500, { error: { type: "api_error", message: "Stripe is having a bad minute" } });
    }
    const match = /^\/v1\/subscriptions\/([\w-]+)$/.exec(path);
    if (!match) return send(404, { error: { type: "invalid_request_error", message: `No route ${path}` } });
    const id = match[1];
    const canceled = request.method === "DELETE";
    const pausing = "pause_collection[behavior]" in Object.fromEntries(new URLSearchParams(body));
    return send(200, {
      id,
      object: "subscription",
      status: canceled ? "canceled" : "active",
      pause_collection: pausing ? { behavior: "void" } : null,
      items: { object: "list", data: [{ id: "si_fake", object: "subscription_item", quantity: 1 }] },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(count) {
      failures = count;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const signer = new Stripe("sk_test_signer").webhooks;

/** A webhook body and its Stripe-Signature header, signed with Stripe's SDK test helper. */
export function signedEvent(
  secret: string,
  event: { id: string; type: string; created: number; object: Record<string, unknown> },
  timestamp = event.created,
) {
  const payload = JSON.stringify({
    id: event.id,
    object: "event",
    api_version: "2026-10-28.endive",
    created: event.created,
    type: event.type,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object: event.object },
  });
  return { payload, signature: signer.generateTestHeaderString({ payload, secret, timestamp }) };
}

/** Delivers one signed event to a workspace's Stripe webhook, as Stripe would, and returns the answer. */
export function deliverStripeEvent(
  baseUrl: string,
  workspaceId: string,
  secret: string,
  event: Parameters<typeof signedEvent>[1],
  timestamp = event.created,
) {
  const signed = signedEvent(secret, event, timestamp);
  return apiClient(baseUrl).post(`/api/v1/billing/stripe/webhook/${workspaceId}`, signed.payload, {
    "stripe-signature": signed.signature,
  });
}
