import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { type ResolvedTarget, resolveTarget } from "./target-guard.ts";

export const DELIVERY_TIMEOUT_MS = 10_000;
const MAX_RESPONSE_BYTES = 16 * 1024;

export interface PostResult {
  status: number;
  /** The start of the response body, kept for the delivery log. */
  bodySnippet: string;
  location: string | undefined;
}

/**
 * A lookup that answers with the addresses the guard already checked, so DNS cannot hand out a
 * different (internal) address between the check and the connection.
 */
function pinnedLookup(target: ResolvedTarget): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, target.addresses);
    else callback(null, target.addresses[0].address, target.addresses[0].family);
  }) as LookupFunction;
}

/**
 * POSTs a JSON body once: no redirects are followed (a 3xx is just a status), no connection is
 * reused, and the whole exchange is bounded by a timeout.
 */
export async function postJson(
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  options: { allowPrivate: boolean; timeoutMs?: number },
): Promise<PostResult> {
  const url = new URL(rawUrl);
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  const target = await resolveTarget(url, options.allowPrivate);
  const transport = url.protocol === "https:" ? https : http;
  return new Promise<PostResult>((resolve, reject) => {
    const request = transport.request(
      {
        method: "POST",
        protocol: url.protocol,
        hostname: target.hostname,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        headers: {
          ...headers,
          host: url.host,
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(body)),
          "user-agent": "Keepwell-Webhooks/1",
          connection: "close",
        },
        agent: false,
        lookup: pinnedLookup(target),
        servername: url.protocol === "https:" ? target.hostname : undefined,
        signal,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = () => {
          resolve({
            status: response.statusCode ?? 0,
            bodySnippet: Buffer.concat(chunks).toString("utf8").slice(0, 500),
            location: response.headers.location,
          });
        };
        response.on("data", (chunk: Buffer) => {
          if (size < MAX_RESPONSE_BYTES) chunks.push(chunk);
          size += chunk.length;
          // The status is all that matters; a receiver streaming a huge answer is cut off.
          if (size >= MAX_RESPONSE_BYTES) {
            finish();
            response.destroy();
          }
        });
        response.on("end", finish);
        response.on("error", reject);
      },
    );
    request.on("error", (error) => {
      reject(signal.aborted ? new Error(`no answer within ${timeoutMs / 1000} s`) : error);
    });
    request.end(body);
  });
}
